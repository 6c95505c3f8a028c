"""Refunds: a ledger that never gives back more than was captured.

A refund is reserved under the payment's row lock (its amount added to
`amount_refunded`, which a CHECK keeps within the payment's amount) and committed
with its idempotency key before the provider is called; the provider's answer is
recorded under the lock again. A refused request sends nothing to the provider.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import (
    stock_apply_many_locked,
    stock_records_ensure_and_lock,
)
from commerce.orders.errors import InvalidTransition
from commerce.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from commerce.orders.services import order_transition

from .errors import ProviderError, ProviderUnavailable, RefundRefused
from .locks import lock_payment, lock_refund
from .models import CAPTURED_STATUSES, Payment, PaymentStatus, Refund, RefundStatus
from .notify import alert_staff, notify_refund_issued
from .providers import ProviderRefund, get_provider

logger = logging.getLogger(__name__)


def refund_request(
    *, order_id: int, amount: Decimal | None, actor, reason: str = ""
) -> Refund:
    """Refund `amount` (default: all that remains) of an order's captured payment.

    Locks: the Payment row while the refund is reserved; none during the provider
    call; then as `refund_record_result`. Raises RefundRefused (400: nothing
    captured, amount ≤ 0 or above what remains; nothing is sent to the provider)
    and Order.DoesNotExist. A provider that does not answer leaves the refund
    `pending`; reconciliation sends it again with the same key.
    """
    if not Order.objects.filter(pk=order_id).exists():
        raise Order.DoesNotExist
    if amount is not None and amount <= 0:
        raise RefundRefused("A refund must be more than 0.")
    with transaction.atomic():
        candidate = (
            Payment.objects.filter(order_id=order_id, status__in=CAPTURED_STATUSES)
            .order_by("pk")
            .first()
        )
        if candidate is None:
            raise RefundRefused("This order has no captured payment to refund.")
        payment = lock_payment(payment_id=candidate.pk)
        remaining = payment.amount - payment.amount_refunded
        amount = remaining if amount is None else amount
        if remaining <= 0:
            raise RefundRefused("This payment is already refunded in full.")
        if amount > remaining:
            raise RefundRefused(
                f"Only {remaining:.2f} {payment.currency} can still be refunded.",
                remaining=f"{remaining:.2f}",
            )
        refund = Refund.objects.create(
            payment=payment, amount=amount, requested_by=actor, reason=reason[:255]
        )
        refund.idempotency_key = f"nexus-refund-{refund.pk}"
        refund.save(update_fields=["idempotency_key"])
        payment.amount_refunded += amount
        payment.save(update_fields=["amount_refunded", "updated_at"])
    return refund_send(refund_id=refund.pk)


def refund_send(*, refund_id: int) -> Refund:
    """Send a pending refund to its provider with its own idempotency key, and
    record the answer. Safe to repeat: the provider answers a repeated key with the
    refund it made the first time. Locks: none during the call."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    gateway = get_provider(refund.payment.provider)
    try:
        result = gateway.refund(payment=refund.payment, refund=refund)
    except ProviderUnavailable:
        # Left pending with its key; the reconciliation task sends it again.
        logger.warning("refund %s: provider not answering; left pending", refund_id)
        return refund
    except ProviderError as exc:
        result = ProviderRefund(
            reference="", status=RefundStatus.FAILED, failure_message=str(exc)[:255]
        )
    return refund_record_result(refund_id=refund_id, result=result)


def refund_record_result(*, refund_id: int, result: ProviderRefund) -> Refund:
    """Record a provider's answer about one of our refunds, once.

    Locks: the Payment row, then the Refund row; on a refund of everything the
    Order (as `order_transition`) and, for an order not shipped, its stock rows.
    """
    with transaction.atomic():
        refund = Refund.objects.get(pk=refund_id)
        payment = lock_payment(payment_id=refund.payment_id)
        refund = lock_refund(refund_id=refund_id)
        if result.reference and not refund.provider_reference:
            refund.provider_reference = result.reference[:255]
        if refund.status != RefundStatus.PENDING or result.status == refund.status:
            refund.save()
            return refund
        refund.status = result.status
        if result.status == RefundStatus.FAILED:
            refund.failure_message = result.failure_message[:255]
            refund.save()
            payment.amount_refunded -= refund.amount  # the reservation is released
            payment.save(update_fields=["amount_refunded", "updated_at"])
            return refund
        refund.save()
        refund.payment = payment
        _after_refund(payment, refund)
    return refund


def refund_record_external(
    *, payment_id: int, reference: str, amount: Decimal, reason: str
) -> Refund | None:
    """Record a refund made at the provider, outside this API (a dashboard).

    Once per provider reference. Locks: as `refund_record_result`.
    """
    with transaction.atomic():
        payment = lock_payment(payment_id=payment_id)
        if payment.refunds.filter(provider_reference=reference).exists():
            return None
        remaining = payment.amount - payment.amount_refunded
        if payment.status not in CAPTURED_STATUSES or amount > remaining:
            alert_staff(
                payment,
                title=f"Unexpected refund on order {payment.order.number}",
                body=f"The provider reports a refund of {amount} {payment.currency} "
                f"({reference}); only {remaining} remained refundable here.",
                problem="refund_exceeds_ledger",
            )
            amount = min(amount, remaining)
            if amount <= 0 or payment.status not in CAPTURED_STATUSES:
                return None
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            status=RefundStatus.SUCCEEDED,
            provider_reference=reference[:255],
            reason=reason[:255],
        )
        payment.amount_refunded += amount
        payment.save(update_fields=["amount_refunded", "updated_at"])
        _after_refund(payment, refund)
    return refund


def _after_refund(payment: Payment, refund: Refund) -> None:
    """A refund succeeded: the payment's status, the customer's notice and, once
    everything is refunded, the order's move to `refunded` (with its stock back if
    it never shipped)."""
    refunded = payment.refunds.filter(status=RefundStatus.SUCCEEDED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    payment.status = (
        PaymentStatus.REFUNDED
        if refunded >= payment.amount
        else PaymentStatus.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["status", "updated_at"])
    notify_refund_issued(refund)
    if payment.status == PaymentStatus.REFUNDED:
        _order_refunded(payment)


def _order_refunded(payment: Payment) -> None:
    order = payment.order
    try:
        with transaction.atomic():
            order_transition(
                order_id=order.pk,
                to_status=OrderStatus.REFUNDED,
                actor=None,
                note=f"Refunded in full via {payment.provider}",
            )
            # Ours: the order's row stays locked by that UPDATE until we commit.
            moved = OrderEvent.objects.filter(order=order).latest("id")
            if moved.from_status == OrderStatus.PAID:
                _restock(order)
    except InvalidTransition:
        logger.info("order %s refunded in full while %s", order.pk, order.status)


def _restock(order: Order) -> None:
    """Units of an order refunded before it shipped go back on sale, once (under
    the order's winning move to `refunded`)."""
    lines = list(OrderLine.objects.filter(order=order).order_by("product_id"))
    records = stock_records_ensure_and_lock(
        product_ids=[line.product_id for line in lines]
    )
    stock_apply_many_locked(
        deltas=[(records[line.product_id], line.quantity) for line in lines],
        reason=StockAdjustment.Reason.CANCELLATION,
        note=f"{order.number} refunded before shipping",
    )
