"""The password reset email: a Celery task, and its enqueueing after commit.

The reset mail is not a Notification (nothing to show in the app, nothing to keep), so
it has no outbox row: a message lost with a dead broker is recovered by asking again.
A redelivered task (acks_late) may send a second mail; its link is as valid as the
first, and whichever is used first kills both.
"""

import logging
import random
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import User
from .tokens import password_reset_link

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 600


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter, in [ceiling/2, ceiling]."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer (bad address, refused content) will not improve with retries."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def build_password_reset_message(user: User) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "link": password_reset_link(user),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Nexus Shop"),
    }
    message = EmailMultiAlternatives(
        subject=f"Reset your {context['site_name']} password",
        body=render_to_string("accounts/email/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/password_reset.html", context), "text/html"
    )
    return message


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES
)
def password_reset_email_send(self, user_id: int) -> str:
    """Mail a fresh reset link; SMTP and network errors retry with backoff."""
    # The token is made here, not in the request, so it never sits in the broker.
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return "skipped"
    try:
        build_password_reset_message(user).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - every failure is logged or retried
        attempt = self.request.retries + 1
        # Inline (eager) tasks must not retry: Celery would re-run them at once.
        if self.request.is_eager or attempt > MAX_RETRIES or is_permanent(exc):
            logger.error("password reset mail for user %s failed: %r", user_id, exc)
            return "failed"
        delay = backoff_seconds(attempt)
        logger.warning(
            "password reset mail for user %s failed (attempt %s), retry in %.0f s: %r",
            user_id,
            attempt,
            delay,
            exc,
        )
        raise self.retry(countdown=delay, exc=exc) from exc
    return "sent"


def enqueue_password_reset_email(user_id: int) -> None:
    """Queue the mail; a refused publish is logged, never raised.

    Raising would turn the reset request into a 500 for existing accounts only, which
    tells a caller the address is registered. No publish retries, so a down broker
    does not hold the request either.
    """
    try:
        password_reset_email_send.apply_async(args=[user_id], retry=False)
    except Exception as exc:  # noqa: BLE001 - broker down must not fail the request
        logger.warning("password reset mail for user %s not queued: %r", user_id, exc)
