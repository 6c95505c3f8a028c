"""`GET /api/v1/` answers an index of the API's resources, not a 404."""

import pytest
from django.urls import resolve

from nexus.api.index import RESOURCES

pytestmark = pytest.mark.django_db

INDEX = "/api/v1/"


def test_the_index_links_every_resource_anonymously(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    body = response.json()
    assert body["name"] == "Nexus Commerce API"
    assert set(body["resources"]) == set(RESOURCES)
    assert body["resources"]["products"] == "http://testserver/api/v1/products/"
    assert body["resources"]["product"] == (
        "http://testserver/api/v1/products/{product_id}/"
    )
    assert body["documentation"]["openapi"] == "http://testserver/api/schema/"
    assert body["websocket"] == "ws://testserver/ws/notifications/"


def test_every_link_leads_somewhere(client):
    body = client.get(INDEX).json()
    for name, url in body["resources"].items():
        path = url.removeprefix("http://testserver")
        filled = path.format(product_id=1, item_id=1, order_id=1)
        assert resolve(filled).url_name == RESOURCES[name][0]
        if filled == path:  # no placeholder: ask the server itself
            status = client.get(path).status_code
            assert status in (200, 401, 405), (name, status)
    for url in body["documentation"].values():
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_behind_tls_the_links_and_socket_are_secure(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    body = client.get(
        INDEX, HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver"
    ).json()
    assert body["resources"]["cart"].startswith("https://testserver/")
    assert body["websocket"] == "wss://testserver/ws/notifications/"


def test_the_index_is_in_the_openapi_document(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/"]["get"]
    assert operation["summary"] == "API index"
    assert {} in operation["security"]  # no token needed
    assert {"200", "401", "429"} <= set(operation["responses"])
