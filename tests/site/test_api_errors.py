"""Every failure under /api/ answers in JSON, and bad input is a 4xx, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_malformed_json_is_a_400_with_detail(api_client):
    response = api_client.generic(
        "POST",
        "/api/v1/auth/register/",
        '{"email": "a@example.com", "password": ',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    "payload",
    ['"just a string"', "[1, 2, 3]", "null", "12345678901234567890123456789"],
)
def test_json_that_is_not_an_object_is_a_400(api_client, payload):
    response = api_client.generic(
        "POST", "/api/v1/auth/register/", payload, content_type="application/json"
    )
    assert response.status_code == 400


def test_null_bytes_in_the_query_string_are_refused(api_client):
    response = api_client.get("/api/v1/auth/me/?q=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_wrong_method_is_a_json_405(customer_client):
    response = customer_client.delete("/api/v1/auth/me/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unsupported_media_type_is_a_json_415(api_client):
    response = api_client.generic(
        "POST", "/api/v1/auth/register/", "<xml/>", content_type="application/xml"
    )
    assert response.status_code == 415
    assert "detail" in response.json()


def test_bad_bearer_token_is_a_json_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("page_size", ["abc", "0", "-3", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_is_a_400(api_client, page_size):
    response = api_client.get(f"/api/v1/categories/?page_size={page_size}")
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_page_size_above_the_maximum_is_capped_at_100(api_client):
    from tests.factories.catalog import create_product

    for _ in range(3):
        create_product()
    response = api_client.get("/api/v1/products/?page_size=1000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
    assert response.json()["next"] is None
