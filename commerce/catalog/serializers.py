"""Product and category payloads, and the bounded inputs staff send."""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers
from wagtail.rich_text import expand_db_html

from cms.models import ProductPage

MAX_STOCK = 1_000_000
MAX_PRICE = Decimal("99999999.99")


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="category_id")
    slug = serializers.CharField(source="category_slug")
    title = serializers.CharField(source="category_title_value")


class ProductImageSerializer(serializers.Serializer):
    """One gallery entry: the original's URL and size, and its alt text."""

    id = serializers.IntegerField(source="image.pk")
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(source="image.width")
    height = serializers.IntegerField(source="image.height")
    alt = serializers.CharField(source="alt_text")

    def get_url(self, gallery_image) -> str:
        url = gallery_image.image.file.url
        request = self.context.get("request")
        if request is not None and url.startswith("/"):
            return request.build_absolute_uri(url)
        return url


class ProductSerializer(serializers.Serializer):
    """The product as API.md gives it; expects `selectors` annotations."""

    id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.SerializerMethodField()
    stock = serializers.IntegerField(source="stock_quantity")
    in_stock = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    images = ProductImageSerializer(source="gallery_images.all", many=True)
    rating = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="first_published_at")
    updated_at = serializers.SerializerMethodField()

    def get_description(self, product) -> str:
        # Internal links are stored as Wagtail references; clients get real URLs.
        return expand_db_html(product.description or "")

    def get_currency(self, product) -> str:
        return settings.CURRENCY

    def get_in_stock(self, product) -> bool:
        return product.stock_quantity > 0

    def get_category(self, product) -> dict | None:
        if product.category_id is None:
            return None
        return CategoryRefSerializer(product).data

    def get_rating(self, product) -> dict:
        average = product.rating_average
        return {
            "average": None if average is None else f"{average:.2f}",
            "count": product.rating_count,
        }

    def get_updated_at(self, product) -> str | None:
        moments = [
            moment
            for moment in (
                product.last_published_at,
                product.latest_revision_created_at,
                product.first_published_at,
            )
            if moment is not None
        ]
        if not moments:
            return None
        return serializers.DateTimeField().to_representation(max(moments))


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    product_count = serializers.IntegerField()


class AutocompleteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()


class ProductListQuerySerializer(serializers.Serializer):
    """The listing's query string: every value bounded, unknown orderings refused."""

    category = serializers.SlugField(required=False, max_length=255)
    min_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    max_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    in_stock = serializers.ChoiceField(required=False, choices=["true", "false"])
    search = serializers.CharField(required=False, max_length=200, allow_blank=True)
    ordering = serializers.ChoiceField(
        required=False,
        choices=["price", "-price", "title", "-created_at", "-rating"],
    )

    def validate(self, attrs):
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"max_price": ["Must not be below min_price."]}
            )
        if "in_stock" in attrs:
            attrs["in_stock"] = attrs["in_stock"] == "true"
        return attrs


class ProductWriteSerializer(serializers.Serializer):
    """What staff send to create (all but description required) or patch."""

    title = serializers.CharField(max_length=255)
    sku = serializers.CharField(max_length=64)
    price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
    )
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK)
    category = serializers.SlugField(max_length=255)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000
    )

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the product a title.")
        return value.strip()

    def validate_sku(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Give the product a SKU.")
        taken = ProductPage.objects.filter(sku=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("Another product has this SKU.")
        return value

    def validate_category(self, value: str):
        from .selectors import category_by_slug

        category = category_by_slug(slug=value)
        if category is None:
            raise serializers.ValidationError("No category has this slug.")
        return category


class ProductImageUploadSerializer(serializers.Serializer):
    # A plain FileField: our validator, not Django's ImageField, decides what an
    # image is, reading only headers so a decompression bomb is never decoded.
    image = serializers.FileField(allow_empty_file=False)
    alt = serializers.CharField(required=False, allow_blank=True, max_length=255)
