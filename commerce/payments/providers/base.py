"""The small interface every payment provider implements, and what it returns."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from ..models import Payment, Refund

# ISO 4217 currencies without minor units (Stripe's list of zero-decimal ones).
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)


def to_minor_units(amount: Decimal, currency: str) -> int:
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return int((amount * (10**exponent)).to_integral_value())


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return (Decimal(amount) / (10**exponent)).quantize(Decimal("0.01"))


@dataclass
class ProviderPayment:
    """What a provider says about a payment, in our words."""

    reference: str
    # One of PaymentStatus' values; `requires_action` while the shopper must act.
    status: str
    amount: Decimal | None = None
    currency: str | None = None
    client_secret: str = ""
    approval_url: str = ""
    failure_code: str = ""
    failure_message: str = ""
    # PayPal: the capture that refunds are made against.
    capture_reference: str = ""
    # Refunds the provider knows of: (reference, amount), for reconciliation.
    refunds: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class ProviderRefund:
    reference: str
    # One of RefundStatus' values.
    status: str
    failure_message: str = ""


class PaymentProvider(Protocol):
    name: str

    def is_configured(self) -> bool: ...

    def create_payment(self, *, payment: Payment, options: dict) -> ProviderPayment:
        """Create (or, with the same idempotency key, find again) the payment."""

    def retrieve_payment(self, *, payment: Payment) -> ProviderPayment:
        """Ask where the payment stands; captures an approved PayPal order."""

    def cancel_payment(self, *, payment: Payment) -> ProviderPayment: ...

    def refund(self, *, payment: Payment, refund: Refund) -> ProviderRefund:
        """Refund `refund.amount`, idempotent on `refund.idempotency_key`."""
