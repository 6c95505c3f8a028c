"""After-commit delivery of new notifications: websocket push and email enqueue.

Nothing here may raise into the caller: a failed push is logged (clients catch up over
REST with ?unread=true) and a failed enqueue leaves the email pending for the relay.
"""

import asyncio
import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from .groups import STAFF_GROUP, notification_payload, user_group
from .models import DeliveryState, Notification
from .tasks import enqueue_email

logger = logging.getLogger(__name__)

# A push is live-only; waiting longer than this for Redis would only stall the request.
PUSH_TIMEOUT_SECONDS = 2.0


def deliver_after_commit(notifications: list[Notification], *, staff: bool) -> None:
    transaction.on_commit(partial(_deliver, notifications, staff))


def _deliver(notifications: list[Notification], staff: bool) -> None:
    try:
        push(notifications, staff=staff)
    except Exception:  # noqa: BLE001 - delivery must never break the caller
        logger.exception("notification push bookkeeping failed")
    for notification in notifications:
        if notification.email_state == DeliveryState.PENDING:
            enqueue_email(notification.id)


def push(notifications: list[Notification], *, staff: bool) -> None:
    """Send to the users' groups (or once to the staff group) and record the result."""
    if staff:
        # The rows differ only in id: send the shared content once, with each staff
        # member's id, so the message stays small however many staff there are.
        shared = notification_payload(notifications[0])
        del shared["id"]
        ids = {str(n.user_id): n.id for n in notifications}
        messages = [
            (STAFF_GROUP, {"type": "notify.staff", "notification": shared, "ids": ids})
        ]
    else:
        messages = [
            (
                user_group(n.user_id),
                {"type": "notify", "notification": notification_payload(n)},
            )
            for n in notifications
        ]
    try:
        async_to_sync(_group_send_all)(messages)
        state = DeliveryState.SENT
    except Exception as exc:  # noqa: BLE001 - Redis down must not fail the event
        logger.warning(
            "websocket push failed for %d notification(s): %r", len(messages), exc
        )
        state = DeliveryState.FAILED
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        push_state=state,
        push_sent_at=timezone.now() if state == DeliveryState.SENT else None,
    )
    for n in notifications:
        n.push_state = state


async def _group_send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    async with asyncio.timeout(PUSH_TIMEOUT_SECONDS):
        for group, message in messages:
            await layer.group_send(group, message)
