"""Payment endpoints: pay for an order, confirm, refund (staff)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders.models import Order
from nexus.api.permissions import IsAdminRole
from nexus.api.schema import api_operation

from . import refunds, services
from .models import Payment
from .serializers import (
    PaymentSerializer,
    PayRequestSerializer,
    RefundRequestSerializer,
    RefundSerializer,
)


def render_payment(payment: Payment) -> dict:
    return PaymentSerializer(payment).data


class OrderPayView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Pay for an order",
        description="The order's owner starts paying a `pending` order with "
        "`provider` `dummy`, `stripe` or `paypal`. Stripe answers a "
        "`client_secret` for Stripe.js, PayPal an `approval_url` to send the buyer "
        "to; the dummy provider pays at once (`succeeded`, the order is `paid`), "
        "or declines the test card `4000000000000002` (402). Asking again while "
        "that provider's payment is open answers the same payment (200), brought "
        "up to date with the provider, never a second one.",
        request=PayRequestSerializer,
        responses={
            201: PaymentSerializer,
            200: OpenApiResponse(
                PaymentSerializer, description="The payment already open."
            ),
        },
        errors=[400, 401, 402, 404, 409, 413, 429, 503],
        bad_request=["Error"],
        conflicts=["InvalidTransition"],
        notes={
            400: "A field map: an unknown `provider`; or `provider_not_configured` "
            "for a provider this shop has no keys for.",
            404: "No order with this id of the caller's (`not_found`).",
            409: "The order is not `pending` (`invalid_transition`).",
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        body = PayRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = dict(body.validated_data)
        payment, created = services.payment_start(
            user=request.user,
            order_id=order_id,
            provider=options.pop("provider"),
            options=options,
        )
        payment = Payment.objects.select_related("order").get(pk=payment.pk)
        return Response(
            render_payment(payment),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PaymentConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Bring a payment up to date",
        description="After Stripe.js confirmed the PaymentIntent, or the buyer "
        "came back from PayPal, the owner asks where the payment stands: the shop "
        "asks the provider (capturing an approved PayPal order) and answers the "
        "payment with its order's status. Safe to repeat, and safe alongside the "
        "provider's webhook: the order is marked paid once. No body.",
        request=None,
        responses={200: PaymentSerializer},
        errors=[401, 404, 429, 503],
        notes={404: "No payment with this id of the caller's (`not_found`)."},
    )
    def post(self, request: Request, payment_id: int) -> Response:
        if not Payment.objects.filter(pk=payment_id, order__user=request.user).exists():
            raise Http404("No such payment.")
        payment = services.payment_sync(payment_id=payment_id)
        payment = Payment.objects.select_related("order").get(pk=payment.pk)
        return Response(render_payment(payment))


class OrderRefundView(APIView):
    permission_classes = [IsAdminRole]

    @api_operation(
        summary="Refund an order (staff)",
        description="Shop administrators refund an order's captured payment "
        "through its provider, with an idempotency key of the refund's own: "
        "`amount` (default: all that is not yet refunded) and an optional "
        "`reason`. The refunds of a payment never add up to more than was "
        "captured. Refunding everything moves the order to `refunded` and, if it "
        "had not shipped, puts its units back in stock. `status` is `pending` "
        "when the provider has not answered yet (it is sent again).",
        request=RefundRequestSerializer,
        responses={200: RefundSerializer},
        errors=[400, 401, 403, 404, 413, 429],
        bad_request=["Error"],
        notes={
            400: "A field map for a malformed or non-positive `amount`; or "
            "`refund_refused`: nothing captured, or more than what remains "
            "(`remaining`). Nothing was sent to the provider.",
            403: "Signed in, but not a shop administrator (`permission_denied`).",
            404: "No order with this id (`not_found`).",
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        body = RefundRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            refund = refunds.refund_request(
                order_id=order_id,
                amount=body.validated_data.get("amount"),
                actor=request.user,
                reason=body.validated_data["reason"],
            )
        except Order.DoesNotExist as exc:
            raise Http404("No such order.") from exc
        return Response(RefundSerializer(refund).data)
