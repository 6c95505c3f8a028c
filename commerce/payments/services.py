"""The payment state machine: the one way a payment's status (and through it the
order's) changes, whether a client pays, a webhook arrives or a task reconciles.

Lock order, everywhere: an inbox event, then a payment, then a refund, then the
order (through `order_transition`'s conditional UPDATE). Starting a payment locks
only the order. Provider calls never run while a payment row is locked.
"""

import logging

from django.db import transaction
from django.http import Http404

from commerce.orders.errors import InvalidTransition
from commerce.orders.models import OrderStatus
from commerce.orders.services import order_transition

from .errors import (
    PaymentDeclined,
    ProviderError,
    ProviderNotConfigured,
    ProviderUnavailable,
)
from .locks import lock_order, lock_payment
from .models import Payment, PaymentStatus
from .notify import alert_staff, notify_payment_failed, notify_payment_succeeded
from .providers import ProviderPayment, get_provider

logger = logging.getLogger(__name__)

S = PaymentStatus
# Where each status may go. Forward only; `failed` and `canceled` may still become
# `succeeded` because money the provider captured is the truth (a second attempt
# on the same Stripe intent, a capture that beat our cancel), and staff are told.
NEXT = {
    S.REQUIRES_ACTION: {S.SUCCEEDED, S.FAILED, S.CANCELED},
    S.FAILED: {S.SUCCEEDED, S.CANCELED},
    S.CANCELED: {S.SUCCEEDED},
    S.SUCCEEDED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.PARTIALLY_REFUNDED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.REFUNDED: set(),
}


def payment_start(
    *, user, order_id: int, provider: str, options: dict
) -> tuple[Payment, bool]:
    """Open a payment for the caller's pending order, or return the open one.

    Returns (payment, created). A repeat while a payment of this provider is open
    asks the provider where it stands instead of opening a second one. Locks: the
    Order row while the payment row is written (two racing calls queue there).
    Raises Http404 (not the caller's order), InvalidTransition (order not
    pending), ProviderNotConfigured, PaymentDeclined (the payment is recorded
    failed first) and ProviderUnavailable (the payment stays open with its key).
    """
    gateway = get_provider(provider)
    with transaction.atomic():
        order = lock_order(order_id=order_id)
        if order is None or order.user_id != user.pk:
            raise Http404("No such order.")
        if order.status != OrderStatus.PENDING:
            raise InvalidTransition(
                order_id=order.pk, current=order.status, requested=OrderStatus.PAID
            )
        if not gateway.is_configured():
            raise ProviderNotConfigured()
        others = list(
            Payment.objects.filter(order=order, status=S.REQUIRES_ACTION)
            .exclude(provider=provider)
            .values_list("pk", flat=True)
        )
        payment = Payment.objects.filter(
            order=order, provider=provider, status=S.REQUIRES_ACTION
        ).first()
        created = payment is None
        if created:
            payment = Payment.objects.create(
                order=order,
                provider=provider,
                amount=order.total,
                currency=order.currency,
            )
            # Derived from our own id and committed before the provider hears of
            # it: a retry after any failure asks for this same object.
            payment.idempotency_key = f"nexus-payment-{payment.pk}"
            payment.save(update_fields=["idempotency_key"])
    if created:
        # The shopper switched provider: the other open payment must not also
        # take the money. Best effort; reconciliation retries a failed cancel.
        for other in others:
            try:
                payment_cancel(payment_id=other)
            except (ProviderUnavailable, ProviderError) as exc:
                logger.warning("payment %s: cancel failed: %r", other, exc)
        try:
            state = gateway.create_payment(payment=payment, options=options)
        except ProviderError as exc:
            # The provider refused to make it at all (its validation, our keys):
            # for the shopper a declined payment; the reason is kept for staff.
            logger.error("payment %s: provider refused: %s", payment.pk, exc)
            state = ProviderPayment(
                reference="",
                status=S.FAILED,
                failure_code="card_declined",
                failure_message="The payment provider refused this payment.",
            )
        payment = payment_apply_state(payment_id=payment.pk, state=state)
    else:
        payment = _refresh(gateway, payment, options)
    if payment.status == S.FAILED and payment.failure_code == "card_declined":
        raise PaymentDeclined(payment.failure_message or None, payment_id=payment.pk)
    return payment, created


