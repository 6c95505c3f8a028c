"""Back-in-stock alerts: one per fan per restock, fair batches, racing restocks."""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from commerce.catalog.services import product_archive
from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import stock_adjust, stock_set
from commerce.orders.services import order_cancel
from commerce.wishlist.models import Restock, RestockAlert, WishlistItem
from commerce.wishlist.services import restock_alerts_send, restock_record
from realtime.models import Notification
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import place_order

RESTOCK = StockAdjustment.Reason.RESTOCK


def fans_of(product, n: int, *, prefix: str = "fan") -> list:
    """`n` customers wishing for `product`, inserted in bulk (no password hashing)."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"{prefix}{i}-{product.pk}@example.com")
        for i in range(n)
    )
    WishlistItem.objects.bulk_create(
        WishlistItem(user=user, product=product) for user in users
    )
    return users


def alerts_per_user(product) -> Counter:
    return Counter(
        Notification.objects.filter(
            kind="back_in_stock", data__product_id=product.pk
        ).values_list("user_id", flat=True)
    )


@pytest.mark.django_db
def test_a_restock_from_zero_tells_each_fan_once_live_and_by_email(
    django_capture_on_commit_callbacks,
):
    product = create_product(stock=0)
    fans = fans_of(product, 3)
    bystander = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(product_id=product.pk, delta=5, reason=RESTOCK)
    assert alerts_per_user(product) == Counter({fan.pk: 1 for fan in fans})
    assert bystander.pk not in alerts_per_user(product)
    restock = Restock.objects.get()
    assert (restock.state, restock.alerted) == (Restock.State.DONE, 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f.email for f in fans)
    sent = Notification.objects.filter(kind="back_in_stock").first()
    assert sent.data["restock_id"] == restock.pk
    assert product.title in sent.title
    # More stock on top of stock is no restock.
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(product_id=product.pk, delta=5, reason=RESTOCK)
    assert Restock.objects.count() == 1
    assert sum(alerts_per_user(product).values()) == 3


@pytest.mark.django_db
def test_sold_out_and_restocked_again_is_a_new_alert_and_every_path_counts(
    django_capture_on_commit_callbacks,
):
    product = create_product(stock=0)
    [fan] = fans_of(product, 1)
    buyer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        stock_set(product_id=product.pk, quantity=1, reason=RESTOCK)
    order = place_order(buyer, (product, 1))  # checkout takes it to 0
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, actor=buyer)  # the cancellation restocks
    assert Restock.objects.count() == 2
    assert alerts_per_user(product) == Counter({fan.pk: 2})


@pytest.mark.django_db
def test_a_product_nobody_wants_records_no_restock():
    product = create_product(stock=0)
    stock_adjust(product_id=product.pk, delta=5, reason=RESTOCK)
    assert not Restock.objects.exists()


@pytest.mark.django_db
def test_alerting_stops_when_sold_out_again_withdrawn_or_superseded():
    product = create_product(stock=0)
    fans_of(product, 4)
    # Recorded as the receiver would, then sold out before its task ran.
    sold_out = restock_record(product_id=product.pk, quantity=2)
    assert restock_alerts_send(restock_id=sold_out.pk) == 0
    sold_out.refresh_from_db()
    assert sold_out.state == Restock.State.SOLD_OUT
    stock_set(product_id=product.pk, quantity=2, reason=RESTOCK)  # its task: later
    older = Restock.objects.latest("pk")
    newer = restock_record(product_id=product.pk, quantity=3)
    assert restock_alerts_send(restock_id=older.pk) == 0
    older.refresh_from_db()
    assert older.state == Restock.State.SUPERSEDED
    assert restock_alerts_send(restock_id=newer.pk) == 4
    assert restock_alerts_send(restock_id=newer.pk) == 0  # a repeat tells nobody
    assert RestockAlert.objects.filter(restock=newer).count() == 4
    product_archive(product_id=product.pk, actor=None)
    withdrawn = restock_record(product_id=product.pk, quantity=3)
    assert restock_alerts_send(restock_id=withdrawn.pk) == 0
    withdrawn.refresh_from_db()
    assert withdrawn.state == Restock.State.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_two_restocks_racing_from_zero_make_one_restock_and_one_alert_each():
    product = create_product(stock=0)
    fans = fans_of(product, 40)
    barrier = threading.Barrier(2)

    def restock():
        try:
            barrier.wait(timeout=30)
            stock_adjust(product_id=product.pk, delta=3, reason=RESTOCK)
        finally:
            connection.close()

    threads = [threading.Thread(target=restock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Restock.objects.count() == 1
    assert alerts_per_user(product) == Counter({fan.pk: 1 for fan in fans})


@pytest.mark.django_db(transaction=True)
def test_two_thousand_fans_are_alerted_with_none_twice_by_two_racing_tasks():
    product = create_product(stock=5)
    fans = fans_of(product, 2000)
    restock = restock_record(product_id=product.pk, quantity=5)  # as the receiver
    barrier = threading.Barrier(2)
    counts: list = []

    def task():
        try:
            barrier.wait(timeout=30)
            counts.append(restock_alerts_send(restock_id=restock.pk, batch=300))
        finally:
            connection.close()

    threads = [threading.Thread(target=task) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert sum(counts) == 2000
    assert alerts_per_user(product) == Counter({fan.pk: 1 for fan in fans})
    assert RestockAlert.objects.filter(restock=restock).count() == 2000
    restock.refresh_from_db()
    assert (restock.state, restock.alerted) == (Restock.State.DONE, 2000)
