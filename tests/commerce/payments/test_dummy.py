"""The dummy provider: pay at once, decline the test card, never pay twice."""

import pytest

from commerce.inventory.models import StockRecord
from commerce.orders.models import OrderEvent
from commerce.payments.models import Payment
from realtime.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def pay(user, order, **body):
    return client_for(user).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "dummy", **body}, format="json"
    )


def test_dummy_pays_at_once_and_the_order_is_paid(shopper, order):
    response = pay(shopper, order)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["provider"] == "dummy" and body["status"] == "succeeded"
    assert body["client_secret"] is None and body["approval_url"] is None
    assert body["amount"] == "50.00" and body["order_status"] == "paid"
    order.refresh_from_db()
    assert order.status == "paid"
    kinds = list(Notification.objects.filter(user=shopper).values_list("kind"))
    assert kinds.count(("payment_succeeded",)) == 1


def test_paying_a_paid_order_again_is_an_invalid_transition(shopper, order):
    assert pay(shopper, order).status_code == 201
    again = pay(shopper, order)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert Payment.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1


def test_the_decline_card_answers_402_and_the_order_stays_pending(shopper, order):
    response = pay(shopper, order, card="4000 0000 0000 0002")
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "payment_declined" and body["detail"]
    order.refresh_from_db()
    assert order.status == "pending"
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.status == "failed" and payment.failure_code == "card_declined"
    assert Notification.objects.filter(user=shopper, kind="payment_failed").count() == 1
    # Another card then pays.
    assert pay(shopper, order, card="4242424242424242").status_code == 201
    order.refresh_from_db()
    assert order.status == "paid"


def test_another_users_order_is_not_found(order):
    stranger = UserFactory()
    response = pay(stranger, order)
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_an_admin_cannot_pay_a_customers_order_either(order, staff):
    assert pay(staff, order).status_code == 404


def test_an_unknown_provider_is_a_400(shopper, order):
    response = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "bitcoin"}, format="json"
    )
    assert response.status_code == 400
    assert "provider" in response.json()


def test_an_unconfigured_provider_is_a_400(shopper, order, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client_for(shopper).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "provider_not_configured"


def test_a_cancelled_order_cannot_be_paid(shopper, order, product):
    client_for(shopper).post(f"/api/v1/orders/{order.pk}/cancel/")
    response = pay(shopper, order)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert StockRecord.objects.get(product=product).quantity == 10


def test_anonymous_callers_are_refused(api_client, order):
    response = api_client.post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "dummy"}, format="json"
    )
    assert response.status_code == 401
