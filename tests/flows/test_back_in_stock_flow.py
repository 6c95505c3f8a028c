"""Back in stock through a real Celery worker: the socket hears it, the mail arrives,
and a task delivered twice tells nobody twice."""

import json

import pytest
from django.db import transaction

from commerce.inventory.models import StockRecord
from commerce.wishlist.models import Restock, RestockAlert
from commerce.wishlist.services import restock_record
from realtime.models import DeliveryState, Notification
from tests.factories.catalog import create_product

from .test_notifications_flow import Shopper, wait_for

pytestmark = [
    pytest.mark.flow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_restock_task_run_twice_by_the_worker_alerts_each_fan_once(stack, sink):
    base = stack.start_daphne()
    stack.start_worker()
    product = create_product(stock=0)
    fans = [Shopper(base) for _ in range(3)]
    for fan in fans:
        r = fan.call("POST", "/api/v1/wishlist/", json={"product_id": product.pk})
        assert r.status_code == 201, r.text
    # What a restock's transaction writes (stock, then the receiver's row), without
    # this process running the task inline; the broker then delivers it twice.
    with transaction.atomic():
        StockRecord.objects.filter(product=product).update(quantity=4)
        restock = restock_record(product_id=product.pk, quantity=4)
    with fans[0].socket() as ws:
        stack.send_task("wishlist.restock_alerts", restock_id=restock.pk)
        stack.send_task("wishlist.restock_alerts", restock_id=restock.pk)
        message = json.loads(ws.recv(timeout=30))
    assert message["notification"]["kind"] == "back_in_stock"
    assert message["notification"]["data"]["product_id"] == product.pk
    wait_for(lambda: len(sink.messages) >= 3, 60, "three back-in-stock emails")
    wait_for(
        lambda: Restock.objects.filter(pk=restock.pk, state="done").exists(),
        30,
        "the restock to finish",
    )
    assert sorted(m["To"] for m in sink.messages) == sorted(f.email for f in fans)
    alerts = Notification.objects.filter(kind="back_in_stock")
    assert alerts.count() == 3
    assert RestockAlert.objects.filter(restock=restock).count() == 3
    assert not alerts.exclude(email_state=DeliveryState.SENT).exists()
