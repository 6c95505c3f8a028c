"""The new-product form: autosave of a half-filled form, and the initial stock."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import ProductPage
from commerce.inventory.models import StockAdjustment, StockRecord
from tests.factories import UserFactory
from tests.factories.catalog import create_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def product_form(**fields) -> dict:
    data = {
        "title": "",
        "slug": "",
        "sku": "",
        "price": "",
        "initial_stock": "",
        "description": rich_text(""),
        "gallery_images": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(fields)
    return nested_form_data(data)


def autosave(client, url, data):
    """As the editor's autosave sends it: a background save asking for JSON."""
    return client.post(url, data, HTTP_ACCEPT="application/json")


def test_autosaving_a_new_product_with_only_a_title_saves_a_draft(editor):
    shelf = create_category()
    url = f"/admin/pages/add/cms/productpage/{shelf.pk}/"
    # Price and SKU are still empty while the editor types (the slug follows the
    # title in the browser): no validation error.
    first = autosave(editor, url, product_form(title="Half-made Lamp", slug="half"))
    assert first.status_code == 200, first.content
    assert first.json()["success"] is True
    draft = ProductPage.objects.get(pk=first.json()["pk"])
    assert (draft.sku, draft.price, draft.live) == (None, None, False)
    # A second half-filled draft does not clash with the first on an empty SKU.
    second = autosave(editor, url, product_form(title="Another Lamp", slug="other"))
    assert second.json()["success"] is True


def test_a_product_cannot_be_published_without_sku_and_price(editor):
    shelf = create_category()
    response = editor.post(
        f"/admin/pages/add/cms/productpage/{shelf.pk}/",
        product_form(title="Unpriced Lamp", slug="unpriced", **{"action-publish": "1"}),
    )
    assert response.status_code == 200  # the form again, with its errors
    assert not ProductPage.objects.filter(title="Unpriced Lamp").exists()
    assert b"This field is required" in response.content


def test_creating_a_product_applies_its_initial_stock_through_the_stock_service(
    editor,
):
    shelf = create_category()
    form = editor.get(f"/admin/pages/add/cms/productpage/{shelf.pk}/")
    assert b'name="initial_stock"' in form.content
    editor.post(
        f"/admin/pages/add/cms/productpage/{shelf.pk}/",
        product_form(
            title="Stocked Lamp",
            slug="stocked-lamp",
            sku="LAMP-STOCK",
            price="30.00",
            initial_stock="12",
            **{"action-publish": "1"},
        ),
    )
    product = ProductPage.objects.get(sku="LAMP-STOCK")
    assert product.live
    record = StockRecord.objects.get(product=product)
    assert record.quantity == 12
    [adjustment] = record.adjustments.all()
    assert (adjustment.delta, adjustment.reason, adjustment.actor) == (
        12,
        StockAdjustment.Reason.INITIAL,
        editor.user,
    )
    # Stock never rides in a revision, and the edit form does not offer it again.
    assert "initial_stock" not in product.get_latest_revision().content
    edit = editor.get(f"/admin/pages/{product.pk}/edit/")
    assert b'name="initial_stock"' not in edit.content
    assert product.listing.quantity == 12


def test_a_negative_initial_stock_is_refused(editor):
    shelf = create_category()
    response = editor.post(
        f"/admin/pages/add/cms/productpage/{shelf.pk}/",
        product_form(
            title="Odd Lamp",
            slug="odd-lamp",
            sku="LAMP-ODD",
            price="5.00",
            initial_stock="-3",
            **{"action-publish": "1"},
        ),
    )
    assert response.status_code == 200
    assert not ProductPage.objects.filter(sku="LAMP-ODD").exists()


def test_stock_typed_after_the_first_autosave_is_applied_until_published(editor):
    shelf = create_category()
    created = autosave(
        editor,
        f"/admin/pages/add/cms/productpage/{shelf.pk}/",
        product_form(title="Early Lamp", slug="early-lamp"),
    )
    product_id = created.json()["pk"]
    assert StockRecord.objects.get(product_id=product_id).quantity == 0
    # Later saves go to the edit view, which still asks until first published.
    edit_url = f"/admin/pages/{product_id}/edit/"
    assert b'name="initial_stock"' in editor.get(edit_url).content
    later = autosave(
        editor,
        edit_url,
        product_form(title="Early Lamp", slug="early-lamp", initial_stock="7"),
    )
    assert later.json()["success"] is True
    assert StockRecord.objects.get(product_id=product_id).quantity == 7
    editor.post(
        edit_url,
        product_form(
            title="Early Lamp",
            slug="early-lamp",
            sku="LAMP-EARLY",
            price="9.00",
            initial_stock="7",
            **{"action-publish": "1"},
        ),
    )
    assert ProductPage.objects.get(pk=product_id).live
    assert b'name="initial_stock"' not in editor.get(edit_url).content
    record = StockRecord.objects.get(product_id=product_id)
    assert record.quantity == 7 and record.adjustments.count() == 1
