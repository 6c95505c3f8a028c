"""Refunds: a ledger that never exceeds what was captured, idempotent at Stripe."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from commerce.inventory.models import StockRecord
from commerce.orders.models import Order
from commerce.payments.models import Payment, Refund
from commerce.payments.reconcile import payments_reconcile
from tests.conftest import client_for

from .helpers import deliver, notifications, start_stripe
from .stripe_double import event
from .test_stripe_webhook import run_together


def refund(staff, order, **body):
    return client_for(staff).post(
        f"/api/v1/orders/{order.pk}/refund/", body, format="json"
    )


@pytest.fixture
def stripe_paid(shopper, order, stripe_double):
    """The order paid through Stripe (intent succeeded, webhook applied)."""
    body = start_stripe(shopper, order)
    intent = stripe_double.succeed(body["client_secret"].split("_secret")[0])
    assert deliver(event("payment_intent.succeeded", intent)).status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"
    return Payment.objects.get(pk=body["payment_id"])


@pytest.fixture
def dummy_paid(shopper, order):
    response = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "dummy"}, format="json"
    )
    assert response.status_code == 201
    return Payment.objects.get(pk=response.json()["payment_id"])


def stock(product) -> int:
    return StockRecord.objects.get(product=product).quantity


@pytest.mark.django_db
def test_partial_refunds_up_to_the_total_then_one_more_is_refused_unsent(
    shopper, staff, order, product, stripe_paid, stripe_double
):
    first = refund(staff, order, amount="20.00", reason="scratched")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "succeeded" and first.json()["amount"] == "20.00"
    stripe_paid.refresh_from_db()
    assert stripe_paid.status == "partially_refunded"
    assert Order.objects.get(pk=order.pk).status == "paid"

    second = refund(staff, order, amount="30.00")
    assert second.status_code == 200 and second.json()["status"] == "succeeded"
    calls = stripe_double.calls("POST", "/v1/refunds")
    assert [c["params"]["amount"] for c in calls] == ["2000", "3000"]
    assert [c["key"] for c in calls] == [
        f"nexus-refund-{first.json()['refund_id']}",
        f"nexus-refund-{second.json()['refund_id']}",
    ]

    more = refund(staff, order, amount="0.01")
    assert more.status_code == 400
    assert more.json()["code"] == "refund_refused"
    assert len(stripe_double.calls("POST", "/v1/refunds")) == 2  # nothing sent
    stripe_paid.refresh_from_db()
    assert stripe_paid.status == "refunded"
    assert stripe_paid.amount_refunded == Decimal("50.00")
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert stock(product) == 10  # back once, as it never shipped
    assert notifications(shopper, "refund_issued") == 2


@pytest.mark.django_db
def test_a_refund_above_what_remains_is_refused_and_nothing_is_sent(
    staff, order, stripe_paid, stripe_double
):
    assert refund(staff, order, amount="45.00").status_code == 200
    response = refund(staff, order, amount="5.01")
    assert response.status_code == 400
    assert response.json()["remaining"] == "5.00"
    assert len(stripe_double.calls("POST", "/v1/refunds")) == 1
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_no_amount_refunds_all_that_remains(staff, order, product, dummy_paid):
    assert refund(staff, order, amount="10.00").json()["status"] == "succeeded"
    rest = refund(staff, order)
    assert rest.status_code == 200 and rest.json()["amount"] == "40.00"
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert stock(product) == 10


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5.00", "abc", "1.001", ""])
def test_a_non_positive_or_malformed_amount_is_a_400(staff, order, dummy_paid, amount):
    response = refund(staff, order, amount=amount)
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_nothing_captured_is_nothing_to_refund(staff, order):
    response = refund(staff, order)
    assert response.status_code == 400
    assert response.json()["code"] == "refund_refused"


@pytest.mark.django_db
def test_only_staff_refund_and_unknown_orders_are_404(shopper, staff, order):
    assert refund(shopper, order).status_code == 403
    response = client_for(staff).post("/api/v1/orders/999999/refund/", {})
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_shipped_order_refunded_in_full_keeps_its_stock_out(
    staff, order, product, dummy_paid
):
    client_for(staff).post(
        f"/api/v1/orders/{order.pk}/status/", {"status": "shipped"}, format="json"
    )
    assert refund(staff, order).status_code == 200
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert stock(product) == 8


@pytest.mark.django_db
def test_a_refund_that_timed_out_is_sent_again_with_its_key_and_made_once(
    staff, order, stripe_paid, stripe_double, settings
):
    settings.PAYMENT_PROVIDER_TIMEOUT = 0.5
    stripe_double.hold_seconds = 2.0  # Stripe refunds, then answers too late
    response = refund(staff, order, amount="15.00")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert len(stripe_double.refunds) == 1
    settings.PAYMENT_PROVIDER_TIMEOUT = 20
    Refund.objects.update(updated_at="2000-01-01T00:00:00Z")  # a minute on
    assert payments_reconcile()["refunds"] == 1
    made = Refund.objects.get()
    assert made.status == "succeeded"
    assert made.provider_reference == next(iter(stripe_double.refunds))
    keys = [c["key"] for c in stripe_double.calls("POST", "/v1/refunds")]
    assert keys == [made.idempotency_key] * 2
    assert len(stripe_double.refunds) == 1  # the same refund, not a second one


@pytest.mark.django_db
def test_a_refund_made_in_stripes_dashboard_is_recorded_once(
    shopper, order, stripe_paid, stripe_double
):
    charge = stripe_double.refund_in_dashboard(stripe_paid.provider_reference, 1250)
    delivery = event("charge.refunded", charge)
    assert deliver(delivery).status_code == 200
    assert deliver(event("charge.refunded", charge)).status_code == 200  # new id
    (outside,) = Refund.objects.all()
    assert (outside.amount, outside.status) == (Decimal("12.50"), "succeeded")
    assert outside.requested_by is None
    stripe_paid.refresh_from_db()
    assert stripe_paid.status == "partially_refunded"
    assert notifications(shopper, "refund_issued") == 1


@pytest.mark.django_db
def test_our_own_refund_echoed_by_charge_refunded_is_not_counted_twice(
    staff, order, stripe_paid, stripe_double
):
    assert refund(staff, order, amount="10.00").status_code == 200
    charge = stripe_double.charge_of(stripe_paid.provider_reference)
    assert deliver(event("charge.refunded", charge)).status_code == 200
    assert Refund.objects.count() == 1
    stripe_paid.refresh_from_db()
    assert stripe_paid.amount_refunded == Decimal("10.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_add_up_to_more_than_was_captured(
    staff, order, dummy_paid
):
    responses = run_together(5, lambda: refund(staff, order, amount="20.00"))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200, 400, 400, 400], responses
    total = Refund.objects.aggregate(total=Sum("amount"))["total"]
    assert total == Decimal("40.00")
    dummy_paid.refresh_from_db()
    assert dummy_paid.amount_refunded == Decimal("40.00")


@pytest.mark.django_db
def test_the_customer_is_mailed_about_a_refund(
    shopper, staff, order, dummy_paid, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert refund(staff, order, amount="7.50").status_code == 200
    (mail,) = [m for m in mailoutbox if "Refund" in m.subject]
    assert mail.to == [shopper.email]
    assert "7.50 USD" in mail.body and order.number in mail.body
