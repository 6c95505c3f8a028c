"""The outbox contract: rows written in the caller's transaction, delivery after it."""

import threading

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from realtime.models import DeliveryState, Notification, NotificationKind
from realtime.services import notification_send, notification_send_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_notification_send_writes_row_and_mails_after_commit():
    user = UserFactory()
    with transaction.atomic():
        n = notification_send(
            user=user,
            kind=NotificationKind.ORDER_PLACED,
            title="Order N-1 placed",
            body="Thanks for your order.",
            data={"order_number": "N-1", "total": "19.99", "currency": "USD"},
        )
        assert mail.outbox == []
    n.refresh_from_db()
    assert n.email_state == DeliveryState.SENT
    assert n.push_state == DeliveryState.SENT
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == [user.email]
    assert "N-1" in msg.body
    assert msg.alternatives[0].mimetype == "text/html"
    assert "19.99" in msg.alternatives[0].content


def test_rolled_back_event_leaves_no_notification_and_no_mail():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(user=user, kind="order_placed", title="t", body="b", data={})
        raise RuntimeError("checkout failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_in_app_only_kind_skips_email():
    user = UserFactory()
    with transaction.atomic():
        n = notification_send(
            user=user, kind="review_moderated", title="t", body="b", data={}
        )
    n.refresh_from_db()
    assert n.email_state == DeliveryState.SKIPPED
    assert mail.outbox == []


def test_staff_notification_goes_to_each_active_staff_user():
    staff = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    UserFactory(is_staff=True, is_active=False)
    UserFactory()
    with transaction.atomic():
        rows = notification_send_staff(
            kind=NotificationKind.NEW_ORDER, title="New order", body="b", data={}
        )
    assert sorted(r.user_id for r in rows) == sorted(u.id for u in staff)
    assert all(r.pk for r in rows)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        notification_send(user=UserFactory(), kind="nope", title="t", body="", data={})


def test_redis_down_never_fails_the_caller(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}
                ]
            },
        }
    }
    user = UserFactory()
    with transaction.atomic():
        n = notification_send(
            user=user, kind="payment_succeeded", title="Paid", body="b", data={}
        )
    n.refresh_from_db()
    assert n.push_state == DeliveryState.FAILED
    assert n.email_state == DeliveryState.SENT
    assert len(mail.outbox) == 1


def test_broker_down_leaves_the_email_pending_for_the_relay(settings):
    from realtime.tasks import notification_email_relay

    settings.CELERY_TASK_ALWAYS_EAGER = False
    from nexus.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "amqp://guest:guest@127.0.0.1:1//"
    try:
        user = UserFactory()
        with transaction.atomic():
            n = notification_send(
                user=user, kind="order_placed", title="t", body="b", data={}
            )
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = settings.CELERY_BROKER_URL
    n.refresh_from_db()
    assert n.email_state == DeliveryState.PENDING
    assert mail.outbox == []
    assert notification_email_relay.apply(kwargs={"older_than_seconds": 0}).get() == 1
    n.refresh_from_db()
    assert n.email_state == DeliveryState.SENT


@override_settings(NOTIFICATION_DELIVERY_IN_BACKGROUND=True)
def test_with_a_broker_delivery_leaves_the_request_and_still_happens(monkeypatch):
    """The commit returns while the push is still blocked on the background thread;
    once it is let go, the push and the mail both happen."""
    from realtime import delivery

    release, started = threading.Event(), threading.Event()
    real_push = delivery.push

    def held_push(notifications, *, staff, **options):
        started.set()
        assert release.wait(timeout=10)
        real_push(notifications, staff=staff, **options)

    monkeypatch.setattr(delivery, "push", held_push)
    user = UserFactory()
    with transaction.atomic():
        n = notification_send(
            user=user, kind=NotificationKind.ORDER_PLACED, title="t", body="b", data={}
        )
    assert started.wait(timeout=10)  # the caller is here while the push waits
    n.refresh_from_db()
    assert (n.push_state, mail.outbox) == (DeliveryState.PENDING, [])
    release.set()
    assert delivery.wait_for_background_deliveries()
    n.refresh_from_db()
    assert (n.push_state, n.email_state) == (DeliveryState.SENT, DeliveryState.SENT)
    assert len(mail.outbox) == 1
