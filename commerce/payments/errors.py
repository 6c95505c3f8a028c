"""Payment errors: declines, refusals and provider trouble, free of HTTP."""

from nexus.errors import DomainError, InvalidRequest


class PaymentDeclined(DomainError):
    """The provider refused the payment (the card was declined)."""

    code = "payment_declined"
    default_detail = "The payment was declined."
    http_status = 402

    def __init__(self, detail: str | None = None, *, payment_id: int):
        super().__init__(detail, payment_id=payment_id)
        self.payment_id = payment_id


class ProviderUnavailable(DomainError):
    """The provider did not answer in time or failed; nothing is lost: the payment
    keeps its idempotency key and the next attempt asks for the same object."""

    code = "provider_unavailable"
    default_detail = (
        "The payment provider is not answering as expected; try again shortly."
    )
    http_status = 503


class ProviderNotConfigured(InvalidRequest):
    code = "provider_not_configured"
    default_detail = "This payment provider is not set up on this shop."


class RefundRefused(InvalidRequest):
    """A refund the ledger cannot allow: nothing was sent to the provider."""

    code = "refund_refused"
    default_detail = "This refund is not possible."


class ProviderError(Exception):
    """A provider answered with an error that is not a decline (bad request, auth)."""
