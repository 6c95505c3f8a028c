"""The catalog's read model follows every path that changes a listing, listings cost
a fixed number of queries, and cached reads are never older than a change."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.actions.move_page import MovePageAction

from cms.models import ProductPage
from commerce.cart.services import cart_item_add
from commerce.catalog import services
from commerce.catalog.listing import listing_rows
from commerce.catalog.models import ProductListing, SearchWord
from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import stock_adjust, stock_set
from commerce.orders.checkout import order_place
from commerce.orders.services import order_cancel
from tests.cache import cache_clear_own
from tests.factories import UserFactory
from tests.factories.catalog import create_category, create_product

FIELDS = [
    "category_id",
    "title",
    "sku",
    "price",
    "available",
    "quantity",
    "created_at",
]


def assert_listing_in_step() -> None:
    """Every listing row equals what the pages and stock say it should be."""
    ids = list(ProductPage.objects.values_list("pk", flat=True))
    expected = {
        row.product_id: [getattr(row, f) for f in FIELDS]
        for row in listing_rows(product_ids=ids)
    }
    actual = {
        row.product_id: [getattr(row, f) for f in FIELDS]
        for row in ProductListing.objects.all()
    }
    # Drafts never published need no row; every other product has an exact one.
    for product_id in set(expected) - set(actual):
        assert not expected[product_id][3], f"product {product_id} has no row"
        del expected[product_id]
    assert actual == expected


def found(client, search: str) -> list[str]:
    response = client.get("/api/v1/products/", {"search": search})
    return [item["sku"] for item in response.json()["results"]]


@pytest.mark.django_db
class TestListingFollowsEveryPath:
    def test_publishing_an_edit_from_the_admin_updates_title_and_price(self):
        product = create_product(title="Desk Lamp", price="20.00")
        draft = product.get_latest_revision_as_object()
        draft.title, draft.price = "Desk Lamp Pro", Decimal("25.00")
        draft.save_revision().publish()
        row = ProductListing.objects.get(pk=product.pk)
        assert (row.title, row.price) == ("Desk Lamp Pro", Decimal("25.00"))
        assert_listing_in_step()

    def test_publishing_a_new_title_changes_what_search_finds(self, api_client):
        product = create_product(sku="LMP-1", title="Desk Lamp")
        draft = product.get_latest_revision_as_object()
        draft.title = "Reading Light"
        draft.save_revision().publish()
        assert found(api_client, "reading") == ["LMP-1"]
        assert found(api_client, "desk") == []
        assert found(api_client, "redaing") == ["LMP-1"]  # its words, for typos

    def test_a_saved_draft_changes_nothing_until_published(self):
        product = create_product(price="20.00")
        draft = product.get_latest_revision_as_object()
        draft.price = Decimal("99.00")
        draft.save_revision()
        assert ProductListing.objects.get(pk=product.pk).price == Decimal("20.00")

    def test_unpublish_archive_and_restore(self):
        product = create_product()
        product.unpublish()
        assert not ProductListing.objects.get(pk=product.pk).available
        services.product_restore(product_id=product.pk)
        assert ProductListing.objects.get(pk=product.pk).available
        services.product_archive(product_id=product.pk)
        assert not ProductListing.objects.get(pk=product.pk).available
        assert_listing_in_step()

    def test_moving_a_product_changes_its_category(self):
        lamps, desks = create_category(slug="lamps"), create_category(slug="desks")
        product = create_product(category=lamps)
        MovePageAction(product, desks, pos="last-child").execute(
            skip_permission_checks=True
        )
        assert ProductListing.objects.get(pk=product.pk).category_id == desks.pk
        assert_listing_in_step()

    def test_stock_from_the_service_checkout_and_cancellation(self):
        product = create_product(stock=3)
        stock_set(product_id=product.pk, quantity=5, reason="count")
        assert ProductListing.objects.get(pk=product.pk).quantity == 5
        stock_adjust(
            product_id=product.pk, delta=-5, reason=StockAdjustment.Reason.DAMAGE
        )
        assert ProductListing.objects.get(pk=product.pk).quantity == 0
        stock_set(product_id=product.pk, quantity=2, reason="count")
        buyer = UserFactory()
        cart_item_add(user=buyer, product_id=product.pk, quantity=2)
        order = order_place(user=buyer)
        assert ProductListing.objects.get(pk=product.pk).quantity == 0
        order_cancel(order_id=order.pk, actor=buyer)
        assert ProductListing.objects.get(pk=product.pk).quantity == 2
        assert_listing_in_step()

    def test_a_deleted_product_leaves_no_row(self):
        product = create_product()
        product.delete()
        assert not ProductListing.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
def test_a_listing_costs_the_same_queries_for_one_product_or_fifty(
    api_client, django_assert_num_queries
):
    shelf = create_category(slug="lamps")
    for n in range(50):
        create_product(category=shelf, price=f"{10 + n}.00")
    url = "/api/v1/products/?category=lamps&min_price=5&ordering=price"
    cache_clear_own()
    with django_assert_num_queries(6) as one:
        assert len(api_client.get(url + "&page_size=1").json()["results"]) == 1
    cache_clear_own()
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api_client.get(url + "&page_size=50").json()["results"]) == 50


@pytest.mark.django_db
def test_update_index_rewrites_listings_and_their_search_documents(
    api_client, django_capture_on_commit_callbacks
):
    create_product(sku="KT-1", title="Steel Kettle")
    ProductListing.objects.update(search_document=None, sku=None)
    SearchWord.objects.all().delete()
    assert found(api_client, "kettle") == []
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the catalog version
        call_command("update_index", backend_name="default", stdout=out)
    assert "rewrote 1 listings" in out.getvalue()
    assert found(api_client, "kettle") == ["KT-1"]
    assert found(api_client, "ketle") == ["KT-1"]
    assert_listing_in_step()


@pytest.mark.django_db
def test_count_stops_at_the_cap(api_client, monkeypatch):
    from nexus.api.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    shelf = create_category()
    for _ in range(5):
        create_product(category=shelf)
    body = api_client.get("/api/v1/products/?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestCachedReads:
    """Real commits, so the catalog version moves as it does in production."""

    def test_a_repeat_is_a_304_and_a_change_shows_at_once(self, api_client):
        product = create_product(price="20.00", stock=1)
        url = f"/api/v1/products/?category={product.get_parent().slug}"
        first = api_client.get(url)
        assert first["Cache-Control"] == "no-cache"
        again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        services.product_update(product_id=product.pk, price=Decimal("30.00"))
        changed = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200
        assert changed.json()["results"][0]["price"] == "30.00"
        stock_set(product_id=product.pk, quantity=0, reason="count")
        detail = api_client.get(f"/api/v1/products/{product.pk}/").json()
        assert (detail["stock"], detail["in_stock"]) == (0, False)
        assert api_client.get(url).json()["results"][0]["in_stock"] is False

    def test_without_the_cache_reads_come_from_the_database(self, api_client):
        product = create_product(price="20.00")
        unreachable = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"socket_connect_timeout": 0.2},
            }
        }
        with override_settings(CACHES=unreachable):
            response = api_client.get(f"/api/v1/products/{product.pk}/")
        assert response.status_code == 200
        assert response.json()["price"] == "20.00"


@pytest.mark.django_db
def test_a_cache_lifetime_of_zero_turns_the_cache_off(api_client, settings):
    """Inside one uncommitted test transaction the version never moves, so only a
    cache that is off can show the second price."""
    product = create_product(price="20.00")
    url = f"/api/v1/products/{product.pk}/"
    settings.CATALOG_CACHE_SECONDS = 0
    assert api_client.get(url).json()["price"] == "20.00"
    services.product_update(product_id=product.pk, price=Decimal("30.00"))
    assert api_client.get(url).json()["price"] == "30.00"
