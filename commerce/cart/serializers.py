"""The cart's JSON as the API gives it; money as two-place decimal strings."""

from django.conf import settings
from rest_framework import serializers

from .services import MAX_LINE_QUANTITY

# PostgreSQL's integer: a larger id cannot exist, so it is a 400, never a query.
MAX_ID = 2**31 - 1


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs
    )


class CartProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    price = money_field()
    image = serializers.SerializerMethodField()

    def get_image(self, product) -> str | None:
        """The first gallery image's URL, absolute as product payloads give it."""
        # gallery_images is prefetched in sort order (selectors.py); take the first.
        gallery = list(product.gallery_images.all())
        if not gallery:
            return None
        url = gallery[0].image.file.url
        request = self.context.get("request")
        # Local storage answers a path; a CDN (Cloudinary) already a full URL.
        if request is not None and url.startswith("/"):
            return request.build_absolute_uri(url)
        return url


class CartItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = CartProductSerializer()
    quantity = serializers.IntegerField()
    unit_price = money_field()
    line_total = money_field()


class CartSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    items = CartItemSerializer(many=True, source="items.all")
    item_count = serializers.IntegerField()
    subtotal = money_field()
    currency = serializers.SerializerMethodField()

    def get_currency(self, cart) -> str:
        return settings.CURRENCY


class CartItemAddSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_LINE_QUANTITY, default=1
    )

    def validate_product_id(self, value: int) -> int:
        from cms.models import ProductPage

        # Unknown is a 400; known but archived or unpublished is the service's 409.
        if not ProductPage.objects.filter(pk=value).exists():
            raise serializers.ValidationError("No product with this id.")
        return value


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
