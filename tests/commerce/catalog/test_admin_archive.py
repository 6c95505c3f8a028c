"""Archive and restore from the Wagtail admin: one pair of actions through the
catalog services, an "archived" status, and every surface agreeing afterwards."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import ProductNotPublishable, ProductPage
from commerce.catalog import services
from tests.factories import UserFactory
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def surfaces(client, api_client, customer_client, product) -> dict:
    """What each surface says about the product: its page, the API's detail and
    search, and a cart."""
    page = client.get(f"/{product.get_parent().slug}/{product.slug}/")
    detail = api_client.get(f"/api/v1/products/{product.pk}/")
    search = api_client.get("/api/v1/products/", {"search": product.sku})
    cart = customer_client.post(
        "/api/v1/cart/items/", {"product_id": product.pk}, format="json"
    )
    found = [row["id"] for row in search.json()["results"]]
    return {
        "page": page.status_code,
        "api": detail.status_code,
        "search": product.pk in found,
        "cart": cart.status_code,
    }


ON_SALE = {"page": 200, "api": 200, "search": True, "cart": 201}
OFF_SALE = {"page": 404, "api": 404, "search": False, "cart": 409}


def test_archive_confirm_then_archive_then_restore_and_every_surface_agrees(
    editor, api_client, customer_client, client, django_capture_on_commit_callbacks
):
    # Cached catalog answers move on as a change commits: run those callbacks.
    product = create_product(title="Brass Lamp", sku="LAMP-BRASS")
    assert surfaces(client, api_client, customer_client, product) == ON_SALE

    confirm = editor.get(f"/admin/catalog/products/{product.pk}/archive/")
    assert confirm.status_code == 200
    assert b"Yes, archive it" in confirm.content
    assert ProductPage.objects.get(pk=product.pk).archived_at is None  # GET: no change

    with django_capture_on_commit_callbacks(execute=True):
        done = editor.post(f"/admin/catalog/products/{product.pk}/archive/")
    assert done.status_code == 302
    archived = ProductPage.objects.get(pk=product.pk)
    assert archived.archived_at is not None and not archived.live
    assert archived.status_string == "archived"
    editor.logout()
    assert surfaces(client, api_client, customer_client, product) == OFF_SALE

    editor.force_login(editor.user)
    assert (
        editor.get(f"/admin/catalog/products/{product.pk}/restore/").status_code == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(f"/admin/catalog/products/{product.pk}/restore/")
    restored = ProductPage.objects.get(pk=product.pk)
    assert restored.live and restored.archived_at is None
    editor.logout()
    assert surfaces(client, api_client, customer_client, product) == ON_SALE


def test_listings_and_the_editor_header_say_archived_and_offer_restore(editor):
    product = create_product(title="Shelved Lamp")
    services.product_archive(product_id=product.pk, actor=editor.user)
    shelf = editor.get(f"/admin/pages/{product.get_parent().pk}/")
    text = shelf.content.decode()
    assert "archived" in text and "draft" not in text.lower().split("shelved lamp")[1]
    restore_url = f"/admin/catalog/products/{product.pk}/restore/"
    assert restore_url in text
    assert f"/admin/catalog/products/{product.pk}/archive/" not in text

    edit = editor.get(f"/admin/pages/{product.pk}/edit/").content.decode()
    assert restore_url in edit  # header "more" menu and the action menu
    assert 'name="action-publish"' not in edit


def test_a_live_product_offers_archive_not_restore(editor):
    product = create_product(title="Selling Lamp")
    shelf = editor.get(f"/admin/pages/{product.get_parent().pk}/").content.decode()
    assert f"/admin/catalog/products/{product.pk}/archive/" in shelf
    assert f"/admin/catalog/products/{product.pk}/restore/" not in shelf


def test_publishing_an_archived_product_in_the_editor_is_refused_and_kept_as_draft(
    editor,
):
    product = create_product(title="Old Lamp", sku="LAMP-OLD", price="10.00")
    services.product_archive(product_id=product.pk, actor=editor.user)
    form = editor.get(f"/admin/pages/{product.pk}/edit/")
    data = nested_form_data(
        {
            "title": "Old Lamp, reworded",
            "slug": product.slug,
            "sku": "LAMP-OLD",
            "price": "12.00",
            "description": rich_text(""),
            "gallery_images": inline_formset([]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    assert form.status_code == 200
    response = editor.post(f"/admin/pages/{product.pk}/edit/", data, follow=True)
    page = ProductPage.objects.get(pk=product.pk)
    assert not page.live and page.archived_at is not None
    assert "is archived, so it was not published" in response.content.decode()
    # The editor's change is kept as the latest draft, and restoring publishes it.
    assert page.get_latest_revision_as_object().price == 12
    services.product_restore(product_id=product.pk, actor=editor.user)
    restored = ProductPage.objects.get(pk=product.pk)
    assert restored.live and restored.price == 12
    assert restored.title == "Old Lamp, reworded"


def test_no_route_publishes_an_archived_product():
    """Bulk publish, schedules and workflows publish revisions directly."""
    product = create_product()
    services.product_archive(product_id=product.pk)
    revision = ProductPage.objects.get(pk=product.pk).get_latest_revision()
    with pytest.raises(ProductNotPublishable, match="archived"):
        revision.publish()
    assert not ProductPage.objects.get(pk=product.pk).live


def schedule(product, *, user, minutes=30) -> Revision:
    page = ProductPage.objects.get(pk=product.pk)
    page.price = "25.00"
    page.go_live_at = timezone.now() + timedelta(minutes=minutes)
    revision = page.save_revision(user=user)
    revision.publish(user=user)
    return revision


def test_archiving_a_scheduled_product_says_why_and_cancels_the_schedule(editor):
    product = create_product(title="Timed Lamp")
    revision = schedule(product, user=editor.user)
    assert ProductPage.objects.get(pk=product.pk).status_string == "live + scheduled"

    confirm = editor.get(f"/admin/catalog/products/{product.pk}/archive/")
    assert confirm.status_code == 200  # not "you do not have permission"
    assert b"publication scheduled for" in confirm.content

    response = editor.post(
        f"/admin/catalog/products/{product.pk}/archive/", follow=True
    )
    assert "Cancelled its publication scheduled for" in response.content.decode()
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    page = ProductPage.objects.get(pk=product.pk)
    assert page.archived_at is not None and not page.live
    assert page.status_string == "archived"


def test_archive_and_restore_need_the_publish_permission(client):
    product = create_product()
    client.force_login(UserFactory(is_staff=True))
    for action in ("archive", "restore"):
        response = client.post(f"/admin/catalog/products/{product.pk}/{action}/")
        assert response.status_code in {302, 403}
    assert ProductPage.objects.get(pk=product.pk).archived_at is None


def test_restoring_a_draft_without_a_price_says_what_is_missing(editor):
    product = create_product(live=False)
    ProductPage.objects.filter(pk=product.pk).update(price=None)
    page = ProductPage.objects.get(pk=product.pk)
    page.save_revision(clean=False)  # a half-filled draft, as autosave keeps one
    services.product_archive(product_id=product.pk)
    response = editor.post(
        f"/admin/catalog/products/{product.pk}/restore/", follow=True
    )
    assert "was not restored: its latest version has no price" in (
        response.content.decode()
    )
    assert ProductPage.objects.get(pk=product.pk).archived_at is not None
