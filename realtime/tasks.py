"""Email tasks, their enqueueing and the outbox relay, run by Celery on RabbitMQ.

Idempotency: a task first claims the notification's email with a conditional UPDATE
(pending → sending); a task that cannot claim does nothing, so a redelivered or
duplicated task never sends a second mail. See docs/notifications.md for the crash
window between the SMTP reply and marking the row sent.
"""

import logging
import random
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .emails import build_message
from .models import DeliveryState, EmailDeadLetter, Notification

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 600
CLAIM_TTL = timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_TTL)
RELAY_AFTER_SECONDS = settings.NOTIFICATION_RELAY_AFTER_SECONDS
RELAY_BATCH = 500


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer (bad address, refused content) will not improve with retries."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base·2^n)]."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


def claim_email(notification_id: int, claimant: str, redelivered: bool) -> bool:
    """Take the right to send this email; True for exactly one claimant at a time.

    A claim is granted on a pending row, on a claim gone stale (its worker died), or
    on a claim held by an earlier delivery of this same task message, which the
    broker only redelivers once the worker that held it is gone.
    """
    now = timezone.now()
    takeover = Q(
        email_state=DeliveryState.SENDING, email_claimed_at__lt=now - CLAIM_TTL
    )
    if redelivered:
        takeover |= Q(email_state=DeliveryState.SENDING, email_claimed_by=claimant)
    return bool(
        Notification.objects.filter(pk=notification_id)
        .filter(Q(email_state=DeliveryState.PENDING) | takeover)
        .update(
            email_state=DeliveryState.SENDING,
            email_claimed_by=claimant[:64],
            email_claimed_at=now,
            email_attempts=F("email_attempts") + 1,
        )
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def notification_email_send(self, notification_id: int) -> str:
    """Send one notification's email, at most once per claim.

    Retries: SMTP and network errors release the claim and retry with exponential
    backoff and jitter, up to EMAIL_MAX_ATTEMPTS; then a dead letter is written.
    A worker killed mid-task leaves the message unacknowledged, so RabbitMQ
    redelivers it (acks_late, reject_on_worker_lost); a claim it left behind is taken
    over by that redelivery or, after CLAIM_TTL, by the relay.
    """
    claimant = self.request.id or f"inline-{notification_id}"
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    if not claim_email(notification_id, claimant, redelivered):
        return "not-claimed"
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        build_message(notification).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none lost
        return _after_failure(self, notification, exc)
    # Conditional on our claim: if a takeover happened meanwhile, we do not overwrite.
    Notification.objects.filter(
        pk=notification_id,
        email_state=DeliveryState.SENDING,
        email_claimed_by=claimant[:64],
    ).update(
        email_state=DeliveryState.SENT,
        email_sent_at=timezone.now(),
        email_last_error="",
    )
    return "sent"


def _after_failure(task, notification: Notification, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    attempts = notification.email_attempts
    if attempts >= EMAIL_MAX_ATTEMPTS or is_permanent(exc):
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(
                email_state=DeliveryState.FAILED, email_last_error=error
            )
            EmailDeadLetter.objects.update_or_create(
                notification=notification,
                defaults={
                    "recipient": notification.user.email,
                    "kind": notification.kind,
                    "attempts": attempts,
                    "error": error,
                },
            )
        logger.error(
            "email for notification %s dead-lettered: %s", notification.pk, error
        )
        return "dead-letter"
    delay = backoff_seconds(attempts)
    # Release the claim before retrying; next_attempt_at keeps the relay away while
    # the retry is scheduled.
    Notification.objects.filter(pk=notification.pk).update(
        email_state=DeliveryState.PENDING,
        email_claimed_by="",
        email_claimed_at=None,
        email_last_error=error,
        email_next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.warning(
        "email for notification %s failed (attempt %s), retry in %.0f s: %s",
        notification.pk,
        attempts,
        delay,
        error,
    )
    if task.request.is_eager:
        return "retry-scheduled"
    raise task.retry(countdown=delay, exc=exc)


def enqueue_email(notification_id: int) -> bool:
    """Queue the email task; False (and the row stays pending) if the broker refused."""
    try:
        # No publish retries: a down broker must not hold the request; the relay
        # re-queues whatever is still pending.
        notification_email_send.apply_async(args=[notification_id], retry=False)
        return True
    except Exception as exc:  # noqa: BLE001 - broker down must not fail the event
        logger.warning(
            "email enqueue failed for notification %s: %r", notification_id, exc
        )
        return False


@shared_task(acks_late=True)
def notification_email_relay(older_than_seconds: float | None = None) -> int:
    """Re-queue emails still undelivered: pending past their time, or stale claims.

    Idempotent (the send task claims before sending), so running it twice or
    alongside a live task is harmless. Runs from Celery beat; a failed publish is
    left for the next run.
    """
    delay = RELAY_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    due = Notification.objects.filter(
        Q(
            email_state=DeliveryState.PENDING,
            email_next_attempt_at__lte=now - timedelta(seconds=delay),
        )
        | Q(email_state=DeliveryState.SENDING, email_claimed_at__lt=now - CLAIM_TTL)
    ).order_by("pk")
    ids = list(due.values_list("pk", flat=True)[:RELAY_BATCH])
    queued = [pk for pk in ids if enqueue_email(pk)]
    # Not again before another delay, so a stopped worker does not pile up copies.
    Notification.objects.filter(
        pk__in=queued, email_state=DeliveryState.PENDING
    ).update(email_next_attempt_at=now)
    if ids:
        logger.info("email relay re-queued %d of %d undelivered", len(queued), len(ids))
    return len(queued)
