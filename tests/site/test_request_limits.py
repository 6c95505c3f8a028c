"""Oversized, overlong and overdeep requests get a quick JSON 4xx under /api/."""

import io
import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return '{"email": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/register/",
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/logout/",
    ],
)
def test_json_nested_a_thousand_deep_is_a_400_parse_error(api_client, path):
    response = api_client.generic(
        "POST", path, nested(1000), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_deep_json_is_a_400_for_signed_in_views_too(customer_client):
    response = customer_client.generic(
        "POST", "/api/v1/cart/items/", nested(1000), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_deeper_than_any_payload_needs_is_refused_before_a_view_sees_it():
    from rest_framework.exceptions import ParseError

    from nexus.api.parsers import MAX_DEPTH, JSONParser

    parser = JSONParser()
    shallow = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parser.parse(io.BytesIO(shallow.encode()), parser_context={}) == json.loads(
        shallow
    )
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(("[" + shallow + "]").encode()), parser_context={})


def test_a_body_declared_over_the_limit_is_a_413_and_never_read(api_client):
    # The test client's payload holds two bytes: reading the 50 MB it declares fails,
    # so a 413 here means nothing read the body.
    response = api_client.generic(
        "POST",
        "/api/v1/auth/register/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "too_large"


def test_a_body_longer_than_it_declared_is_read_no_further_than_the_limit():
    """ASGI hands the whole body over whatever Content-Length said (chunked)."""
    from nexus.api.parsers import JSONParser

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        stream = io.BytesIO(b'{"a": "' + b"x" * 5000 + b'"}')
        with pytest.raises(Exception) as raised:
            JSONParser().parse(stream, parser_context={})
    assert getattr(raised.value, "status_code", None) == 413
    assert stream.tell() <= 1001


def test_request_data_too_big_from_django_is_a_json_413():
    from django.core.exceptions import RequestDataTooBig

    from nexus.api.errors import exception_handler

    response = exception_handler(RequestDataTooBig("too big"), {})
    assert response.status_code == 413
    assert response.data["code"] == "too_large"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_path_is_a_json_404_for_every_method(method):
    # A browser-like client: CSRF is enforced, as for any real caller.
    client = APIClient(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/nope/", {"a": 1}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_unknown_path_outside_the_api_is_still_served_by_the_site(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_known_api_path_without_its_slash_still_redirects(api_client):
    response = api_client.get("/api/v1/categories")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/categories/")


def test_login_with_a_megabyte_email_is_a_400(api_client):
    user = UserFactory()
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": "a" * 1_000_000 + "@example.com", "password": "whatever-it-is"},
        format="json",
    )
    assert response.status_code == 400
    assert "email" in response.json()
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": "p" * 1_000_000},
        format="json",
    )
    assert response.status_code == 400
    assert "password" in response.json()
