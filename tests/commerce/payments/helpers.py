"""Shared steps of the payment tests: pay, deliver a webhook, count effects."""

import json

from django.test import Client

from commerce.orders.models import OrderEvent
from realtime.models import Notification
from tests.conftest import client_for

from .stripe_double import signed

STRIPE_HOOK = "/api/v1/payments/webhooks/stripe/"


def start_stripe(user, order) -> dict:
    response = client_for(user).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "stripe"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def deliver(event: dict | str, *, header: str | None = None, client=None):
    """POST a Stripe delivery signed as Stripe signs it (unless `header` given)."""
    body, signature = signed(event)
    if header is not None:
        signature = header
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
    return (client or Client()).post(
        STRIPE_HOOK, data=body, content_type="application/json", **headers
    )


def paid_moves(order) -> int:
    return OrderEvent.objects.filter(order=order, to_status="paid").count()


def notifications(user, kind: str) -> int:
    return Notification.objects.filter(user=user, kind=kind).count()


def as_json(obj) -> dict:
    return json.loads(json.dumps(obj))
