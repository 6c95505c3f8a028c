"""Provider webhooks: verify on the raw body, store in the inbox, answer at once.

Applying an event is a task's job (inline where tasks run inline), so a slow
database or provider never makes the provider's delivery time out and retry.
"""

import json
import logging

import stripe
from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.schema import api_operation

from .errors import ProviderError, ProviderNotConfigured, ProviderUnavailable
from .inbox import event_receive
from .providers.paypal import verify_webhook
from .tasks import apply_payment_event

logger = logging.getLogger(__name__)

RECEIVED = inline_serializer(
    "WebhookReceived",
    {
        "received": serializers.BooleanField(),
        "duplicate": serializers.BooleanField(),
    },
)


class RawParser(BaseParser):
    """Leaves the body alone: signatures are checked on the exact bytes sent."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


def refuse(detail: str) -> Response:
    return Response({"detail": detail, "code": "invalid_signature"}, status=400)


def store(provider: str, event: dict) -> Response:
    received, created = event_receive(
        provider=provider,
        event_id=str(event["id"]),
        type=str(event.get("type") or event.get("event_type") or ""),
        payload=event,
    )
    if created:
        try:
            apply_payment_event.apply_async(args=[received.pk], retry=False)
        except Exception:  # noqa: BLE001 - stored: reconciliation applies it later
            logger.exception("could not queue payment event %s", received.pk)
    return Response({"received": True, "duplicate": not created})


class WebhookView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [RawParser]

    def event_from(self, raw: bytes) -> dict | None:
        try:
            event = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            return None
        return event


WEBHOOK_ERRORS = {
    "responses": {200: OpenApiResponse(RECEIVED, description="Stored (or known).")},
    "errors": [400, 413, 429],
}


class StripeWebhookView(WebhookView):
    @api_operation(
        summary="Stripe webhook",
        description="For Stripe only. The `Stripe-Signature` header is checked "
        "on the raw body with the endpoint's signing secret, refusing "
        "signatures older than 300 seconds. Each event id is stored once and "
        "applied once, later: `payment_intent.succeeded` (the order is paid only "
        "if amount and currency match it), `payment_intent.payment_failed`, "
        "`payment_intent.canceled` and `charge.refunded`; other types are stored "
        "and acknowledged.",
        request={"application/json": {"type": "object"}},
        notes={
            400: "`invalid_signature`: the signature is missing, wrong or stale, "
            "or the body is not a Stripe event. Nothing was stored."
        },
        **WEBHOOK_ERRORS,
    )
    def post(self, request: Request) -> Response:
        raw = request.body
        header = request.headers.get("Stripe-Signature")
        if not settings.STRIPE_WEBHOOK_SECRET:
            return refuse("Stripe webhooks are not set up on this shop.")
        try:
            stripe.WebhookSignature.verify_header(
                raw,
                header,
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
            return refuse("The Stripe-Signature does not match this body.")
        event = self.event_from(raw)
        if event is None:
            return refuse("The body is not a Stripe event.")
        return store("stripe", event)


class PayPalWebhookView(WebhookView):
    @api_operation(
        summary="PayPal webhook",
        description="For PayPal only. Each delivery is verified with PayPal's "
        "verify-webhook-signature call for this shop's webhook id, then stored "
        "once per event id and applied once, later: `CHECKOUT.ORDER.APPROVED` "
        "(the order is captured), `PAYMENT.CAPTURE.COMPLETED`, "
        "`PAYMENT.CAPTURE.DENIED` and `PAYMENT.CAPTURE.REFUNDED`; other types are "
        "stored and acknowledged.",
        request={"application/json": {"type": "object"}},
        notes={
            400: "`invalid_signature`: PayPal did not vouch for this delivery, or "
            "the body is not a PayPal event. Nothing was stored.",
            503: "PayPal's verification call did not answer; PayPal delivers "
            "the event again later (`provider_unavailable`).",
        },
        responses=WEBHOOK_ERRORS["responses"],
        errors=[*WEBHOOK_ERRORS["errors"], 503],
    )
    def post(self, request: Request) -> Response:
        event = self.event_from(request.body)
        if event is None:
            return refuse("The body is not a PayPal event.")
        try:
            genuine = verify_webhook(headers=request.headers, event=event)
        except (ProviderUnavailable, ProviderError, ProviderNotConfigured):
            # Not verifiable now: a non-2xx answer makes PayPal deliver it again.
            return Response(
                {"detail": "Cannot verify now.", "code": "provider_unavailable"},
                status=503,
            )
        if not genuine:
            return refuse("PayPal did not verify this delivery.")
        return store("paypal", event)
