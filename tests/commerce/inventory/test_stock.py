"""Stock rows: never negative, changed through services that record why."""

import pytest
from django.db import IntegrityError, transaction

from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import StockAdjustment, StockRecord
from commerce.inventory.services import stock_adjust
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db


def test_database_refuses_negative_stock():
    product = create_product(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(product=product).update(quantity=-1)


def test_adjust_records_who_how_much_and_why(admin_user):
    product = create_product(stock=3)
    record = stock_adjust(
        product_id=product.pk, delta=5, reason="restock", actor=admin_user, note="PO 7"
    )
    assert record.quantity == 8
    adjustment = StockAdjustment.objects.get(stock_record=record)
    assert (adjustment.delta, adjustment.quantity_after) == (5, 8)
    assert (adjustment.actor, adjustment.note) == (admin_user, "PO 7")


def test_adjust_below_zero_is_refused_and_changes_nothing():
    product = create_product(stock=2)
    with pytest.raises(InsufficientStock) as raised:
        stock_adjust(product_id=product.pk, delta=-3, reason="damage")
    assert raised.value.available == 2
    assert StockRecord.objects.get(product=product).quantity == 2
    assert not StockAdjustment.objects.exists()


def test_publishing_a_revision_never_touches_stock():
    product = create_product(stock=7, price="10.00")
    stock_adjust(product_id=product.pk, delta=-2, reason="damage")
    product.price = "12.00"
    product.save_revision().publish()
    assert StockRecord.objects.get(product=product).quantity == 5
