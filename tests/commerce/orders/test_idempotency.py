"""Idempotency-Key on checkout: repeats replay, other bodies conflict, keys expire."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.inventory.models import StockRecord
from commerce.inventory.services import stock_adjust
from commerce.orders.models import IdempotencyKey, Order
from commerce.orders.tasks import purge_idempotency_keys
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import fill_cart

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def checkout(client, key, body=None):
    return client.post(ORDERS, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_repeat_with_same_key_returns_the_same_order_with_200(
    customer, customer_client
):
    product = create_product(stock=10)
    fill_cart(customer, (product, 2))
    first = checkout(customer_client, "click-1")
    fill_cart(customer, (product, 1))  # a fuller cart must not make a second order
    again = checkout(customer_client, "click-1")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=product).quantity == 8


def test_same_key_with_another_body_is_409_conflict(customer, customer_client):
    product = create_product(stock=10)
    fill_cart(customer, (product, 1))
    checkout(customer_client, "k", {"note": "first"})
    fill_cart(customer, (product, 1))
    response = checkout(customer_client, "k", {"note": "second"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1


def test_keys_belong_to_one_user(customer, customer_client):
    product = create_product(stock=10)
    other = UserFactory()
    fill_cart(customer, (product, 1))
    fill_cart(other, (product, 1))
    mine = checkout(customer_client, "shared-key")
    theirs = checkout(client_for(other), "shared-key")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\x01key"])
def test_empty_overlong_or_unprintable_key_is_400(customer, customer_client, key):
    fill_cart(customer, (create_product(stock=3), 1))
    response = customer_client.post(ORDERS, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Order.objects.exists()


def test_a_255_character_key_is_accepted(customer, customer_client):
    fill_cart(customer, (create_product(stock=3), 1))
    assert checkout(customer_client, "k" * 255).status_code == 201


def test_a_failed_checkout_does_not_burn_the_key(customer, customer_client):
    empty = checkout(customer_client, "retry-me")
    assert empty.status_code == 400
    assert empty.json()["code"] == "cart_empty"
    fill_cart(customer, (create_product(stock=3), 1))
    assert checkout(customer_client, "retry-me").status_code == 201


def test_an_expired_key_is_ignored_and_checks_out_again(customer, customer_client):
    product = create_product(stock=10)
    fill_cart(customer, (product, 1))
    first = checkout(customer_client, "old").json()
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    fill_cart(customer, (product, 1))
    second = checkout(customer_client, "old")
    assert second.status_code == 201
    assert second.json()["id"] != first["id"]
    assert IdempotencyKey.objects.get().order_id == second.json()["id"]


def test_keys_last_24_hours_and_the_purge_removes_only_expired_ones(
    customer, customer_client
):
    product = create_product(stock=10)
    fill_cart(customer, (product, 1))
    checkout(customer_client, "fresh")
    fill_cart(customer, (product, 1))
    checkout(customer_client, "stale")
    fresh = IdempotencyKey.objects.get(key="fresh")
    lifetime = fresh.expires_at - fresh.created_at
    assert timedelta(hours=23, minutes=59) < lifetime <= timedelta(hours=24)
    IdempotencyKey.objects.filter(key="stale").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert purge_idempotency_keys.apply().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_replay_returns_the_first_body_even_if_the_order_changed_since(
    customer, customer_client
):
    fill_cart(customer, (create_product(stock=10), 1))
    first = checkout(customer_client, "then")
    cancel = customer_client.post(f"{ORDERS}{first.json()['id']}/cancel/")
    assert cancel.json()["status"] == "cancelled"
    again = checkout(customer_client, "then")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["status"] == "pending"
    stored = IdempotencyKey.objects.get()
    assert (stored.response_status, stored.response_body) == (201, first.json())


def test_a_key_stored_without_its_response_replays_the_order(customer, customer_client):
    # Keys an older release stored before recording their response have no body:
    # their replays render the order as it stands.
    fill_cart(customer, (create_product(stock=10), 1))
    first = checkout(customer_client, "in-flight")
    IdempotencyKey.objects.update(response_status=None, response_body=None)
    again = checkout(customer_client, "in-flight")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Order.objects.count() == 1


def test_a_repeat_after_the_sell_out_still_answers_the_first_order(
    customer, customer_client
):
    # The sold-out refusal is read before any key is claimed: a stored key must win
    # over it, even when the cart now holds more than is left.
    product = create_product(stock=3)
    fill_cart(customer, (product, 2))
    first = checkout(customer_client, "last-units")
    fill_cart(customer, (product, 1))
    stock_adjust(product_id=product.pk, delta=-1, reason="damage")  # none left
    again = checkout(customer_client, "last-units")
    other_key = checkout(customer_client, "another-click")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert other_key.status_code == 409
    assert other_key.json()["code"] == "insufficient_stock"
    assert other_key.json()["available"] == 0
    assert Order.objects.count() == 1
    assert IdempotencyKey.objects.filter(key="another-click").count() == 0
