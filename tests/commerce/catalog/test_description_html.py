"""API-written descriptions keep only what the Wagtail editor allows (issue item 13)."""

import pytest

from cms.models import ProductPage
from tests.factories.catalog import create_category, create_product

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script><p onclick=x>Hi <img src=x onerror=alert(1)></p>"


def create(client, shelf, description, sku="RT-1"):
    body = {
        "title": "Rich Text Lamp",
        "sku": sku,
        "price": "10.00",
        "stock": 1,
        "category": shelf.slug,
        "description": description,
    }
    return client.post("/api/v1/products/", body, format="json")


def stored_and_served(client, product_id):
    stored = ProductPage.objects.get(pk=product_id).description
    served = client.get(f"/api/v1/products/{product_id}/").json()["description"]
    return stored, served


def test_script_and_event_handlers_are_stripped_on_create(admin_client_api):
    shelf = create_category()
    response = create(admin_client_api, shelf, HOSTILE)
    assert response.status_code == 201
    for html in (
        response.json()["description"],
        *stored_and_served(admin_client_api, response.json()["id"]),
    ):
        lowered = html.lower()
        for needle in ("<script", "alert(1)", "onerror", "onclick", "<img"):
            assert needle not in lowered, (needle, html)
        assert "Hi" in html
        assert html.startswith("<p>")


def test_script_is_stripped_on_patch(admin_client_api):
    product = create_product()
    response = admin_client_api.patch(
        f"/api/v1/products/{product.pk}/",
        {"description": '<p>Safe</p><a href="javascript:alert(1)">x</a>' + HOSTILE},
        format="json",
    )
    assert response.status_code == 200
    stored, served = stored_and_served(admin_client_api, product.pk)
    for html in (stored, served):
        assert "javascript:" not in html and "<script" not in html
        assert "onclick" not in html and "onerror" not in html
        assert "Safe" in html and "Hi" in html


def test_markup_the_editor_allows_survives(admin_client_api):
    shelf = create_category()
    description = (
        "<h2>Specs</h2><p>A <b>bold</b>, <i>italic</i> and <strong>strong</strong> "
        '<a href="https://example.com/specs">link</a>.</p>'
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
    )
    response = create(admin_client_api, shelf, description)
    assert response.status_code == 201
    stored, served = stored_and_served(admin_client_api, response.json()["id"])
    assert stored == description
    assert served == description


def test_outside_the_features_is_unwrapped_and_block_keys_dropped(admin_client_api):
    shelf = create_category()
    response = create(
        admin_client_api,
        shelf,
        '<p data-block-key="x1y2z" style="color:red">Kept</p><h1>Title</h1>'
        '<a href="http://example.com" target="_blank" data-block-key="a">l</a>'
        "<style>p { color: red }</style>",
    )
    assert response.status_code == 201
    stored, served = stored_and_served(admin_client_api, response.json()["id"])
    assert stored == '<p>Kept</p>Title<a href="http://example.com">l</a>'
    assert "data-block-key" not in served


def test_plain_text_still_becomes_escaped_paragraphs(admin_client_api):
    shelf = create_category()
    response = create(admin_client_api, shelf, "Fits 5 & 6 year olds.\n\nWashable.")
    assert response.status_code == 201
    stored, _ = stored_and_served(admin_client_api, response.json()["id"])
    assert stored == "<p>Fits 5 &amp; 6 year olds.</p><p>Washable.</p>"


@pytest.mark.parametrize(
    ("description", "stored"),
    [
        ('<p><a linktype="page" id="abc">see</a></p>', "<p>see</p>"),
        ('<p><a linktype="document" id="1e9">doc</a></p>', "<p>doc</p>"),
        (
            '<embed embedtype="image" id="x" format="left" alt="a"/><p>ok</p>',
            "<p>ok</p>",
        ),
    ],
)
def test_a_reference_that_names_no_id_is_dropped_not_served_as_a_500(
    admin_client_api, description, stored
):
    shelf = create_category()
    response = create(admin_client_api, shelf, description)
    assert response.status_code == 201
    assert stored_and_served(admin_client_api, response.json()["id"]) == (
        stored,
        stored,
    )


def test_internal_page_links_are_kept_and_served_as_urls(admin_client_api):
    shelf = create_category(slug="lamps")
    response = create(
        admin_client_api, shelf, f'<p><a linktype="page" id="{shelf.pk}">Lamps</a></p>'
    )
    assert response.status_code == 201
    stored, served = stored_and_served(admin_client_api, response.json()["id"])
    assert stored == f'<p><a id="{shelf.pk}" linktype="page">Lamps</a></p>'
    assert served.startswith('<p><a href="') and "/lamps/" in served


def test_editor_written_block_keys_are_not_served(client):
    """Wagtail's editor stores data-block-key on every block; clients never see it."""
    shelf = create_category()
    stored = (
        '<h2 data-block-key="k1">Specs</h2><p data-block-key="k2">A '
        f'<a linktype="page" id="{shelf.pk}">shelf</a> and the text '
        "data-block-key=&quot;k3&quot; stays.</p>"
        '<ul><li data-block-key="k4">one</li></ul>'
    )
    product = create_product(category=shelf, description=stored)
    served = client.get(f"/api/v1/products/{product.pk}/").json()["description"]
    assert 'data-block-key="' not in served
    assert served.startswith("<h2>Specs</h2><p>A <a href=")
    assert "data-block-key=&quot;k3&quot; stays." in served
    assert "<li>one</li>" in served
    listed = client.get("/api/v1/products/", {"category": shelf.slug}).json()
    assert listed["results"][0]["description"] == served
