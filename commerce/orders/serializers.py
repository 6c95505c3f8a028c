"""The order's JSON as the API gives it; money as two-place decimal strings."""

from rest_framework import serializers

from commerce.cart.serializers import money_field

from .models import OrderStatus


class OrderLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    unit_price = money_field()
    quantity = serializers.IntegerField()
    line_total = money_field()


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    items = OrderLineSerializer(many=True, source="lines.all")
    subtotal = money_field()
    total = money_field()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrderListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices,
        required=False,
        help_text="Only orders in this status.",
    )


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    note = serializers.CharField(max_length=255, required=False, default="")


IDEMPOTENCY_KEY_MAX = 255


def validate_idempotency_key(raw: str | None) -> str | None:
    """None when absent; a 400 for an empty, overlong or non-printable key."""
    if raw is None:
        return None
    if not raw or len(raw) > IDEMPOTENCY_KEY_MAX or not raw.isprintable():
        raise serializers.ValidationError(
            {
                "Idempotency-Key": [
                    f"Use 1 to {IDEMPOTENCY_KEY_MAX} printable characters."
                ]
            }
        )
    return raw
