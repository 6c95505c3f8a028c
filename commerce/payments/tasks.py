"""Payment tasks: apply inbox events, expire unpaid orders, reconcile with providers.

Each takes ids (or nothing), is idempotent, and retries by being run again: the
beat schedule runs expiry and reconciliation every minute or two, and
reconciliation also applies inbox events whose task never ran.
"""

import logging

from celery import shared_task

from .expiry import orders_expire_unpaid
from .inbox import event_apply
from .reconcile import payments_reconcile

logger = logging.getLogger(__name__)


@shared_task(name="payments.apply_event", ignore_result=True)
def apply_payment_event(event_pk: int) -> str:
    """Apply one inbox event. A duplicate or redelivered task finds it applied
    (under the event's row lock) and does nothing; a failure is kept on the event
    and retried by reconciliation, or replayed by staff."""
    event = event_apply(event_pk=event_pk)
    return event.state if event else "missing"


@shared_task(name="payments.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders() -> int:
    """Cancel pending orders older than ORDER_PAYMENT_TTL. Overlapping runs are
    safe: each order is cancelled, and its stock restored, once."""
    return orders_expire_unpaid()


@shared_task(name="payments.reconcile_open_payments", ignore_result=True)
def reconcile_open_payments() -> dict:
    """Ask providers about payments and refunds left pending, and apply inbox
    events still waiting. Safe to overlap (every step is idempotent)."""
    return payments_reconcile()