def payment_sync(*, payment_id: int) -> Payment:
    """Ask the provider where a payment stands and apply it (a client confirm,
    reconciliation). A payment whose create call never answered is created again
    with its idempotency key, which finds the first object. Takes no lock while
    the provider is asked; then as `payment_apply_state`."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    return _refresh(get_provider(payment.provider), payment, {})


def _refresh(gateway, payment: Payment, options: dict) -> Payment:
    try:
        return _ask_provider(gateway, payment, options)
    except ProviderError as exc:
        # Not the caller's fault, and nothing changed here: like an outage.
        logger.error("payment %s: provider error: %s", payment.pk, exc)
        raise ProviderUnavailable() from exc


def _ask_provider(gateway, payment: Payment, options: dict) -> Payment:
    if not payment.provider_reference:
        # A provider answers a repeated key with its first answer, which may be
        # old news: it gives us the object's id, then we ask where it stands.
        state = gateway.create_payment(payment=payment, options=options)
        payment = payment_apply_state(payment_id=payment.pk, state=state)
        if not payment.provider_reference or payment.provider == "dummy":
            return payment
    state = gateway.retrieve_payment(payment=payment)
    return payment_apply_state(payment_id=payment.pk, state=state)


def payment_cancel(*, payment_id: int) -> Payment:
    """Cancel an open payment at the provider, then here. Locks: as
    `payment_apply_state`, after the provider answered."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if payment.status not in (S.REQUIRES_ACTION, S.FAILED):
        return payment
    gateway = get_provider(payment.provider)
    if payment.provider_reference:
        state = gateway.cancel_payment(payment=payment)
    else:
        state = ProviderPayment(reference="", status=S.CANCELED)
    if state.status == S.REQUIRES_ACTION:  # the provider would not cancel it
        return payment
    return payment_apply_state(payment_id=payment_id, state=state)


def payment_apply_state(*, payment_id: int, state: ProviderPayment) -> Payment:
    """Record what the provider says about a payment; the state machine itself.

    Locks: the Payment row; then, on success, the Order through
    `order_transition`, which moves a pending order to `paid` exactly once
    however many webhooks and confirms race. An amount or currency that does not
    match the order marks the payment failed (`amount_mismatch`), leaves the
    order unpaid and alerts staff, once.
    """
    with transaction.atomic():
        payment = lock_payment(payment_id=payment_id)
        _remember_references(payment, state)
        target = state.status
        if target not in NEXT[payment.status]:
            payment.save()
            return payment
        if target == S.SUCCEEDED and _amount_differs(payment, state):
            _mismatch(payment, state)
        elif target == S.SUCCEEDED:
            _succeed(payment)
        elif target == S.FAILED:
            payment.status = S.FAILED
            payment.failure_code = state.failure_code[:64] or "failed"
            payment.failure_message = state.failure_message[:255]
            payment.save()
            notify_payment_failed(payment)
        elif target == S.CANCELED:
            payment.status = S.CANCELED
            payment.save()
    return payment


def _remember_references(payment: Payment, state: ProviderPayment) -> None:
    if state.reference and not payment.provider_reference:
        payment.provider_reference = state.reference[:255]
    if state.capture_reference:
        payment.capture_reference = state.capture_reference[:255]
    if state.client_secret and not payment.client_secret:
        payment.client_secret = state.client_secret[:255]
    if state.approval_url and not payment.approval_url:
        payment.approval_url = state.approval_url[:1000]


def _amount_differs(payment: Payment, state: ProviderPayment) -> bool:
    order = payment.order
    if state.amount is None or state.currency is None:
        return False
    return (
        state.amount != payment.amount
        or state.amount != order.total
        or state.currency.upper() != payment.currency.upper()
        or state.currency.upper() != order.currency.upper()
    )


def _mismatch(payment: Payment, state: ProviderPayment) -> None:
    if payment.failure_code == "amount_mismatch":
        return
    was = payment.status
    payment.status = S.FAILED
    payment.failure_code = "amount_mismatch"
    payment.failure_message = (
        f"Provider reported {state.amount} {state.currency}; the order is "
        f"{payment.order.total} {payment.order.currency}."
    )[:255]
    payment.save()
    logger.error("payment %s: %s", payment.pk, payment.failure_message)
    alert_staff(
        payment,
        title=f"Payment amount mismatch on order {payment.order.number}",
        body=f"{payment.failure_message} The order was not marked paid "
        f"(payment was {was}).",
        problem="amount_mismatch",
    )


def _succeed(payment: Payment) -> None:
    was = payment.status
    payment.status = S.SUCCEEDED
    payment.failure_code = payment.failure_message = ""
    payment.save()
    order = payment.order
    try:
        with transaction.atomic():
            order_transition(
                order_id=order.pk,
                to_status=OrderStatus.PAID,
                actor=None,
                note=f"Paid via {payment.provider} {payment.provider_reference}",
            )
    except InvalidTransition as exc:
        # Expired, cancelled or paid by another payment meanwhile: the money is
        # real, so a person decides (usually a refund).
        alert_staff(
            payment,
            title=f"Payment received for order {order.number}, which is "
            f"{exc.extra['status']}",
            body=f"Payment {payment.pk} ({payment.provider}) succeeded "
            f"(it was {was}) but order {order.number} is {exc.extra['status']}; "
            "refund it or reopen the order.",
            problem="order_not_pending",
        )
        return
    notify_payment_succeeded(payment)
