"""PayPal Orders v2 over its REST API: create, capture, refund, verify webhooks.

Writes carry `PayPal-Request-Id` derived from our payment or refund (stored before
the call), so PayPal answers a retry with the object it made the first time. The
OAuth token (client credentials) is cached until shortly before it expires.
`PAYPAL_API_BASE` points it at another server (the test double).
"""

from decimal import Decimal

import requests
from django.conf import settings
from django.core.cache import cache

from ..errors import ProviderError, ProviderNotConfigured, ProviderUnavailable
from ..models import PaymentStatus, RefundStatus
from .base import ProviderPayment, ProviderRefund

TOKEN_CACHE_KEY = "payments:paypal:token"  # noqa: S105 - a cache key
ORDER_STATUS = {
    "CREATED": PaymentStatus.REQUIRES_ACTION,
    "SAVED": PaymentStatus.REQUIRES_ACTION,
    "APPROVED": PaymentStatus.REQUIRES_ACTION,
    "PAYER_ACTION_REQUIRED": PaymentStatus.REQUIRES_ACTION,
    "VOIDED": PaymentStatus.CANCELED,
}
CAPTURE_STATUS = {
    "COMPLETED": PaymentStatus.SUCCEEDED,
    "PENDING": PaymentStatus.REQUIRES_ACTION,
    "DECLINED": PaymentStatus.FAILED,
    "FAILED": PaymentStatus.FAILED,
}
REFUND_STATUS = {
    "COMPLETED": RefundStatus.SUCCEEDED,
    "PENDING": RefundStatus.PENDING,
    "FAILED": RefundStatus.FAILED,
    "CANCELLED": RefundStatus.FAILED,
}


