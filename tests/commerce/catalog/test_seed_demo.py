"""seed_demo: bulk-made products are real Wagtail pages; --if-empty respects data."""

import io

import pytest
from django.core.management import call_command

from cms.models import ProductPage
from commerce.inventory.models import StockRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seeds_products_with_images_stock_and_a_clean_tree(api_client):
    output = seed("--products", "30")
    assert "30/30" in output
    assert ProductPage.objects.available().count() == 30
    assert StockRecord.objects.count() == 30
    tree = io.StringIO()
    call_command("fixtree", stdout=tree)
    assert "No problems found" in tree.getvalue()
    assert "Problems found" not in tree.getvalue()
    listing = api_client.get("/api/v1/products/?page_size=100").json()
    assert listing["count"] == 30
    assert all(item["images"] for item in listing["results"])
    categories = api_client.get("/api/v1/categories/").json()["results"]
    assert sum(c["product_count"] for c in categories) == 30


def test_seeded_products_are_searchable_and_editable(api_client, client):
    seed("--products", "12")
    product = ProductPage.objects.order_by("pk").first()
    noun = product.title.split()[1].lower()
    found = api_client.get(f"/api/v1/products/?search={noun}").json()["results"]
    assert product.pk in [item["id"] for item in found]

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"/admin/pages/{product.pk}/edit/").status_code == 200
    revision = product.get_latest_revision()
    edited = revision.as_object()
    edited.price = "12.34"
    edited.save_revision().publish()
    assert str(ProductPage.objects.get(pk=product.pk).price) == "12.34"


def test_if_empty_leaves_an_existing_catalog_alone():
    seed("--products", "5")
    output = seed("--products", "50", "--if-empty")
    assert "nothing to do" in output
    assert ProductPage.objects.count() == 5


def test_a_second_run_adds_more_without_clashing():
    seed("--products", "5")
    seed("--products", "5")
    assert ProductPage.objects.count() == 10
    assert ProductPage.objects.values("sku").distinct().count() == 10
