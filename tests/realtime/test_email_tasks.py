"""The email task: claimed once, retried with backoff, dead-lettered, relayed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from realtime.models import DeliveryState, EmailDeadLetter, Notification
from realtime.tasks import (
    BACKOFF_CAP_SECONDS,
    CLAIM_TTL,
    EMAIL_MAX_ATTEMPTS,
    backoff_seconds,
    claim_email,
    notification_email_relay,
    notification_email_send,
)
from tests.factories import UserFactory

from .smtp import SmtpSink, free_port

pytestmark = pytest.mark.django_db


def pending(kind="order_placed", **fields) -> Notification:
    fields.setdefault("email_next_attempt_at", timezone.now())
    return Notification.objects.create(
        user=UserFactory(),
        kind=kind,
        title="Your order N-7",
        body="Thanks.",
        data={"order_number": "N-7"},
        **fields,
    )


@pytest.fixture
def smtp(settings):
    def use(port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5

    return use


def test_sends_once_even_when_the_task_runs_again():
    n = pending()
    assert notification_email_send.apply(args=[n.id]).get() == "sent"
    assert notification_email_send.apply(args=[n.id]).get() == "not-claimed"
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert n.email_state == DeliveryState.SENT and n.email_sent_at
    assert n.email_attempts == 1
    assert (
        mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{n.id}@localhost>"
    )


def test_only_one_claimant_wins():
    n = pending()
    assert claim_email(n.id, "task-a", redelivered=False)
    assert not claim_email(n.id, "task-b", redelivered=False)
    assert not claim_email(n.id, "task-b", redelivered=True)


def test_a_redelivery_of_the_same_message_takes_over_its_dead_claim():
    n = pending()
    assert claim_email(n.id, "task-a", redelivered=False)
    # The same message, delivered again without the redelivered flag, is not trusted.
    assert not claim_email(n.id, "task-a", redelivered=False)
    assert claim_email(n.id, "task-a", redelivered=True)


def test_a_stale_claim_is_taken_over_by_anyone():
    n = pending()
    assert claim_email(n.id, "task-a", redelivered=False)
    Notification.objects.filter(pk=n.pk).update(
        email_claimed_at=timezone.now() - CLAIM_TTL - timedelta(seconds=1)
    )
    assert claim_email(n.id, "task-b", redelivered=False)


def test_smtp_down_releases_the_claim_and_schedules_a_retry(smtp):
    smtp(free_port())  # nothing listens there: connection refused
    n = pending()
    assert notification_email_send.apply(args=[n.id]).get() == "retry-scheduled"
    n.refresh_from_db()
    assert n.email_state == DeliveryState.PENDING
    assert n.email_claimed_by == ""
    assert n.email_attempts == 1
    assert "ConnectionRefusedError" in n.email_last_error
    assert n.email_next_attempt_at > timezone.now()


def test_after_the_last_attempt_a_dead_letter_is_written(smtp):
    smtp(free_port())
    n = pending(email_attempts=EMAIL_MAX_ATTEMPTS - 1)
    assert notification_email_send.apply(args=[n.id]).get() == "dead-letter"
    n.refresh_from_db()
    assert n.email_state == DeliveryState.FAILED
    letter = EmailDeadLetter.objects.get(notification=n)
    assert letter.attempts == EMAIL_MAX_ATTEMPTS
    assert letter.recipient == n.user.email


def test_a_permanent_refusal_is_dead_lettered_at_once(smtp):
    with SmtpSink(refuse_rcpt=550) as sink:
        smtp(sink.port)
        n = pending()
        assert notification_email_send.apply(args=[n.id]).get() == "dead-letter"
    assert EmailDeadLetter.objects.get(notification=n).attempts == 1
    assert sink.messages == []


def test_mail_reaches_a_real_smtp_server_with_text_and_html(smtp):
    with SmtpSink() as sink:
        smtp(sink.port)
        n = pending(kind="payment_failed")
        notification_email_send.apply(args=[n.id]).get()
    (message,) = sink.messages
    assert message["To"] == n.user.email
    assert message["Subject"] == "Your order N-7"
    types = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in types and "text/html" in types


def test_every_mailed_kind_has_text_and_html_templates():
    from realtime.emails import build_message
    from realtime.models import EMAIL_KINDS

    for kind in EMAIL_KINDS:
        message = build_message(pending(kind=kind))
        assert "Thanks." in message.body
        assert message.alternatives[0].content.strip().startswith("<!doctype html>")


def test_relay_requeues_only_overdue_mail_and_stale_claims():
    overdue = pending(email_next_attempt_at=timezone.now() - timedelta(minutes=5))
    fresh = pending()
    stale = pending(
        email_state=DeliveryState.SENDING,
        email_claimed_by="dead-worker",
        email_claimed_at=timezone.now() - CLAIM_TTL - timedelta(seconds=5),
    )
    live = pending(
        email_state=DeliveryState.SENDING,
        email_claimed_by="live-worker",
        email_claimed_at=timezone.now(),
    )
    done = pending(email_state=DeliveryState.SENT)
    assert notification_email_relay.apply().get() == 2
    states = dict(
        Notification.objects.filter(
            pk__in=[overdue.pk, fresh.pk, stale.pk, live.pk, done.pk]
        ).values_list("pk", "email_state")
    )
    assert states == {
        overdue.pk: "sent",
        fresh.pk: "pending",
        stale.pk: "sent",
        live.pk: "sending",
        done.pk: "sent",
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [overdue.user.email, stale.user.email]
    )


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    for attempt in range(1, 12):
        ceiling = min(BACKOFF_CAP_SECONDS, 10 * 2 ** (attempt - 1))
        values = {backoff_seconds(attempt) for _ in range(20)}
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert len(values) > 1
