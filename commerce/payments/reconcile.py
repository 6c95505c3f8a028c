"""Reconciliation: webhooks get lost, so what stayed pending is asked about."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from commerce.orders.models import OrderStatus

from .errors import ProviderError, ProviderNotConfigured, ProviderUnavailable
from .inbox import event_apply
from .models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus
from .refunds import refund_send
from .services import payment_cancel, payment_sync

logger = logging.getLogger(__name__)
BATCH = 200
# An inbox event failing this many times waits for staff to replay it.
EVENT_MAX_ATTEMPTS = 5
PROVIDER_TROUBLE = (ProviderUnavailable, ProviderError, ProviderNotConfigured)


def payments_reconcile(*, now=None) -> dict:
    """One pass: open payments older than PAYMENT_RECONCILE_AFTER are synced (or
    cancelled, if their order is no longer pending), pending refunds are sent again
    with their own keys, and inbox events left unapplied are applied."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PAYMENT_RECONCILE_AFTER)
    counts = {"payments": 0, "refunds": 0, "events": 0}
    open_payments = Payment.objects.filter(
        status=PaymentStatus.REQUIRES_ACTION, updated_at__lt=stale
    )
    for payment_id, provider, order_status in open_payments.order_by("pk").values_list(
        "pk", "provider", "order__status"
    )[:BATCH]:
        service = payment_sync
        if order_status != OrderStatus.PENDING:
            service = payment_cancel
        elif provider == "dummy":
            continue  # nobody to ask; asking the dummy again would pay
        if _attempt(service, payment_id=payment_id):
            counts["payments"] += 1
    pending_refunds = Refund.objects.filter(
        status=RefundStatus.PENDING, updated_at__lt=now - timedelta(seconds=60)
    )
    for refund_id in pending_refunds.order_by("pk").values_list("pk", flat=True)[
        :BATCH
    ]:
        if _attempt(refund_send, refund_id=refund_id):
            counts["refunds"] += 1
    waiting = PaymentEvent.objects.filter(
        applied_at__isnull=True,
        attempts__lt=EVENT_MAX_ATTEMPTS,
        received_at__lt=now - timedelta(seconds=60),
    )
    for event_pk in waiting.order_by("pk").values_list("pk", flat=True)[:BATCH]:
        event_apply(event_pk=event_pk)
        counts["events"] += 1
    return counts


def _attempt(service, **ids) -> bool:
    try:
        service(**ids)
    except PROVIDER_TROUBLE as exc:
        logger.warning("reconcile %s %s: %r", service.__name__, ids, exc)
        return False
    return True
