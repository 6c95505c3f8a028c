"""The OpenAPI schema generates cleanly; the docs pages load their assets locally."""

import re

import pytest
from django.core.management import call_command


def test_schema_generates_with_no_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning or error into a failure.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml")
    )
    schema = (tmp_path / "s.yml").read_text()
    assert "/api/v1/auth/token/" in schema


@pytest.mark.django_db
def test_schema_endpoint_serves_openapi_3(client):
    response = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/docs/", "/redoc/"])
def test_docs_pages_load_every_asset_from_this_app(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page references its assets"
    external = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert external == [], f"assets must not come from a CDN: {external}"
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
