"""Unpaid orders expire once, stock back once, open intents cancelled; and the
reconciliation that catches lost webhooks."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from commerce.inventory.models import StockAdjustment, StockRecord
from commerce.orders.models import Order, OrderEvent
from commerce.payments.expiry import orders_expire_unpaid
from commerce.payments.models import Payment
from commerce.payments.reconcile import payments_reconcile
from commerce.payments.tasks import expire_unpaid_orders
from nexus.settings.env import duration_seconds

from .helpers import deliver, notifications, start_stripe
from .stripe_double import event
from .test_stripe_webhook import run_together


def age(order, minutes: int) -> None:
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def restocks(product) -> int:
    return StockAdjustment.objects.filter(
        stock_record__product=product, reason="cancellation"
    ).count()


@pytest.mark.django_db
def test_an_unpaid_order_past_the_ttl_is_cancelled_with_its_stock_back_once(
    order, product
):
    age(order, 31)
    assert expire_unpaid_orders.apply().get() == 1  # the beat task, inline here
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert orders_expire_unpaid() == 0  # a second run finds nothing to do
    assert StockRecord.objects.get(product=product).quantity == 10
    assert restocks(product) == 1


@pytest.mark.django_db
def test_a_young_order_is_left_alone(order, product):
    age(order, 29)
    assert orders_expire_unpaid() == 0
    assert Order.objects.get(pk=order.pk).status == "pending"
    assert StockRecord.objects.get(product=product).quantity == 8


@pytest.mark.django_db
def test_the_ttl_comes_from_settings(order, settings):
    settings.ORDER_PAYMENT_TTL = 120
    age(order, 3)
    assert orders_expire_unpaid() == 1


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_restore_stock_once(shopper, product):
    from tests.factories.orders import place_order

    orders = [place_order(shopper, (product, 1)) for _ in range(3)]
    for order in orders:
        age(order, 45)
    assert StockRecord.objects.get(product=product).quantity == 7
    results = run_together(2, orders_expire_unpaid)
    assert sum(results) == 3, results
    assert StockRecord.objects.get(product=product).quantity == 10
    assert restocks(product) == 3
    for order in orders:
        assert (
            OrderEvent.objects.filter(order=order, to_status="cancelled").count() == 1
        )


@pytest.mark.django_db
def test_the_open_intent_is_cancelled_at_stripe(shopper, order, stripe_double):
    body = start_stripe(shopper, order)
    age(order, 40)
    assert orders_expire_unpaid() == 1
    intent_id = body["client_secret"].split("_secret")[0]
    assert stripe_double.intents[intent_id]["status"] == "canceled"
    (cancel,) = stripe_double.calls("POST", f"/v1/payment_intents/{intent_id}/cancel")
    assert cancel["key"].endswith("-cancel")
    assert Payment.objects.get(pk=body["payment_id"]).status == "canceled"


@pytest.mark.django_db
def test_money_that_arrived_before_expiry_wins_over_the_clock(
    shopper, order, product, stripe_double
):
    body = start_stripe(shopper, order)
    stripe_double.succeed(body["client_secret"].split("_secret")[0])  # hook lost
    age(order, 40)
    assert orders_expire_unpaid() == 0
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert StockRecord.objects.get(product=product).quantity == 8


@pytest.mark.django_db
def test_a_payment_succeeding_after_expiry_alerts_staff_and_keeps_the_order_closed(
    shopper, staff, order, stripe_double
):
    body = start_stripe(shopper, order)
    intent_id = body["client_secret"].split("_secret")[0]
    age(order, 40)
    orders_expire_unpaid()
    # Stripe captured before our cancel reached it: the event tells us.
    intent = dict(stripe_double.intents[intent_id], status="succeeded")
    intent["amount_received"] = intent["amount"]
    assert deliver(event("payment_intent.succeeded", intent)).status_code == 200
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert Payment.objects.get(pk=body["payment_id"]).status == "succeeded"
    assert notifications(staff, "payment_alert") == 1


@pytest.mark.django_db
def test_reconciliation_asks_stripe_about_payments_left_open(
    shopper, order, stripe_double
):
    body = start_stripe(shopper, order)
    stripe_double.succeed(body["client_secret"].split("_secret")[0])
    assert payments_reconcile()["payments"] == 0  # too fresh to ask about
    Payment.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    assert payments_reconcile()["payments"] == 1
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert notifications(shopper, "payment_succeeded") == 1


def test_both_tasks_are_on_the_beat_schedule():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"payments.expire_unpaid_orders", "payments.reconcile_open_payments"} <= (
        tasks
    )


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("30", 1800), ("30m", 1800), ("1800s", 1800), ("2h", 7200), (" 5M ", 300)],
)
def test_order_payment_ttl_reads_minutes_or_a_unit(raw, seconds):
    assert duration_seconds(raw, name="ORDER_PAYMENT_TTL") == seconds


@pytest.mark.parametrize("raw", ["", "soon", "-5m", "10s", "1.5h"])
def test_order_payment_ttl_refuses_nonsense(raw):
    with pytest.raises(ValueError, match="ORDER_PAYMENT_TTL"):
        duration_seconds(raw, name="ORDER_PAYMENT_TTL")


@pytest.mark.django_db
def test_a_dummy_payment_left_open_by_a_crash_never_pays_an_expired_order(
    order, product
):
    Payment.objects.create(
        order=order,
        provider="dummy",
        amount=order.total,
        currency=order.currency,
        idempotency_key="nexus-payment-crashed",
    )
    age(order, 40)
    assert orders_expire_unpaid() == 1
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert Payment.objects.get(order=order).status == "canceled"
    assert StockRecord.objects.get(product=product).quantity == 10
