"""Paying through real processes: daphne takes Stripe's webhooks, a Celery worker on
RabbitMQ applies them, Stripe is a local double speaking its HTTP."""

import threading

import pytest
import requests

from commerce.orders.models import Order, OrderEvent
from commerce.payments.models import PaymentEvent
from realtime.models import Notification
from tests.commerce.payments.conftest import free_port
from tests.commerce.payments.stripe_double import (
    API_KEY,
    WEBHOOK_SECRET,
    StripeDouble,
    event,
    signed,
)
from tests.factories.catalog import create_product

from .test_notifications_flow import Shopper, next_notification, wait_for

pytestmark = [
    pytest.mark.flow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def stripe_double():
    double = StripeDouble(free_port()).start()
    yield double
    double.stop()


def test_ten_concurrent_webhook_deliveries_pay_the_order_once_through_the_worker(
    stack, sink, stripe_double
):
    base = stack.start_daphne(
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_double.url,
    )
    stack.start_worker(
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_double.url,
    )
    product = create_product(stock=5, price="30.00")
    shopper = Shopper(base)
    order = shopper.order(product.pk)
    paying = shopper.call(
        "POST", f"/api/v1/orders/{order['id']}/pay/", json={"provider": "stripe"}
    )
    assert paying.status_code == 201, paying.text
    intent = stripe_double.succeed(paying.json()["client_secret"].split("_secret")[0])
    body, header = signed(event("payment_intent.succeeded", intent))

    barrier = threading.Barrier(10)
    codes: list[int] = []

    def deliver():
        barrier.wait()
        response = requests.post(
            f"{base}/api/v1/payments/webhooks/stripe/",
            data=body,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            timeout=30,
        )
        codes.append(response.status_code)

    with shopper.socket() as ws:
        threads = [threading.Thread(target=deliver) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert codes == [200] * 10
        kinds = {next_notification(ws)["kind"], next_notification(ws)["kind"]}
    assert kinds == {"payment_succeeded", "order_status_changed"}
    wait_for(
        lambda: Order.objects.get(pk=order["id"]).status == "paid", 20, "the order paid"
    )
    assert PaymentEvent.objects.get().applied_at is not None
    assert (
        OrderEvent.objects.filter(order_id=order["id"], to_status="paid").count() == 1
    )
    mails = wait_for(
        lambda: [m for m in sink.messages if "Payment received" in m["Subject"]],
        20,
        "the payment email",
    )
    assert len(mails) == 1
    assert (
        Notification.objects.filter(
            user__email=shopper.email, kind="payment_succeeded"
        ).count()
        == 1
    )