def _request(method: str, path: str, *, token: bool = True, **kwargs) -> dict:
    if not (settings.PAYPAL_CLIENT_ID and settings.PAYPAL_CLIENT_SECRET):
        raise ProviderNotConfigured()
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {access_token()}"
    try:
        response = requests.request(
            method,
            settings.PAYPAL_API_BASE + path,
            headers=headers,
            timeout=settings.PAYMENT_PROVIDER_TIMEOUT,
            **kwargs,
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable() from exc
    if response.status_code == 401 and token:
        cache.delete(TOKEN_CACHE_KEY)  # revoked or expired early: fetch anew next
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderUnavailable()
    if response.status_code >= 400:
        raise ProviderError(f"PayPal answered {response.status_code}: {response.text}")
    try:
        return response.json() if response.content else {}
    except ValueError as exc:
        raise ProviderUnavailable() from exc


def access_token() -> str:
    cached = cache.get(TOKEN_CACHE_KEY)
    if cached:
        return cached
    body = _request(
        "POST",
        "/v1/oauth2/token",
        token=False,
        auth=(settings.PAYPAL_CLIENT_ID, settings.PAYPAL_CLIENT_SECRET),
        data={"grant_type": "client_credentials"},
    )
    token = body["access_token"]
    lifetime = int(body.get("expires_in", 300))
    cache.set(TOKEN_CACHE_KEY, token, max(lifetime - 60, 30))
    return token


def _json_headers(request_id: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", "Prefer": "return=representation"}
    if request_id:
        headers["PayPal-Request-Id"] = request_id
    return headers


def order_to_payment(order: dict) -> ProviderPayment:
    unit = (order.get("purchase_units") or [{}])[0]
    captures = (unit.get("payments") or {}).get("captures") or []
    amount = unit.get("amount") or {}
    status = ORDER_STATUS.get(order.get("status", ""), PaymentStatus.REQUIRES_ACTION)
    capture = captures[0] if captures else {}
    if order.get("status") == "COMPLETED" or capture:
        status = CAPTURE_STATUS.get(capture.get("status", ""), status)
        amount = capture.get("amount") or amount
    approval = next(
        (
            link["href"]
            for link in order.get("links", [])
            if link.get("rel") in ("approve", "payer-action")
        ),
        "",
    )
    refunds = (unit.get("payments") or {}).get("refunds") or []
    return ProviderPayment(
        reference=order["id"],
        status=status,
        amount=Decimal(amount["value"]) if "value" in amount else None,
        currency=amount.get("currency_code"),
        approval_url=approval,
        failure_code="capture_declined" if status == PaymentStatus.FAILED else "",
        refunds=[
            (refund["id"], Decimal(refund["amount"]["value"]))
            for refund in refunds
            if refund.get("status") == "COMPLETED"
        ],
        capture_reference=capture.get("id", ""),
    )


class PayPalProvider:
    name = "paypal"

    def is_configured(self) -> bool:
        return bool(settings.PAYPAL_CLIENT_ID and settings.PAYPAL_CLIENT_SECRET)

    def create_payment(self, *, payment, options: dict) -> ProviderPayment:
        experience = {"user_action": "PAY_NOW"}
        for key in ("return_url", "cancel_url"):
            if options.get(key):
                experience[key] = options[key]
        order = _request(
            "POST",
            "/v2/checkout/orders",
            headers=_json_headers(payment.idempotency_key),
            json={
                "intent": "CAPTURE",
                "purchase_units": [
                    {
                        "reference_id": str(payment.order_id),
                        "custom_id": str(payment.pk),
                        "invoice_id": payment.order.number,
                        "amount": {
                            "currency_code": payment.currency,
                            "value": f"{payment.amount:.2f}",
                        },
                    }
                ],
                "payment_source": {"paypal": {"experience_context": experience}},
            },
        )
        return order_to_payment(order)

    def retrieve_payment(self, *, payment) -> ProviderPayment:
        """Where the order stands; an order the buyer approved is captured here."""
        order = _request("GET", f"/v2/checkout/orders/{payment.provider_reference}")
        if order.get("status") == "APPROVED":
            order = _request(
                "POST",
                f"/v2/checkout/orders/{payment.provider_reference}/capture",
                headers=_json_headers(f"{payment.idempotency_key}-capture"),
                json={},
            )
        return order_to_payment(order)

    def cancel_payment(self, *, payment) -> ProviderPayment:
        # Orders v2 has no cancel call: an order never approved expires at PayPal
        # on its own, and without our capture call an approved one takes no money.
        return ProviderPayment(
            reference=payment.provider_reference, status=PaymentStatus.CANCELED
        )

    def refund(self, *, payment, refund) -> ProviderRefund:
        body = _request(
            "POST",
            f"/v2/payments/captures/{payment.capture_reference}/refund",
            headers=_json_headers(refund.idempotency_key),
            json={
                "amount": {
                    "currency_code": payment.currency,
                    "value": f"{refund.amount:.2f}",
                },
                "custom_id": str(refund.pk),
            },
        )
        return ProviderRefund(
            reference=body["id"],
            status=REFUND_STATUS.get(body.get("status", ""), RefundStatus.PENDING),
        )


def verify_webhook(*, headers, event: dict) -> bool:
    """PayPal's verify-webhook-signature call on a delivery; False if not genuine."""
    if not settings.PAYPAL_WEBHOOK_ID:
        return False
    names = {
        "auth_algo": "PAYPAL-AUTH-ALGO",
        "cert_url": "PAYPAL-CERT-URL",
        "transmission_id": "PAYPAL-TRANSMISSION-ID",
        "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
        "transmission_time": "PAYPAL-TRANSMISSION-TIME",
    }
    values = {field: headers.get(header, "") for field, header in names.items()}
    if not all(values.values()):
        return False
    body = _request(
        "POST",
        "/v1/notifications/verify-webhook-signature",
        headers=_json_headers(),
        json={
            **values,
            "webhook_id": settings.PAYPAL_WEBHOOK_ID,
            "webhook_event": event,
        },
    )
    return body.get("verification_status") == "SUCCESS"
