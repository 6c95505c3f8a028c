"""Stripe through the official SDK against a local double of Stripe's HTTP API."""

import pytest
import requests
import stripe

from commerce.payments.errors import ProviderUnavailable
from commerce.payments.models import Payment
from commerce.payments.services import payment_sync
from tests.conftest import client_for

from .helpers import deliver, notifications, paid_moves, start_stripe
from .stripe_double import event

pytestmark = pytest.mark.django_db


def test_pay_creates_a_payment_intent_with_the_order_in_its_metadata(
    shopper, order, stripe_double
):
    body = start_stripe(shopper, order)
    assert body["status"] == "requires_action"
    assert body["client_secret"].startswith("pi_double")
    assert body["approval_url"] is None
    (call,) = stripe_double.calls("POST", "/v1/payment_intents")
    assert call["params"]["amount"] == "5000"
    assert call["params"]["currency"] == "usd"
    assert call["params"]["metadata"] == {
        "order_id": str(order.pk),
        "payment_id": str(body["payment_id"]),
    }
    payment = Payment.objects.get(pk=body["payment_id"])
    assert call["key"] == payment.idempotency_key == f"nexus-payment-{payment.pk}"


def test_a_repeat_returns_the_open_payment_and_never_a_second_intent(
    shopper, order, stripe_double
):
    first = start_stripe(shopper, order)
    again = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["payment_id"] == first["payment_id"]
    assert again.json()["client_secret"] == first["client_secret"]
    assert len(stripe_double.calls("POST", "/v1/payment_intents")) == 1
    assert len(stripe_double.intents) == 1


def test_the_succeeded_webhook_pays_the_order_once(shopper, order, stripe_double):
    body = start_stripe(shopper, order)
    intent = stripe_double.succeed(body["client_secret"].split("_secret")[0])
    delivery = event("payment_intent.succeeded", intent)
    assert deliver(delivery).status_code == 200
    again = deliver(delivery)  # Stripe retries what it thinks was lost
    assert again.status_code == 200 and again.json()["duplicate"] is True
    order.refresh_from_db()
    assert order.status == "paid"
    assert paid_moves(order) == 1
    assert notifications(shopper, "payment_succeeded") == 1
    assert Payment.objects.get(pk=body["payment_id"]).status == "succeeded"


def test_a_failed_payment_is_recorded_and_notified(shopper, order, stripe_double):
    body = start_stripe(shopper, order)
    intent = stripe_double.fail(body["client_secret"].split("_secret")[0])
    assert deliver(event("payment_intent.payment_failed", intent)).status_code == 200
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.status == "failed"
    assert payment.failure_code == "insufficient_funds"
    order.refresh_from_db()
    assert order.status == "pending"
    assert notifications(shopper, "payment_failed") == 1


@pytest.mark.parametrize(
    "change", [{"amount": 4999}, {"currency": "eur"}], ids=["amount", "currency"]
)
def test_an_amount_or_currency_mismatch_leaves_the_order_unpaid_and_alerts_staff(
    shopper, order, staff, stripe_double, change
):
    body = start_stripe(shopper, order)
    intent = stripe_double.succeed(body["client_secret"].split("_secret")[0])
    intent.update(change)
    if "amount" in change:
        intent["amount_received"] = change["amount"]
    delivery = event("payment_intent.succeeded", intent)
    assert deliver(delivery).status_code == 200
    assert deliver(event("payment_intent.succeeded", intent)).status_code == 200
    order.refresh_from_db()
    assert order.status == "pending"
    payment = Payment.objects.get(pk=body["payment_id"])
    assert (payment.status, payment.failure_code) == ("failed", "amount_mismatch")
    assert notifications(staff, "payment_alert") == 1
    assert notifications(shopper, "payment_succeeded") == 0


def test_events_out_of_order_end_in_the_right_state(shopper, order, stripe_double):
    body = start_stripe(shopper, order)
    intent_id = body["client_secret"].split("_secret")[0]
    succeeded = stripe_double.succeed(intent_id)
    refunded_charge = stripe_double.refund_in_dashboard(intent_id, 5000)
    failed_earlier = dict(succeeded, status="requires_payment_method")
    failed_earlier["last_payment_error"] = {"code": "card_declined", "message": "no"}
    # Stripe sends them in this order; they arrive the other way round.
    assert deliver(event("charge.refunded", refunded_charge)).status_code == 200
    assert deliver(event("payment_intent.succeeded", succeeded)).status_code == 200
    assert (
        deliver(event("payment_intent.payment_failed", failed_earlier)).status_code
        == 200
    )
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.status == "refunded"
    assert payment.amount_refunded == payment.amount
    order.refresh_from_db()
    assert order.status == "refunded"
    assert paid_moves(order) == 1
    assert notifications(shopper, "payment_failed") == 0


