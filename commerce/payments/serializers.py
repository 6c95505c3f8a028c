"""Bodies of the payment endpoints; money as two-place decimal strings."""

from decimal import Decimal

from rest_framework import serializers

from commerce.cart.serializers import money_field

from .models import Provider


class PayRequestSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=Provider.choices)
    card = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Dummy provider only: a test card number; 4000000000000002 is "
        "declined.",
    )
    return_url = serializers.URLField(
        required=False,
        max_length=1000,
        help_text="PayPal: where the buyer returns after approving.",
    )
    cancel_url = serializers.URLField(
        required=False,
        max_length=1000,
        help_text="PayPal: where the buyer returns after cancelling.",
    )


class PaymentSerializer(serializers.Serializer):
    payment_id = serializers.IntegerField(source="pk")
    provider = serializers.CharField()
    status = serializers.CharField(
        help_text="`requires_action`, `succeeded`, `failed`, `canceled`, "
        "`partially_refunded` or `refunded`."
    )
    amount = money_field()
    currency = serializers.CharField()
    client_secret = serializers.SerializerMethodField(
        help_text="Stripe: hand to Stripe.js to confirm the PaymentIntent."
    )
    approval_url = serializers.SerializerMethodField(
        help_text="PayPal: send the buyer here to approve the payment."
    )
    order_status = serializers.CharField(source="order.status")

    def get_client_secret(self, payment) -> str | None:
        return payment.client_secret or None

    def get_approval_url(self, payment) -> str | None:
        return payment.approval_url or None


class RefundRequestSerializer(serializers.Serializer):
    amount = money_field(
        required=False,
        min_value=Decimal("0.01"),
        help_text="Default: all that is not yet refunded.",
    )
    reason = serializers.CharField(required=False, max_length=255, default="")


class RefundSerializer(serializers.Serializer):
    refund_id = serializers.IntegerField(source="pk")
    amount = money_field()
    status = serializers.CharField(help_text="`succeeded`, `pending` or `failed`.")
    payment_id = serializers.IntegerField()
    failure_message = serializers.CharField()
