"""The built-in provider of the embedded default: pays at once, no network.

The card 4000000000000002 is declined, as in Stripe's test mode, so storefronts can
show their decline path without a provider account.
"""

from ..models import PaymentStatus, RefundStatus
from .base import ProviderPayment, ProviderRefund

DECLINE_CARD = "4000000000000002"


class DummyProvider:
    name = "dummy"

    def is_configured(self) -> bool:
        return True

    def create_payment(self, *, payment, options: dict) -> ProviderPayment:
        reference = f"dummy_{payment.idempotency_key}"
        if str(options.get("card", "")).replace(" ", "") == DECLINE_CARD:
            return ProviderPayment(
                reference=reference,
                status=PaymentStatus.FAILED,
                failure_code="card_declined",
                failure_message="Your card was declined.",
            )
        return ProviderPayment(
            reference=reference,
            status=PaymentStatus.SUCCEEDED,
            amount=payment.amount,
            currency=payment.currency,
        )

    def retrieve_payment(self, *, payment) -> ProviderPayment:
        return ProviderPayment(
            reference=payment.provider_reference,
            status=payment.status,
            amount=payment.amount,
            currency=payment.currency,
        )

    def cancel_payment(self, *, payment) -> ProviderPayment:
        return ProviderPayment(
            reference=payment.provider_reference, status=PaymentStatus.CANCELED
        )

    def refund(self, *, payment, refund) -> ProviderRefund:
        return ProviderRefund(
            reference=f"dummy_{refund.idempotency_key}", status=RefundStatus.SUCCEEDED
        )
