"""Product and category payloads, and the bounded inputs staff send."""

from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from cms.models import ProductImage, ProductPage

from .richtext import rich_text_for_api
from .selectors import ProductCard, category_by_slug

MAX_STOCK = 1_000_000
MAX_PRICE = Decimal("99999999.99")


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class ProductImageSerializer(serializers.Serializer):
    """One gallery entry: the original's URL and size, and its alt text."""

    id = serializers.IntegerField(source="image.pk")
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(source="image.width")
    height = serializers.IntegerField(source="image.height")
    alt = serializers.CharField(source="alt_text")

    def get_url(self, gallery_image) -> str:
        return _absolute(gallery_image.image.file.url, self.context.get("request"))


class RatingSerializer(serializers.Serializer):
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class ProductSerializer(serializers.Serializer):
    """The product as the API gives it. It documents the payload in the OpenAPI
    schema; `product_payload` builds it, without a field object per value."""

    id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField(help_text="HTML.")
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    category = CategoryRefSerializer(allow_null=True)
    images = ProductImageSerializer(many=True)
    rating = RatingSerializer()
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def _absolute(url: str, request) -> str:
    if request is not None and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


def _timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as DRF writes it, without its per-value timezone
    lookup (a lock under ASGI servers)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def product_payloads(cards: list[ProductCard], *, request=None) -> list[dict]:
    """The API's product objects for `cards` (see `ProductSerializer`)."""
    currency = settings.CURRENCY
    storage = ProductImage._meta.get_field("file").storage
    base = request.build_absolute_uri("/")[:-1] if request is not None else ""
    payloads = []
    for card in cards:
        images = []
        for entry in card.images:
            url = storage.url(entry.file)
            images.append(
                {
                    "id": entry.image_id,
                    "url": base + url if url.startswith("/") else url,
                    "width": entry.width,
                    "height": entry.height,
                    "alt": entry.alt,
                }
            )
        average = card.rating_average
        payloads.append(
            {
                "id": card.id,
                "sku": card.sku,
                "title": card.title,
                "slug": card.slug,
                # Internal links are stored as Wagtail references; clients get URLs.
                "description": rich_text_for_api(card.description),
                "price": f"{card.price:.2f}",
                "currency": currency,
                "stock": card.stock,
                "in_stock": card.stock > 0,
                "category": card.category,
                "images": images,
                "rating": {
                    "average": None if average is None else f"{average:.2f}",
                    "count": card.rating_count,
                },
                "created_at": _timestamp(card.created_at),
                "updated_at": _timestamp(card.updated_at),
            }
        )
    return payloads


def product_payload(card: ProductCard, *, request=None) -> dict:
    return product_payloads([card], request=request)[0]


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    product_count = serializers.IntegerField()


class AutocompleteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()


class FacetQuerySerializer(serializers.Serializer):
    """The facets' query string: the list's filters (no ordering, no paging)."""

    category = serializers.SlugField(
        required=False, max_length=255, help_text="Only this category (its slug)."
    )
    min_price = serializers.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="Only products priced at least this.",
    )
    max_price = serializers.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="Only products priced at most this; not below `min_price`.",
    )
    in_stock = serializers.ChoiceField(
        required=False,
        choices=["true", "false"],
        help_text="`true`: only products in stock; `false`: only those out of it.",
    )
    min_rating = serializers.DecimalField(
        required=False,
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("5"),
        help_text="Only products whose average rating is at least this (0–5); "
        "products without reviews are left out.",
    )
    search = serializers.CharField(
        required=False,
        max_length=200,
        allow_blank=True,
        help_text="Words to look for, as in the list.",
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


class ProductListQuerySerializer(FacetQuerySerializer):
    """The listing's query string: every value bounded, unknown orderings refused."""

    search = serializers.CharField(
        required=False,
        max_length=200,
        allow_blank=True,
        help_text="Words to look for; ranks the results unless `ordering` is given.",
    )
    ordering = serializers.ChoiceField(
        required=False,
        choices=["price", "-price", "title", "-created_at", "-rating"],
        help_text="Sort key; `-` for descending. Newest first by default.",
    )


class PriceBandSerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=10, decimal_places=2)
    max = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text="null: no top."
    )
    count = serializers.IntegerField()


class CategoryFacetSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()


class InStockFacetSerializer(serializers.Serializer):
    true = serializers.IntegerField(help_text="Products in stock.")
    false = serializers.IntegerField(help_text="Products out of stock.")


class RatingFacetSerializer(serializers.Serializer):
    min = serializers.IntegerField(help_text="Average rating at least this.")
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    """Counts for narrowing a listing (see `facets.product_facets`)."""

    count = serializers.IntegerField(help_text="Products matching every filter.")
    categories = CategoryFacetSerializer(many=True)
    price_bands = PriceBandSerializer(many=True)
    in_stock = InStockFacetSerializer()
    rating = RatingFacetSerializer(many=True)


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
        category = category_by_slug(slug=value)
        if category is None:
            raise serializers.ValidationError("No category has this slug.")
        return category


class ProductImageUploadSerializer(serializers.Serializer):
    # A plain FileField: our validator, not Django's ImageField, decides what an
    # image is, reading only headers so a decompression bomb is never decoded.
    image = serializers.FileField(allow_empty_file=False)
    alt = serializers.CharField(required=False, allow_blank=True, max_length=255)
