"""Reads of notifications."""

from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user, unread: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    if unread:
        qs = qs.filter(read=False)
    return qs


def notification_get(*, user, notification_id: int) -> Notification | None:
    return Notification.objects.filter(user=user, pk=notification_id).first()
