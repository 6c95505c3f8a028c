"""After-commit delivery of new notifications: websocket push and email enqueue.

Nothing here may raise into the caller: a failed push is logged (clients catch up over
REST with ?unread=true) and a failed enqueue leaves the email pending for the relay.

With a broker (`NOTIFICATION_DELIVERY_IN_BACKGROUND`, on wherever tasks are not run
inline) the work leaves the request: a thread of the process pushes and enqueues
while the response is already on its way. The rows were committed first, so a
process that dies with work queued loses only live pushes (clients catch up over
REST); its emails are still pending and the relay sends them.
"""

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from nexus.db import update_one

from .groups import STAFF_GROUP, notification_payload, user_group
from .models import DeliveryState, Notification
from .tasks import enqueue_email

logger = logging.getLogger(__name__)

# A push is live-only; waiting longer than this for Redis would only stall the request.
PUSH_TIMEOUT_SECONDS = 2.0


# Deliveries waiting for the background thread; past this many (Redis hanging, say)
# new ones skip their push and leave their emails to the relay rather than pile up.
BACKLOG_LIMIT = 1000

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_backlog = threading.BoundedSemaphore(BACKLOG_LIMIT)
# The delivery thread's own event loop, kept for the life of the thread.
_thread_state = threading.local()


def deliver_after_commit(notifications: list[Notification], *, staff: bool) -> None:
    transaction.on_commit(partial(_hand_off, notifications, staff))


def _hand_off(notifications: list[Notification], staff: bool) -> None:
    if not settings.NOTIFICATION_DELIVERY_IN_BACKGROUND:
        _deliver(notifications, staff)
        return
    if not _backlog.acquire(blocking=False):
        logger.warning(
            "notification delivery backlog full: %d notification(s) left to the "
            "email relay, without a live push",
            len(notifications),
        )
        return
    try:
        _background().submit(_deliver_in_background, notifications, staff)
    except RuntimeError:  # the interpreter is shutting down: deliver here
        _backlog.release()
        _deliver(notifications, staff)


def _background() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="notification-delivery"
            )
        return _executor


def _deliver_in_background(notifications: list[Notification], staff: bool) -> None:
    try:
        _deliver(notifications, staff, send=_send_on_thread_loop)
    finally:
        _backlog.release()
        # No request ends in this thread to hand its connection back to the pool.
        connection.close()


def wait_for_background_deliveries(timeout: float = 10.0) -> bool:
    """Block until every delivery handed off so far is done (tests, shutdown)."""
    if _executor is None:
        return True
    return _executor.submit(lambda: None).exception(timeout=timeout) is None


def _send_with_async_to_sync(messages: list[tuple[str, dict]]) -> None:
    async_to_sync(_group_send_all)(messages)


def _send_on_thread_loop(messages: list[tuple[str, dict]]) -> None:
    """Send on this thread's own event loop, made on first use.

    `async_to_sync` in a thread without a loop makes a new loop, and a thread to
    run it, for every call, and the channel layer keeps its Redis connections per
    loop: each push paid for all three (about 3 ms of CPU a checkout). The delivery
    thread keeps one loop for its life, so the layer's connections are reused.
    """
    loop = getattr(_thread_state, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_state.loop = asyncio.new_event_loop()
    loop.run_until_complete(_group_send_all(messages))


def _deliver(
    notifications: list[Notification],
    staff: bool,
    send: Callable[[list[tuple[str, dict]]], None] = _send_with_async_to_sync,
) -> None:
    try:
        push(notifications, staff=staff, send=send)
    except Exception:  # noqa: BLE001 - delivery must never break the caller
        logger.exception("notification push bookkeeping failed")
    for notification in notifications:
        if notification.email_state == DeliveryState.PENDING:
            enqueue_email(notification.id)


def push(
    notifications: list[Notification],
    *,
    staff: bool,
    send: Callable[[list[tuple[str, dict]]], None] = _send_with_async_to_sync,
) -> None:
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
        send(messages)
        state = DeliveryState.SENT
    except Exception as exc:  # noqa: BLE001 - Redis down must not fail the event
        logger.warning(
            "websocket push failed for %d notification(s): %r", len(messages), exc
        )
        state = DeliveryState.FAILED
    sent_at = timezone.now() if state == DeliveryState.SENT else None
    if len(notifications) == 1:  # a customer's: an UPDATE built once per process
        update_one(
            Notification, notifications[0].pk, push_state=state, push_sent_at=sent_at
        )
    else:
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            push_state=state, push_sent_at=sent_at
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
