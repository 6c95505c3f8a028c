"""Staff screens: the payment events inbox with replay, the desk's payments panel
and its refund form."""

from decimal import Decimal

import pytest
from django.test import RequestFactory

from commerce.inventory.models import StockRecord
from commerce.payments.admin_views import payments_panel
from commerce.payments.models import Payment, PaymentEvent, Refund
from tests.conftest import admin_login, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(staff):
    return admin_login(staff)


@pytest.fixture
def paid(shopper, order):
    response = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "dummy"}, format="json"
    )
    return Payment.objects.get(pk=response.json()["payment_id"])


@pytest.fixture
def failed_event(shopper, order, settings):
    """A stored Stripe event that failed to apply: its payment did not exist yet."""
    return PaymentEvent.objects.create(
        provider="stripe",
        event_id="evt_failed",
        type="charge.refunded",
        payload={"data": {"object": {"id": "ch_1"}}},  # no currency: KeyError
        attempts=1,
        error="KeyError: 'payment_intent'",
    )


def test_the_inbox_lists_events_and_filters_failed_ones(desk, failed_event):
    PaymentEvent.objects.create(
        provider="stripe",
        event_id="evt_ok",
        type="customer.created",
        payload={},
        outcome="ignored",
        applied_at="2026-01-01T00:00:00Z",
    )
    html = desk.get("/admin/payment_events/").content.decode()
    assert "evt_failed" in html and "evt_ok" in html
    failed = desk.get("/admin/payment_events/", {"state": "failed"}).content.decode()
    assert "evt_failed" in failed and "evt_ok" not in failed


def test_the_inspect_view_shows_the_payload_and_a_replay_button(desk, failed_event):
    html = desk.get(f"/admin/payment_events/inspect/{failed_event.pk}/")
    text = html.content.decode()
    assert 'data-testid="event-payload"' in text and "ch_1" in text
    assert f"/admin/payment_events/replay/{failed_event.pk}/" in text


def test_replaying_a_failed_event_applies_it(desk, failed_event):
    failed_event.payload = {
        "data": {"object": {"id": "ch_1", "payment_intent": "pi_gone"}}
    }
    failed_event.save()
    assert desk.get(f"/admin/payment_events/replay/{failed_event.pk}/").status_code == (
        200
    )
    response = desk.post(f"/admin/payment_events/replay/{failed_event.pk}/")
    assert response.status_code == 302
    failed_event.refresh_from_db()
    assert failed_event.applied_at is not None and failed_event.error == ""
    assert failed_event.outcome == "ignored: no payment for charge ch_1"
    assert failed_event.attempts == 2


def test_customers_cannot_open_the_inbox_or_replay(failed_event):
    customer = admin_login(UserFactory())
    assert customer.get("/admin/payment_events/").status_code in (302, 403)
    customer.post(f"/admin/payment_events/replay/{failed_event.pk}/")
    failed_event.refresh_from_db()
    assert failed_event.applied_at is None


def test_the_panel_lists_payments_and_refunds_and_offers_a_refund(staff, order, paid):
    Refund.objects.create(
        payment=paid, amount=Decimal("5.00"), status="succeeded", reason="<b>x</b>"
    )
    Payment.objects.filter(pk=paid.pk).update(amount_refunded=Decimal("5.00"))
    request = RequestFactory().get("/admin/orders/")
    request.user = staff
    html = str(payments_panel(request, order))
    assert f'data-testid="payment-{paid.pk}"' in html
    assert "Succeeded" in html and "5.00" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # escaped, not markup
    assert f'action="/admin/payments/refund/{order.pk}/"' in html
    assert "45.00 USD can still be refunded" in html


def test_the_panel_offers_no_refund_for_an_unpaid_order(staff, order):
    request = RequestFactory().get("/admin/orders/")
    request.user = staff
    html = str(payments_panel(request, order))
    assert "No payment yet." in html and "refund-form" not in html


def test_the_desk_refund_form_refunds_through_the_service(
    desk, staff, order, product, paid
):
    response = desk.post(f"/admin/payments/refund/{order.pk}/", {"reason": "broken"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/orders/inspect/{order.pk}/"
    refund = Refund.objects.get()
    assert (refund.amount, refund.requested_by, refund.status) == (
        Decimal("50.00"),
        staff,
        "succeeded",
    )
    order.refresh_from_db()
    assert order.status == "refunded"
    assert StockRecord.objects.get(product=product).quantity == 10


def test_the_desk_refund_form_refuses_too_much_and_changes_nothing(desk, order, paid):
    response = desk.post(f"/admin/payments/refund/{order.pk}/", {"amount": "50.01"})
    assert response.status_code == 302
    assert not Refund.objects.exists()
    messages = [m.message for m in response.wsgi_request._messages]
    assert any("can still be refunded" in m for m in messages)


def test_customers_cannot_use_the_desk_refund(order, paid):
    customer = admin_login(UserFactory())
    response = customer.post(f"/admin/payments/refund/{order.pk}/", {})
    assert response.status_code in (302, 403)
    assert not Refund.objects.exists()


def test_the_panel_is_registered_on_the_order_desk_hook():
    from wagtail import hooks

    assert payments_panel in hooks.get_hooks("order_desk_panels")


def test_the_order_desk_page_shows_the_payments_panel(desk, order, paid):
    response = desk.get(f"/admin/orders/inspect/{order.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="payment-{paid.pk}"' in html
    assert f'action="/admin/payments/refund/{order.pk}/"' in html
