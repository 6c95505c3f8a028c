"""Writes to notifications: record them (the outbox) and mark them read."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .delivery import deliver_after_commit
from .models import EMAIL_KINDS, DeliveryState, Notification, NotificationKind

logger = logging.getLogger(__name__)


def _build(
    *, user, kind: str, title: str, body: str, data: dict, now=None
) -> Notification:
    kind = NotificationKind(kind)
    now = now or timezone.now()
    wants_mail = kind in EMAIL_KINDS and bool(getattr(user, "email", ""))
    return Notification(
        user=user,
        kind=kind,
        title=title[:200],
        body=body,
        data=data or {},
        created_at=now,
        email_state=DeliveryState.PENDING if wants_mail else DeliveryState.SKIPPED,
        email_next_attempt_at=now if wants_mail else None,
    )


def notification_send(
    *, user, kind: str, title: str, body: str, data: dict
) -> Notification:
    """Record a notification for `user` in the caller's transaction.

    Delivery (websocket push, email enqueue) runs after the caller commits and never
    raises: with Redis or the broker down the row stays pending and the relay retries
    the mail. Takes no locks.
    """
    notification = _build(user=user, kind=kind, title=title, body=body, data=data)
    notification.save()
    deliver_after_commit([notification], staff=False)
    return notification


def notification_send_many(
    *, users: list, kind: str, title: str, body: str, data: dict
) -> list[Notification]:
    """Record the same notification for each of `users` in one insert, in the
    caller's transaction (a back-in-stock batch, say); each is pushed to its
    user's sockets and, for mail kinds, emailed after commit. Takes no locks."""
    now = timezone.now()
    rows = [
        _build(user=user, kind=kind, title=title, body=body, data=data, now=now)
        for user in users
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    deliver_after_commit(created, staff=False)
    return created


def notification_send_staff(
    *, kind: str, title: str, body: str, data: dict
) -> list[Notification]:
    """Record one notification per active staff user in the caller's transaction.

    One group message reaches every staff socket after commit. Takes no locks.
    """
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    now = timezone.now()
    rows = [
        _build(user=user, kind=kind, title=title, body=body, data=data, now=now)
        for user in staff.order_by("pk")
    ]
    if not rows:
        return []
    # PostgreSQL returns the new ids from a bulk insert; they are needed for delivery.
    created = Notification.objects.bulk_create(rows)
    deliver_after_commit(created, staff=True)
    return created


def notification_mark_read(*, notification: Notification) -> Notification:
    if not notification.read:
        Notification.objects.filter(pk=notification.pk).update(read=True)
        notification.read = True
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    with transaction.atomic():
        return Notification.objects.filter(user=user, read=False).update(read=True)
