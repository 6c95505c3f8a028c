"""The webhook inbox: store each verified event once, apply it once, later.

The webhook view only inserts the event (the unique (provider, event_id) index
decides, also between concurrent deliveries) and answers; a task applies it under
the event's row lock, so a duplicate task finds it applied and does nothing.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .locks import lock_event
from .models import (
    CAPTURED_STATUSES,
    Payment,
    PaymentEvent,
    PaymentStatus,
    RefundStatus,
)
from .providers import ProviderPayment, ProviderRefund
from .providers.base import from_minor_units
from .providers.stripe import intent_to_payment
from .refunds import refund_record_external, refund_record_result
from .services import payment_apply_state, payment_sync

logger = logging.getLogger(__name__)


def event_receive(
    *, provider: str, event_id: str, type: str, payload: dict
) -> tuple[PaymentEvent, bool]:
    """Insert a verified event into the inbox; (event, True) the first time only.

    Committed when it returns; the caller then queues `apply_payment_event` (an
    event whose task never got queued is applied by reconciliation). Takes no lock
    beyond the unique index, on which a concurrent delivery of the same event
    waits, then finds it stored.
    """
    with transaction.atomic():
        return PaymentEvent.objects.get_or_create(
            provider=provider,
            event_id=event_id[:255],
            defaults={"type": type[:100], "payload": payload},
        )


def event_apply(*, event_pk: int) -> PaymentEvent:
    """Apply one inbox event, once. Locks: the PaymentEvent row, then as the
    services it calls. A failure is recorded on the event (staff may replay it)."""
    with transaction.atomic():
        event = lock_event(event_pk=event_pk)
        if event is None or event.applied_at:
            return event
        event.attempts += 1
        try:
            with transaction.atomic():
                outcome = HANDLERS[event.provider](event)
        except Exception as exc:  # noqa: BLE001 - kept on the event for a replay
            logger.exception("payment event %s failed", event.pk)
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.save(update_fields=["attempts", "error"])
            return event
        event.applied_at = timezone.now()
        event.error = ""
        event.outcome = outcome[:255]
        event.save(update_fields=["attempts", "error", "applied_at", "outcome"])
    return event


def _stripe_payment(intent: dict) -> Payment | None:
    """Our payment of a PaymentIntent: by its id, or by the ids in its metadata
    when our create call never heard the answer."""
    payment = (
        Payment.objects.filter(provider="stripe", provider_reference=intent["id"])
        .select_related("order")
        .first()
    )
    if payment is not None:
        return payment
    metadata = intent.get("metadata") or {}
    return (
        Payment.objects.filter(
            provider="stripe",
            pk=_int(metadata.get("payment_id")),
            order_id=_int(metadata.get("order_id")),
            provider_reference="",
        )
        .select_related("order")
        .first()
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


STRIPE_INTENT_TARGET = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELED,
}


def apply_stripe(event: PaymentEvent) -> str:
    obj = event.payload.get("data", {}).get("object", {})
    if event.type in STRIPE_INTENT_TARGET:
        payment = _stripe_payment(obj)
        if payment is None:
            return f"ignored: no payment for intent {obj.get('id')}"
        state = intent_to_payment(obj)
        state.status = STRIPE_INTENT_TARGET[event.type]
        if state.status == PaymentStatus.FAILED and not state.failure_code:
            state.failure_code = "payment_failed"
        payment = payment_apply_state(payment_id=payment.pk, state=state)
        return f"payment {payment.pk} {payment.status}"
    if event.type == "charge.refunded":
        return _stripe_charge_refunded(obj)
    return f"ignored: {event.type}"


def _stripe_charge_refunded(charge: dict) -> str:
    payment = (
        Payment.objects.filter(
            provider="stripe", provider_reference=charge.get("payment_intent") or "-"
        )
        .select_related("order")
        .first()
    )
    if payment is None:
        return f"ignored: no payment for charge {charge.get('id')}"
    currency = str(charge["currency"]).upper()
    if payment.status not in CAPTURED_STATUSES:
        # Arrived before payment_intent.succeeded: a refunded charge was captured.
        captured = ProviderPayment(
            reference=payment.provider_reference,
            status=PaymentStatus.SUCCEEDED,
            amount=from_minor_units(int(charge["amount"]), currency),
            currency=currency,
        )
        payment = payment_apply_state(payment_id=payment.pk, state=captured)
        if payment.status not in CAPTURED_STATUSES:
            return f"ignored: payment {payment.pk} is {payment.status}"
    refunds = (charge.get("refunds") or {}).get("data")
    recorded = 0
    if refunds:
        for refund in refunds:
            ours = _int((refund.get("metadata") or {}).get("refund_id"))
            status = {"succeeded": RefundStatus.SUCCEEDED, "failed": "failed"}.get(
                refund.get("status"), RefundStatus.PENDING
            )
            if ours and payment.refunds.filter(pk=ours).exists():
                refund_record_result(
                    refund_id=ours,
                    result=ProviderRefund(reference=refund["id"], status=status),
                )
            elif status == RefundStatus.SUCCEEDED and refund_record_external(
                payment_id=payment.pk,
                reference=refund["id"],
                amount=from_minor_units(int(refund["amount"]), currency),
                reason="Refunded at Stripe",
            ):
                recorded += 1
    else:
        # No list in the event (newer API versions): what Stripe refunded beyond
        # our ledger was refunded elsewhere; the cumulative figure names it once.
        total = from_minor_units(int(charge.get("amount_refunded", 0)), currency)
        payment.refresh_from_db()
        beyond = total - payment.amount_refunded
        if beyond > Decimal("0") and refund_record_external(
            payment_id=payment.pk,
            reference=f"{charge['id']}:{int(charge.get('amount_refunded', 0))}",
            amount=beyond,
            reason="Refunded at Stripe",
        ):
            recorded += 1
    return f"payment {payment.pk}: {recorded} outside refund(s) recorded"


def apply_paypal(event: PaymentEvent) -> str:
    resource = event.payload.get("resource", {}) or {}
    if event.type == "CHECKOUT.ORDER.APPROVED":
        payment = Payment.objects.filter(
            provider="paypal", provider_reference=resource.get("id") or "-"
        ).first()
        if payment is None:
            return f"ignored: no payment for order {resource.get('id')}"
        # Captures the approved order (with its own PayPal-Request-Id).
        payment = payment_sync(payment_id=payment.pk)
        return f"payment {payment.pk} {payment.status}"
    if event.type.startswith("PAYMENT.CAPTURE."):
        return _paypal_capture(event.type, resource)
    return f"ignored: {event.type}"


def _paypal_capture(kind: str, resource: dict) -> str:
    related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
    if kind == "PAYMENT.CAPTURE.REFUNDED":
        capture_id = _capture_of_refund(resource)
        payment = Payment.objects.filter(
            provider="paypal", capture_reference=capture_id or "-"
        ).first()
        if payment is None:
            return "ignored: no payment for this capture"
        ours = _int(resource.get("custom_id"))
        if ours and payment.refunds.filter(pk=ours).exists():
            refund_record_result(
                refund_id=ours,
                result=ProviderRefund(
                    reference=resource["id"], status=RefundStatus.SUCCEEDED
                ),
            )
            return f"refund {ours} succeeded"
        refund_record_external(
            payment_id=payment.pk,
            reference=resource["id"],
            amount=Decimal(resource["amount"]["value"]),
            reason="Refunded at PayPal",
        )
        return f"payment {payment.pk}: outside refund recorded"
    payment = Payment.objects.filter(
        provider="paypal", provider_reference=related.get("order_id") or "-"
    ).first()
    if payment is None:
        return "ignored: no payment for this capture"
    status = {
        "PAYMENT.CAPTURE.COMPLETED": PaymentStatus.SUCCEEDED,
        "PAYMENT.CAPTURE.DENIED": PaymentStatus.FAILED,
        "PAYMENT.CAPTURE.DECLINED": PaymentStatus.FAILED,
    }.get(kind)
    if status is None:
        return f"ignored: {kind}"
    amount = resource.get("amount") or {}
    state = ProviderPayment(
        reference=payment.provider_reference,
        status=status,
        amount=Decimal(amount["value"]) if "value" in amount else None,
        currency=amount.get("currency_code"),
        capture_reference=resource.get("id", ""),
        failure_code="capture_declined" if status == PaymentStatus.FAILED else "",
    )
    payment = payment_apply_state(payment_id=payment.pk, state=state)
    return f"payment {payment.pk} {payment.status}"


def _capture_of_refund(refund: dict) -> str:
    for link in refund.get("links", []):
        if link.get("rel") == "up" and "/captures/" in link.get("href", ""):
            return link["href"].rstrip("/").rsplit("/", 1)[-1]
    return ""


HANDLERS = {"stripe": apply_stripe, "paypal": apply_paypal}
