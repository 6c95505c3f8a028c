"""Journeys through real processes: order → websocket alert → email, and its faults."""

import json
import time
import uuid

import pytest
import requests
from websockets.sync.client import connect

from realtime.models import DeliveryState, Notification
from tests.factories.catalog import create_product

from .stack import CLOSED_PORT_URL, closed_port

pytestmark = [
    pytest.mark.flow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "a-long-enough-passphrase-42"


class Shopper:
    """A customer driving the public API over HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.email = f"flow-{uuid.uuid4().hex[:8]}@example.com"
        r = requests.post(
            f"{base}/api/v1/auth/register/",
            json={"email": self.email, "password": PASSWORD},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        r = requests.post(
            f"{base}/api/v1/auth/token/",
            json={"email": self.email, "password": PASSWORD},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        self.access = r.json()["access"]
        self.headers = {"Authorization": f"Bearer {self.access}"}

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method, f"{self.base}{path}", headers=self.headers, timeout=15, **kwargs
        )

    def order(self, product_id: int) -> dict:
        r = self.call(
            "POST",
            "/api/v1/cart/items/",
            json={"product_id": product_id, "quantity": 1},
        )
        assert r.status_code == 201, r.text
        r = self.call("POST", "/api/v1/orders/", json={})
        assert r.status_code == 201, r.text
        return r.json()

    def socket(self):
        ws_base = self.base.replace("http://", "ws://")
        return connect(
            f"{ws_base}/ws/notifications/?token={self.access}",
            origin=self.base,
            open_timeout=10,
        )


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def next_notification(ws, timeout: float = 10) -> dict:
    message = json.loads(ws.recv(timeout=timeout))
    assert message["type"] == "notification"
    return message["notification"]


def row(email: str) -> Notification:
    return Notification.objects.get(user__email=email, kind="order_placed")


def test_order_alerts_the_socket_and_mails_once(stack, sink):
    base = stack.start_daphne()
    stack.start_worker()
    product = create_product(stock=5)
    shopper = Shopper(base)
    with shopper.socket() as ws:
        order = shopper.order(product.pk)
        alert = next_notification(ws)
    assert alert["kind"] == "order_placed"
    assert alert["data"]["number"] == order["number"]
    mails = wait_for(lambda: sink.messages, 20, "the order email")
    assert mails[0]["To"] == shopper.email
    assert order["number"] in mails[0]["Subject"]
    listed = shopper.call("GET", "/api/v1/notifications/?unread=true").json()
    assert [n["id"] for n in listed["results"]] == [alert["id"]]
    time.sleep(1)
    assert len(sink.messages) == 1
    assert row(shopper.email).email_state == DeliveryState.SENT


def test_broker_down_during_checkout_delays_the_mail_but_never_loses_it(stack, sink):
    dead_broker = CLOSED_PORT_URL["broker"].format(port=closed_port())
    base = stack.start_daphne(CELERY_BROKER_URL=dead_broker)
    worker = stack.start_worker()
    product = create_product(stock=5)
    shopper = Shopper(base)
    with shopper.socket() as ws:
        started = time.monotonic()
        shopper.order(product.pk)
        assert time.monotonic() - started < 10
        assert next_notification(ws)["kind"] == "order_placed"
    time.sleep(2)
    assert sink.messages == []
    assert row(shopper.email).email_state == DeliveryState.PENDING
    # The beat schedule's relay, sent now to the working broker instead of waiting.
    stack.send_task("realtime.tasks.notification_email_relay", older_than_seconds=0)
    wait_for(lambda: sink.messages, 20, "the relayed email")
    worker.wait_for_output("succeeded", timeout=10)
    time.sleep(1)
    assert len(sink.messages) == 1
    assert row(shopper.email).email_state == DeliveryState.SENT


def test_worker_killed_mid_send_sends_exactly_one_mail_after_restart(stack, sink):
    sink.handler.delay = 30  # the SMTP server sits on the message; we kill meanwhile
    base = stack.start_daphne()
    worker = stack.start_worker()
    product = create_product(stock=5)
    shopper = Shopper(base)
    shopper.order(product.pk)
    wait_for(
        lambda: row(shopper.email).email_state == DeliveryState.SENDING,
        15,
        "the worker to claim the email",
    )
    time.sleep(1)  # it is now inside the SMTP DATA exchange
    worker.kill()
    assert sink.messages == []
    sink.handler.delay = 0
    stack.start_worker()
    wait_for(lambda: sink.messages, 20, "the email after the restart")
    time.sleep(2)
    assert len(sink.messages) == 1
    n = row(shopper.email)
    assert n.email_state == DeliveryState.SENT
    assert n.email_attempts == 2


def test_redis_down_the_api_answers_and_lists_notifications(stack, sink):
    dead_redis = CLOSED_PORT_URL["redis"].format(port=closed_port())
    base = stack.start_daphne(REDIS_URL=dead_redis)
    stack.start_worker()
    product = create_product(stock=5)
    shopper = Shopper(base)
    order = shopper.order(product.pk)
    listed = shopper.call("GET", "/api/v1/notifications/")
    assert listed.status_code == 200
    (alert,) = listed.json()["results"]
    assert alert["data"]["number"] == order["number"]
    n = row(shopper.email)
    assert n.push_state == DeliveryState.FAILED
    wait_for(lambda: sink.messages, 20, "the email despite Redis being down")
