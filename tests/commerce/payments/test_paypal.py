"""PayPal Orders v2 over REST against a local double of PayPal's API."""

from decimal import Decimal

import pytest
from django.test import Client

from commerce.payments.models import Payment, PaymentEvent, Refund
from tests.conftest import client_for

from .helpers import notifications, paid_moves

pytestmark = pytest.mark.django_db
HOOK = "/api/v1/payments/webhooks/paypal/"


def start_paypal(user, order) -> dict:
    response = client_for(user).post(
        f"/api/v1/orders/{order.pk}/pay/",
        {"provider": "paypal", "return_url": "https://shop.example/paid"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def deliver(double, event_type: str, resource: dict, *, good: bool = True):
    body, headers = double.webhook(event_type, resource, good=good)
    return Client().post(HOOK, body, content_type="application/json", **headers)


def test_pay_creates_an_order_and_answers_its_approval_url(
    shopper, order, paypal_double
):
    body = start_paypal(shopper, order)
    assert body["status"] == "requires_action" and body["client_secret"] is None
    assert body["approval_url"].startswith(f"{paypal_double.url}/checkoutnow?token=")
    (call,) = paypal_double.calls("POST", "/v2/checkout/orders")
    payment = Payment.objects.get(pk=body["payment_id"])
    assert call["request_id"] == payment.idempotency_key
    unit = call["body"]["purchase_units"][0]
    assert unit["amount"] == {"currency_code": "USD", "value": "50.00"}
    assert unit["custom_id"] == str(payment.pk)
    experience = call["body"]["payment_source"]["paypal"]["experience_context"]
    assert experience["return_url"] == "https://shop.example/paid"


def test_the_oauth_token_is_fetched_once_and_reused(shopper, order, paypal_double):
    start_paypal(shopper, order)
    client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "paypal"}, format="json"
    )
    assert len(paypal_double.calls("POST", "/v1/oauth2/token")) == 1
    assert len(paypal_double.calls("POST", "/v2/checkout/orders")) == 1


def test_after_approval_the_confirm_captures_and_pays_the_order_once(
    shopper, order, paypal_double
):
    body = start_paypal(shopper, order)
    payment = Payment.objects.get(pk=body["payment_id"])
    paypal_double.approve(payment.provider_reference)
    url = f"/api/v1/payments/{payment.pk}/confirm/"
    confirmed = client_for(shopper).post(url)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "succeeded"
    assert confirmed.json()["order_status"] == "paid"
    assert client_for(shopper).post(url).status_code == 200  # repeat: no effect
    captures = [c for c in paypal_double.requests if c["path"].endswith("/capture")]
    assert len(captures) == 1
    assert captures[0]["request_id"] == f"{payment.idempotency_key}-capture"
    assert paid_moves(order) == 1
    assert notifications(shopper, "payment_succeeded") == 1


def test_the_approved_webhook_captures_and_the_capture_webhook_changes_nothing(
    shopper, order, paypal_double
):
    body = start_paypal(shopper, order)
    payment = Payment.objects.get(pk=body["payment_id"])
    paypal_double.approve(payment.provider_reference)
    approved = deliver(
        paypal_double, "CHECKOUT.ORDER.APPROVED", {"id": payment.provider_reference}
    )
    assert approved.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.capture_reference
    completed = deliver(
        paypal_double,
        "PAYMENT.CAPTURE.COMPLETED",
        {
            "id": payment.capture_reference,
            "status": "COMPLETED",
            "amount": {"currency_code": "USD", "value": "50.00"},
            "supplementary_data": {
                "related_ids": {"order_id": payment.provider_reference}
            },
        },
    )
    assert completed.status_code == 200
    assert paid_moves(order) == 1
    assert PaymentEvent.objects.filter(provider="paypal").count() == 2


def test_a_capture_for_another_amount_does_not_pay_the_order(
    shopper, staff, order, paypal_double
):
    body = start_paypal(shopper, order)
    payment = Payment.objects.get(pk=body["payment_id"])
    response = deliver(
        paypal_double,
        "PAYMENT.CAPTURE.COMPLETED",
        {
            "id": "CAPX",
            "status": "COMPLETED",
            "amount": {"currency_code": "USD", "value": "5.00"},
            "supplementary_data": {
                "related_ids": {"order_id": payment.provider_reference}
            },
        },
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "pending"
    assert notifications(staff, "payment_alert") == 1


def test_an_unverified_delivery_is_refused_and_not_stored(
    shopper, order, paypal_double
):
    body = start_paypal(shopper, order)
    payment = Payment.objects.get(pk=body["payment_id"])
    paypal_double.approve(payment.provider_reference)
    response = deliver(
        paypal_double,
        "CHECKOUT.ORDER.APPROVED",
        {"id": payment.provider_reference},
        good=False,
    )
    assert response.status_code == 400
    assert len(paypal_double.calls("POST", "/v1/notifications/verify")) == 1
    assert not PaymentEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == "pending"


def test_a_delivery_without_paypal_headers_is_refused(paypal_double):
    response = Client().post(
        HOOK, '{"id": "WH-1", "event_type": "X"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_repeated_delivery_is_stored_and_applied_once(shopper, order, paypal_double):
    body, headers = paypal_double.webhook("CUSTOMER.CREATED", {"id": "x"})
    first = Client().post(HOOK, body, content_type="application/json", **headers)
    again = Client().post(HOOK, body, content_type="application/json", **headers)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert PaymentEvent.objects.get().outcome == "ignored: CUSTOMER.CREATED"


def test_refunds_go_to_the_capture_with_their_own_request_id(
    shopper, staff, order, product, paypal_double
):
    body = start_paypal(shopper, order)
    payment = Payment.objects.get(pk=body["payment_id"])
    paypal_double.approve(payment.provider_reference)
    client_for(shopper).post(f"/api/v1/payments/{payment.pk}/confirm/")
    payment.refresh_from_db()
    partial = client_for(staff).post(
        f"/api/v1/orders/{order.pk}/refund/", {"amount": "20.00"}, format="json"
    )
    assert partial.status_code == 200 and partial.json()["status"] == "succeeded"
    rest = client_for(staff).post(f"/api/v1/orders/{order.pk}/refund/", {})
    assert rest.json()["amount"] == "30.00"
    calls = paypal_double.calls("POST", "/v2/payments/captures/")
    assert [c["path"] for c in calls] == [
        f"/v2/payments/captures/{payment.capture_reference}/refund"
    ] * 2
    assert [c["request_id"] for c in calls] == [
        r.idempotency_key for r in Refund.objects.order_by("pk")
    ]
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert payment.amount_refunded == Decimal("50.00")
    order.refresh_from_db()
    assert order.status == "refunded"
