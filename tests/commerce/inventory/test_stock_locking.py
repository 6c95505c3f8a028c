"""Concurrent stock changes queue on the row lock: none is lost, none goes below 0."""

import threading

import pytest
from django.db import connection

from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import StockAdjustment, StockRecord
from commerce.inventory.selectors import stock_quantity
from commerce.inventory.services import stock_adjust, stock_set
from tests.factories.catalog import create_product


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []

    def worker():
        barrier.wait()
        try:
            outcomes.append(work())
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_removals_never_oversell():
    product = create_product(stock=3)
    outcomes = run_together(
        8, lambda: stock_adjust(product_id=product.pk, delta=-1, reason="damage")
    )
    refused = [o for o in outcomes if isinstance(o, InsufficientStock)]
    done = [o for o in outcomes if isinstance(o, StockRecord)]
    assert (len(done), len(refused)) == (3, 5), outcomes
    assert StockRecord.objects.get(product=product).quantity == 0
    assert StockAdjustment.objects.filter(stock_record__product=product).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_restocks_all_count():
    product = create_product(stock=0)
    run_together(
        8, lambda: stock_adjust(product_id=product.pk, delta=3, reason="restock")
    )
    assert StockRecord.objects.get(product=product).quantity == 24


@pytest.mark.django_db
def test_set_records_only_the_difference():
    product = create_product(stock=4)
    stock_set(product_id=product.pk, quantity=10, reason="correction")
    stock_set(product_id=product.pk, quantity=10, reason="correction")
    deltas = list(
        StockAdjustment.objects.filter(stock_record__product=product).values_list(
            "delta", flat=True
        )
    )
    assert deltas == [6]


@pytest.mark.django_db
def test_a_product_without_a_record_reads_as_zero_and_can_be_restocked():
    product = create_product(stock=4)
    StockRecord.objects.filter(product=product).delete()
    assert stock_quantity(product_id=product.pk) == 0
    stock_adjust(product_id=product.pk, delta=2, reason="restock")
    assert stock_quantity(product_id=product.pk) == 2
