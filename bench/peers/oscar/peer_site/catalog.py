"""GET /api/catalog/: one category's public products in a price range, 24 a page.

oscarapi's own /api/products/ filters on nothing but `structure` and links to each
product's price and availability instead of giving them. A shop built on oscarapi
that shows a catalog page adds a view like this one: oscarapi's ProductList with the
two filters, Oscar's strategy for price and stock, and oscarapi's own price and
availability serializers inline (what GET /api/products/<id>/price/ and
/availability/ return).

    /api/catalog/?category=<slug>&min_price=20&max_price=120[&page=N]
"""

from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from oscar.core.loading import get_class, get_model
from oscarapi.utils.loading import get_api_class
from rest_framework.exceptions import ValidationError

ProductList = get_api_class("views.product", "ProductList")
ProductLinkSerializer = get_api_class("serializers.product", "ProductLinkSerializer")
AvailabilitySerializer = get_api_class("serializers.product", "AvailabilitySerializer")
PriceSerializer = get_api_class("serializers.checkout", "PriceSerializer")
Selector = get_class("partner.strategy", "Selector")
Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")


class CatalogProductSerializer(ProductLinkSerializer):
    """oscarapi's list fields (url, id, upc, title) plus price and availability."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        info = self.context["strategy"].fetch_for_product(instance)
        data["price"] = PriceSerializer(info.price).data
        data["availability"] = AvailabilitySerializer(info.availability).data
        return data


def _price(params, name: str) -> Decimal | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError({name: "Not a number."}) from exc


class CatalogList(ProductList):
    serializer_class = CatalogProductSerializer

    def get_queryset(self):
        params = self.request.query_params
        # Only what the page shows: the product, its class (stock tracking) and
        # stock records (price, availability); EXISTS filters need no DISTINCT.
        products = (
            Product.objects.browsable()
            .select_related("product_class")
            .prefetch_related("stockrecords")
        )
        if params.get("category"):
            shelf = get_object_or_404(
                Category.objects.browsable(), slug=params["category"]
            )
            in_shelf = ProductCategory.objects.filter(
                product=OuterRef("pk"), category__in=shelf.get_descendants_and_self()
            )
            products = products.filter(Exists(in_shelf))
        low, high = _price(params, "min_price"), _price(params, "max_price")
        if low is not None or high is not None:
            priced = StockRecord.objects.filter(product=OuterRef("pk"))
            if low is not None:
                priced = priced.filter(price__gte=low)
            if high is not None:
                priced = priced.filter(price__lte=high)
            products = products.filter(Exists(priced))
        return products.order_by("title", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["strategy"] = Selector().strategy(
            request=self.request, user=self.request.user
        )
        return context
