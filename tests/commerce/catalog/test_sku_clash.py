"""A SKU taken between the check and the insert is a 400; other clashes are not."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from cms.models import ProductPage
from commerce.catalog import services
from commerce.catalog.errors import DuplicateSku
from commerce.catalog.serializers import ProductWriteSerializer
from commerce.inventory.models import StockRecord
from tests.factories.catalog import create_category, create_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def race_for_the_sku(monkeypatch):
    """Another product takes the SKU after every check has passed: only the
    database's unique constraint is left to refuse it."""
    monkeypatch.setattr(
        ProductWriteSerializer, "validate_sku", lambda self, value: value.strip()
    )
    monkeypatch.setattr(ProductPage, "validate_unique", lambda self, exclude=None: None)


def test_a_sku_taken_in_a_race_is_a_duplicate_sku(race_for_the_sku):
    create_product(sku="RACE-1")
    with pytest.raises(DuplicateSku):
        services.product_create(
            title="Second",
            sku="RACE-1",
            price=Decimal("5.00"),
            stock=1,
            category=create_category(),
        )
    assert ProductPage.objects.filter(sku="RACE-1").count() == 1


def test_an_update_to_a_sku_taken_in_a_race_is_a_duplicate_sku(race_for_the_sku):
    create_product(sku="RACE-1")
    other = create_product(sku="RACE-2")
    with pytest.raises(DuplicateSku):
        services.product_update(product_id=other.pk, sku="RACE-1")
    assert ProductPage.objects.get(pk=other.pk).sku == "RACE-2"


def test_the_api_answers_a_race_for_a_sku_with_the_field_error(
    race_for_the_sku, admin_client_api
):
    create_product(sku="RACE-1")
    response = admin_client_api.post(
        "/api/v1/products/",
        {
            "title": "Second",
            "sku": "RACE-1",
            "price": "5.00",
            "stock": 1,
            "category": create_category().slug,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"sku": ["Another product has this SKU."]}


def test_another_constraint_is_not_reported_as_a_duplicate_sku(monkeypatch):
    """A clash that has nothing to do with the SKU is a bug to surface, not a 400."""
    real_stock_set = services.stock_set

    def stock_set_twice(*, product_id, **kwargs):
        real_stock_set(product_id=product_id, **kwargs)
        # A second stock row for the product: refused by its one-to-one's index.
        StockRecord.objects.create(product_id=product_id)

    monkeypatch.setattr(services, "stock_set", stock_set_twice)
    with pytest.raises(IntegrityError):
        services.product_create(
            title="Lamp",
            sku="LAMP-1",
            price=Decimal("5.00"),
            stock=1,
            category=create_category(),
        )
    assert not ProductPage.objects.filter(sku="LAMP-1").exists()
