"""The wishlist as the API gives it; money as two-place decimal strings."""

from rest_framework import serializers

MAX_ID = 2**31 - 1


class WishlistProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    slug = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    image = serializers.URLField(
        allow_null=True, help_text="The first gallery image, or null."
    )


class WishlistEntrySerializer(serializers.Serializer):
    product = WishlistProductSerializer()
    added_at = serializers.DateTimeField()


class WishlistSerializer(serializers.Serializer):
    items = WishlistEntrySerializer(many=True)


class WishlistAddSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def validate_product_id(self, value: int) -> int:
        from .selectors import product_exists

        # Unknown is a 400; known but archived or unpublished is the service's 409.
        if not product_exists(product_id=value):
            raise serializers.ValidationError("No product with this id.")
        return value
