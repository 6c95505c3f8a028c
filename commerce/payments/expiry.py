"""Unpaid orders expire: after ORDER_PAYMENT_TTL a pending order is cancelled, its
stock restored and its open payment cancelled at the provider, each once."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commerce.orders.models import Order, OrderStatus
from commerce.orders.services import order_transition

from .errors import ProviderError, ProviderUnavailable
from .locks import lock_order
from .models import Payment, PaymentStatus
from .services import payment_cancel, payment_sync

logger = logging.getLogger(__name__)
BATCH = 200


def orders_expire_unpaid(*, now=None) -> int:
    """Expire every pending order placed more than ORDER_PAYMENT_TTL ago; returns
    how many this run cancelled (an overlapping run's are not counted twice)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ORDER_PAYMENT_TTL)
    due = Order.objects.filter(status=OrderStatus.PENDING, created_at__lt=cutoff)
    expired = 0
    for order_id in due.order_by("pk").values_list("pk", flat=True)[:BATCH]:
        if order_expire(order_id=order_id, cutoff=cutoff):
            expired += 1
    return expired


def order_expire(*, order_id: int, cutoff) -> bool:
    """Cancel one unpaid order if it is still pending and past `cutoff`.

    A payment still open is asked about first: money that arrived in the last
    minute wins over the clock. Locks: the Order row (two runs queue, the second
    finds it cancelled), then its stock rows through `order_transition`; the open
    payments are cancelled at the provider after commit, outside any lock.
    """
    open_payments = Payment.objects.filter(
        order_id=order_id, status=PaymentStatus.REQUIRES_ACTION
    )
    # The dummy provider has no one to ask: asking it again would pay.
    for payment_id in open_payments.exclude(provider="dummy").values_list(
        "pk", flat=True
    ):
        _quietly(payment_sync, payment_id)
    open_payments = list(open_payments.values_list("pk", flat=True))
    with transaction.atomic():
        order = lock_order(order_id=order_id)
        if order is None or order.status != OrderStatus.PENDING:
            return False
        if order.created_at >= cutoff:
            return False
        order_transition(
            order_id=order_id,
            to_status=OrderStatus.CANCELLED,
            actor=None,
            note="Not paid in time",
        )
    for payment_id in open_payments:
        _quietly(payment_cancel, payment_id)
    return True


def _quietly(service, payment_id: int) -> None:
    """Provider trouble must not stop expiry; reconciliation tries again later."""
    try:
        service(payment_id=payment_id)
    except (ProviderUnavailable, ProviderError) as exc:
        logger.warning("payment %s: %s failed: %r", payment_id, service.__name__, exc)
