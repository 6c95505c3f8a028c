"""Writes to notifications: record them (the outbox) and mark them read."""

import functools
import logging

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from nexus.db import insert_one

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
    insert_one(notification)  # compiled once per process: it runs in every checkout
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

    One `INSERT … SELECT` over the staff users, so one statement whatever their
    number (it runs in every checkout); one group message reaches every staff
    socket after commit. Takes no locks.
    """
    kind = NotificationKind(kind)
    now = timezone.now()
    title = title[:200]
    data = data or {}
    mail = kind in EMAIL_KINDS
    with connection.cursor() as cursor:
        cursor.execute(
            _staff_insert_sql(),
            [
                kind.value,
                title,
                body,
                Notification._meta.get_field("data").get_db_prep_save(data, connection),
                connection.ops.adapt_datetimefield_value(now),
                DeliveryState.PENDING.value,
                mail,
                DeliveryState.PENDING.value,
                DeliveryState.SKIPPED.value,
                mail,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    created = [
        Notification(
            id=notification_id,
            user_id=user_id,
            kind=kind,
            title=title,
            body=body,
            data=data,
            created_at=now,
            email_state=DeliveryState(email_state),
            email_next_attempt_at=now if email_state == DeliveryState.PENDING else None,
        )
        for notification_id, user_id, email_state in sorted(rows)
    ]
    deliver_after_commit(created, staff=True)
    return created


@functools.cache
def _staff_insert_sql() -> str:
    """The staff broadcast's `INSERT … SELECT`, built once per process from the
    models (as `_build` would fill each row: mail only to a user with an address).
    """
    quote = connection.ops.quote_name
    users = get_user_model()._meta
    is_staff, is_active, email = (
        quote(users.get_field(name).column)
        for name in ("is_staff", "is_active", "email")
    )
    columns = ", ".join(
        quote(Notification._meta.get_field(name).column)
        for name in (
            "user", "kind", "title", "body", "data", "read", "created_at",
            "push_state", "email_state", "email_attempts", "email_claimed_by",
            "email_next_attempt_at", "email_last_error",
        )
    )  # fmt: skip
    has_mail = f"COALESCE(u.{email}, '') <> ''"
    return (
        f"INSERT INTO {quote(Notification._meta.db_table)} ({columns}) "  # noqa: S608 - names from our models
        f"SELECT u.{quote(users.pk.column)}, %s, %s, %s, %s, {_false()}, %s, %s, "
        f"CASE WHEN %s AND {has_mail} THEN %s ELSE %s END, 0, '', "
        f"CASE WHEN %s AND {has_mail} THEN %s ELSE NULL END, '' "
        f"FROM {quote(users.db_table)} u WHERE u.{is_staff} AND u.{is_active} "
        f"RETURNING {quote(Notification._meta.pk.column)}, "
        f"{quote(Notification._meta.get_field('user').column)}, "
        f"{quote(Notification._meta.get_field('email_state').column)}"
    )


def _false() -> str:
    return "false" if connection.vendor == "postgresql" else "0"


def notification_mark_read(*, notification: Notification) -> Notification:
    if not notification.read:
        Notification.objects.filter(pk=notification.pk).update(read=True)
        notification.read = True
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    with transaction.atomic():
        return Notification.objects.filter(user=user, read=False).update(read=True)
