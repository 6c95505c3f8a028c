"""Stripe through its official SDK: PaymentIntents and Refunds.

Every write carries our own idempotency key (the payment's or the refund's, stored
and committed before the call), so a call that timed out after Stripe processed it
is sent again and answered with the same object, never a second one.
`STRIPE_API_BASE` points the SDK at another server (the test double).
"""

import stripe
from django.conf import settings

from ..errors import (
    PaymentDeclined,
    ProviderError,
    ProviderNotConfigured,
    ProviderUnavailable,
)
from ..models import PaymentStatus, RefundStatus
from .base import ProviderPayment, ProviderRefund, from_minor_units, to_minor_units

INTENT_STATUS = {
    "requires_payment_method": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.REQUIRES_ACTION,
    "requires_capture": PaymentStatus.REQUIRES_ACTION,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
}
REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ProviderNotConfigured()
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=settings.PAYMENT_PROVIDER_TIMEOUT),
        # Our callers retry with the same key (reconciliation, repeat calls); the
        # SDK's own retries would hold a request for minutes.
        max_network_retries=0,
    )


def plain(obj) -> dict:
    """The SDK's objects are not dicts (stripe 16); events arrive as dicts."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def intent_to_payment(intent) -> ProviderPayment:
    """A PaymentIntent (SDK object or an event's dict) in our words; a succeeded
    intent's amount is what was received."""
    intent = plain(intent)
    status = INTENT_STATUS.get(intent["status"], PaymentStatus.REQUIRES_ACTION)
    error = intent.get("last_payment_error") or {}
    if intent["status"] == "requires_payment_method" and error:
        status = PaymentStatus.FAILED
    currency = str(intent["currency"]).upper()
    received = intent["amount"]
    if intent["status"] == "succeeded" and intent.get("amount_received") is not None:
        received = intent["amount_received"]
    return ProviderPayment(
        reference=intent["id"],
        status=status,
        amount=from_minor_units(int(received), currency),
        currency=currency,
        client_secret=intent.get("client_secret") or "",
        failure_code=str(error.get("decline_code") or error.get("code") or ""),
        failure_message=str(error.get("message") or "")[:255],
    )


def _call(function, *args, **kwargs):
    """Run an SDK call, turning its errors into ours."""
    try:
        return function(*args, **kwargs)
    except stripe.CardError as exc:
        raise PaymentDeclined(exc.user_message or str(exc), payment_id=0) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise ProviderUnavailable() from exc
    except stripe.APIError as exc:  # Stripe's own 5xx
        raise ProviderUnavailable() from exc
    except stripe.StripeError as exc:
        raise ProviderError(f"Stripe refused the call: {exc}") from exc


class StripeProvider:
    name = "stripe"

    def is_configured(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY)

    def create_payment(self, *, payment, options: dict) -> ProviderPayment:
        intent = _call(
            client().v1.payment_intents.create,
            params={
                "amount": to_minor_units(payment.amount, payment.currency),
                "currency": payment.currency.lower(),
                "automatic_payment_methods": {"enabled": True},
                "metadata": {
                    "order_id": str(payment.order_id),
                    "payment_id": str(payment.pk),
                },
            },
            options={"idempotency_key": payment.idempotency_key},
        )
        return intent_to_payment(intent)

    def retrieve_payment(self, *, payment) -> ProviderPayment:
        intent = _call(client().v1.payment_intents.retrieve, payment.provider_reference)
        return intent_to_payment(intent)

    def cancel_payment(self, *, payment) -> ProviderPayment:
        intent = _call(
            client().v1.payment_intents.cancel,
            payment.provider_reference,
            options={"idempotency_key": f"{payment.idempotency_key}-cancel"},
        )
        return intent_to_payment(intent)

    def refund(self, *, payment, refund) -> ProviderRefund:
        created = plain(
            _call(
                client().v1.refunds.create,
                params={
                    "payment_intent": payment.provider_reference,
                    "amount": to_minor_units(refund.amount, payment.currency),
                    "metadata": {"refund_id": str(refund.pk)},
                },
                options={"idempotency_key": refund.idempotency_key},
            )
        )
        return ProviderRefund(
            reference=created["id"],
            status=REFUND_STATUS.get(created["status"], RefundStatus.PENDING),
            failure_message=str(created.get("failure_reason") or ""),
        )
