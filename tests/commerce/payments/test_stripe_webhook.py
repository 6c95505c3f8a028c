"""The Stripe webhook: signatures on the raw body, once-only under concurrency."""

import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from commerce.payments.models import Payment, PaymentEvent
from tests.conftest import client_for

from .helpers import STRIPE_HOOK, deliver, notifications, paid_moves, start_stripe
from .stripe_double import event, signed


@pytest.fixture
def paid_intent(shopper, order, stripe_double):
    body = start_stripe(shopper, order)
    intent_id = body["client_secret"].split("_secret")[0]
    return body, stripe_double.succeed(intent_id)


def nothing_happened(order) -> None:
    order.refresh_from_db()
    assert order.status == "pending"
    assert not PaymentEvent.objects.exists()


@pytest.mark.django_db
def test_a_missing_signature_is_refused(order, paid_intent):
    response = deliver(event("payment_intent.succeeded", paid_intent[1]), header="")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    nothing_happened(order)


@pytest.mark.django_db
def test_a_signature_made_with_another_secret_is_refused(order, paid_intent):
    body, header = signed(
        event("payment_intent.succeeded", paid_intent[1]), secret="whsec_other"
    )
    response = Client().post(
        STRIPE_HOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    nothing_happened(order)


@pytest.mark.django_db
def test_a_stale_signature_is_refused(order, paid_intent):
    stale = int(time.time()) - 301
    body, header = signed(
        event("payment_intent.succeeded", paid_intent[1]), timestamp=stale
    )
    response = Client().post(
        STRIPE_HOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    nothing_happened(order)


@pytest.mark.django_db
def test_a_body_changed_after_signing_is_refused(order, paid_intent):
    body, header = signed(event("payment_intent.succeeded", paid_intent[1]))
    # Same JSON meaning, other bytes: the signature covers the bytes.
    changed = json.dumps(json.loads(body), indent=1)
    response = Client().post(
        STRIPE_HOOK,
        changed,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    nothing_happened(order)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["t=abc,v1=00", "garbage", "v1=deadbeef", "t=1,v0=00"]
)
def test_malformed_signature_headers_are_a_400(order, paid_intent, header):
    response = deliver(event("payment_intent.succeeded", paid_intent[1]), header=header)
    assert response.status_code == 400
    nothing_happened(order)


@pytest.mark.django_db
def test_a_signed_body_that_is_not_an_event_is_a_400(stripe_double):
    for payload in ("[]", '{"type": "x"}', "not json"):
        body, header = signed(payload)
        response = Client().post(
            STRIPE_HOOK,
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
        assert response.status_code == 400, payload
    assert not PaymentEvent.objects.exists()


def run_together(count: int, work) -> list:
    """Run `work()` in `count` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - asserted on below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_deliveries_of_one_event_have_one_effect(
    shopper, order, paid_intent
):
    delivery = event("payment_intent.succeeded", paid_intent[1])
    body, header = signed(delivery)

    def post():
        return Client().post(
            STRIPE_HOOK,
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )

    responses = run_together(10, post)
    assert [r.status_code for r in responses] == [200] * 10, responses
    assert sorted(r.json()["duplicate"] for r in responses) == [False] + [True] * 9
    assert PaymentEvent.objects.filter(event_id=delivery["id"]).count() == 1
    order.refresh_from_db()
    assert order.status == "paid"
    assert paid_moves(order) == 1
    assert notifications(shopper, "payment_succeeded") == 1
    assert notifications(shopper, "order_status_changed") == 1


@pytest.mark.django_db(transaction=True)
def test_a_webhook_racing_the_clients_confirm_pays_the_order_once(
    shopper, order, paid_intent
):
    body, _ = paid_intent
    delivery = event("payment_intent.succeeded", paid_intent[1])
    payload, header = signed(delivery)
    confirm_url = f"/api/v1/payments/{body['payment_id']}/confirm/"

    def work(index: int):
        if index % 2:
            return Client().post(
                STRIPE_HOOK,
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
        return client_for(shopper).post(confirm_url)

    counter = iter(range(100))
    lock = threading.Lock()

    def next_work():
        with lock:
            index = next(counter)
        return work(index)

    responses = run_together(6, next_work)
    assert all(r.status_code == 200 for r in responses), responses
    order.refresh_from_db()
    assert order.status == "paid"
    assert paid_moves(order) == 1
    assert notifications(shopper, "payment_succeeded") == 1
    assert Payment.objects.get(pk=body["payment_id"]).status == "succeeded"