def test_unknown_event_types_are_stored_and_acknowledged(stripe_double):
    response = deliver(event("customer.created", {"id": "cus_1"}, event_id="evt_x"))
    assert response.status_code == 200
    from commerce.payments.models import PaymentEvent

    stored = PaymentEvent.objects.get(event_id="evt_x")
    assert stored.applied_at and stored.outcome == "ignored: customer.created"


def test_a_timeout_after_stripe_made_the_intent_is_retried_with_the_same_key(
    shopper, order, stripe_double, settings
):
    settings.PAYMENT_PROVIDER_TIMEOUT = 0.5
    stripe_double.hold_seconds = 2.0  # Stripe makes the intent, then answers late
    response = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "provider_unavailable"
    payment = Payment.objects.get(order=order)
    assert payment.status == "requires_action" and payment.provider_reference == ""
    assert len(stripe_double.intents) == 1  # Stripe did make it

    settings.PAYMENT_PROVIDER_TIMEOUT = 20
    again = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    assert again.status_code == 200
    (intent_id,) = stripe_double.intents
    assert again.json()["client_secret"].startswith(intent_id)
    payment.refresh_from_db()
    assert payment.provider_reference == intent_id
    keys = [c["key"] for c in stripe_double.calls("POST", "/v1/payment_intents")]
    assert keys == [payment.idempotency_key] * 2
    assert len(stripe_double.intents) == 1  # the same object, not a second one


def test_a_payment_whose_answer_was_lost_is_found_by_reconciliation(
    shopper, order, stripe_double, settings
):
    settings.PAYMENT_PROVIDER_TIMEOUT = 0.5
    stripe_double.hold_seconds = 2.0
    client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    settings.PAYMENT_PROVIDER_TIMEOUT = 20
    (intent_id,) = stripe_double.intents
    stripe_double.succeed(intent_id)
    payment = payment_sync(payment_id=Payment.objects.get(order=order).pk)
    assert payment.provider_reference == intent_id
    assert payment.status == "succeeded"
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_sdk_is_pointed_at_stripe_api_base(shopper, order, stripe_double):
    start_stripe(shopper, order)
    assert stripe_double.requests  # nothing left the machine
    assert stripe.DEFAULT_API_BASE not in stripe_double.url


def test_a_provider_that_is_down_answers_503_and_keeps_the_payment(
    shopper, order, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_down"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    assert response.status_code == 503
    assert Payment.objects.get(order=order).idempotency_key
    assert ProviderUnavailable.code == response.json()["code"]
    assert requests  # the SDK's HTTP client here


def test_switching_provider_cancels_the_open_intent(shopper, order, stripe_double):
    body = start_stripe(shopper, order)
    paid = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "dummy"}, format="json"
    )
    assert paid.status_code == 201
    intent_id = body["client_secret"].split("_secret")[0]
    assert stripe_double.intents[intent_id]["status"] == "canceled"
    assert Payment.objects.get(pk=body["payment_id"]).status == "canceled"
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_webhook_for_an_intent_whose_create_answer_was_lost_finds_its_payment(
    shopper, order, stripe_double, settings
):
    settings.PAYMENT_PROVIDER_TIMEOUT = 0.5
    stripe_double.hold_seconds = 2.0
    client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    (intent_id,) = stripe_double.intents
    intent = stripe_double.succeed(intent_id)
    assert deliver(event("payment_intent.succeeded", intent)).status_code == 200
    payment = Payment.objects.get(order=order)
    assert (payment.provider_reference, payment.status) == (intent_id, "succeeded")
    order.refresh_from_db()
    assert order.status == "paid"


def test_only_the_owner_may_confirm_a_payment(shopper, order, stripe_double):
    from tests.factories import UserFactory

    body = start_stripe(shopper, order)
    url = f"/api/v1/payments/{body['payment_id']}/confirm/"
    assert client_for(UserFactory()).post(url).status_code == 404
    mine = client_for(shopper).post(url)
    assert mine.status_code == 200
    assert mine.json()["status"] == "requires_action"
    assert mine.json()["order_status"] == "pending"
