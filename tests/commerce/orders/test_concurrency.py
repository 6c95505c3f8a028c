"""Checkout and cancellation under real concurrency, driven through the HTTP API.

Each thread has its own APIClient and database connection (closed at the end),
so status codes are what a client would see and locks are real PostgreSQL locks.
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from commerce.inventory.models import StockRecord
from commerce.orders.models import Order, OrderLine
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import fill_cart, place_order

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORDERS = "/api/v1/orders/"


def run_together(calls):
    """Start every call at once on its own thread; return (status, body) per call."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            response = call()
            body = response.json() if response.content else None
            results[index] = (response.status_code, body)
        except Exception as exc:  # a crash must fail the test, not hang it
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def stock(product) -> int:
    return StockRecord.objects.get(product=product).quantity


def test_fifty_buyers_for_ten_units_make_exactly_ten_orders():
    product = create_product(stock=10)
    buyers = [UserFactory() for _ in range(50)]
    for buyer in buyers:
        fill_cart(buyer, (product, 1))
    clients = [client_for(buyer) for buyer in buyers]

    results = run_together([lambda c=c: c.post(ORDERS, format="json") for c in clients])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 10, 409: 40}, results
    refusals = [body for status, body in results if status == 409]
    assert all(b["code"] == "insufficient_stock" for b in refusals)
    assert all(b["product_id"] == product.pk and b["available"] == 0 for b in refusals)
    assert stock(product) == 0
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10


def test_carts_holding_two_products_in_opposite_orders_never_deadlock():
    first = create_product(stock=1000)
    second = create_product(stock=1000)
    buyers = [UserFactory() for _ in range(20)]
    for index, buyer in enumerate(buyers):
        lines = [(first, 2), (second, 3)]
        fill_cart(buyer, *(lines if index % 2 else reversed(lines)))
    clients = [client_for(buyer) for buyer in buyers]

    results = run_together([lambda c=c: c.post(ORDERS, format="json") for c in clients])

    assert [status for status, _ in results] == [201] * 20, results
    assert (stock(first), stock(second)) == (1000 - 40, 1000 - 60)


def test_twenty_requests_with_one_idempotency_key_make_one_order():
    product = create_product(stock=50)
    buyer = UserFactory()
    fill_cart(buyer, (product, 2))
    clients = [client_for(buyer) for _ in range(20)]

    results = run_together(
        [
            lambda c=c: c.post(
                ORDERS, {}, format="json", HTTP_IDEMPOTENCY_KEY="one-click"
            )
            for c in clients
        ]
    )

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: 19}, results
    assert len({body["id"] for _, body in results}) == 1
    assert len({body["number"] for _, body in results}) == 1
    assert Order.objects.count() == 1
    assert stock(product) == 48


def test_a_double_click_without_a_key_makes_one_order():
    product = create_product(stock=50)
    buyer = UserFactory()
    fill_cart(buyer, (product, 2))
    clients = [client_for(buyer) for _ in range(5)]

    results = run_together([lambda c=c: c.post(ORDERS, format="json") for c in clients])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 400: 4}, results
    assert {b["code"] for s, b in results if s == 400} == {"cart_empty"}
    assert Order.objects.count() == 1
    assert stock(product) == 48


def test_racing_cancels_restore_stock_exactly_once():
    product = create_product(stock=10)
    owner = UserFactory()
    order = place_order(owner, (product, 4))
    admin = UserFactory(is_staff=True)
    clients = [client_for(owner) for _ in range(5)]
    clients += [client_for(admin) for _ in range(5)]

    results = run_together(
        [lambda c=c: c.post(f"{ORDERS}{order.pk}/cancel/") for c in clients]
    )

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: 9}, results
    assert stock(product) == 10
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_a_buyer_after_the_sell_out_is_refused_without_queueing_on_the_stock_row():
    # Another transaction holds the sold-out product's stock row (as a checkout in
    # flight would); a buyer arriving now is answered from the committed stock at
    # once instead of waiting for that lock.
    product = create_product(stock=1)
    buyer, first = UserFactory(), UserFactory()
    fill_cart(buyer, (product, 1))
    place_order(first, (product, 1))
    holding, release = threading.Event(), threading.Event()

    def hold_the_row():
        from django.db import transaction

        try:
            with transaction.atomic():
                list(StockRecord.objects.select_for_update().filter(product=product))
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        with connection.cursor() as cursor:  # a queued checkout would wait forever
            cursor.execute("SET lock_timeout = '2s'")
        response = client_for(buyer).post(ORDERS, format="json")
    finally:
        release.set()
        holder.join(timeout=30)
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert response.json()["available"] == 0
    assert list(Order.objects.values_list("user", flat=True)) == [first.pk]


def test_a_buyer_whose_last_unit_goes_while_queueing_is_refused_and_keeps_the_cart():
    # The buyer's read shows one unit left, but another transaction is taking it:
    # the buyer queues on the stock row, then finds it empty; the order it had
    # written rolls back.
    product = create_product(stock=1)
    buyer = UserFactory()
    fill_cart(buyer, (product, 1))
    holding, release = threading.Event(), threading.Event()
    answers = []

    def take_the_unit_and_wait():
        from django.db import transaction

        try:
            with transaction.atomic():
                StockRecord.objects.filter(product=product).update(quantity=0)
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def check_out():
        try:
            response = client_for(buyer).post(ORDERS, format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    holder = threading.Thread(target=take_the_unit_and_wait)
    holder.start()
    assert holding.wait(timeout=10)
    checkout = threading.Thread(target=check_out)
    checkout.start()
    try:
        for _ in range(200):  # until the checkout waits on the row the holder took
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
            checkout.join(timeout=0.05)
        else:
            pytest.fail("the checkout never queued on the stock row")
    finally:
        release.set()
        holder.join(timeout=30)
        checkout.join(timeout=30)
    assert answers == [
        (
            409,
            {
                "detail": answers[0][1]["detail"],
                "code": "insufficient_stock",
                "product_id": product.pk,
                "available": 0,
            },
        )
    ]
    assert not Order.objects.exists()
    assert stock(product) == 0
    assert buyer.cart.items.count() == 1
