"""Reads of wishlists: a customer's own items, fans of a product, demand."""

from django.db.models import Count, QuerySet

from cms.models import ProductPage
from commerce.catalog.selectors import ProductCard, product_cards

from .models import WishlistItem


def wishlist_of(*, user) -> list[tuple[WishlistItem, ProductCard]]:
    """The user's wished-for products that are on sale, newest first, with their
    cards; an archived or unpublished product is left out (its item is kept, so
    it shows again once the product is back). A fixed number of queries."""
    items = list(
        WishlistItem.objects.filter(
            user=user,
            product__live=True,
            product__archived_at__isnull=True,
        ).order_by("-added_at", "-id")
    )
    cards = {
        card.id: card
        for card in product_cards(product_ids=[item.product_id for item in items])
    }
    return [
        (item, cards[item.product_id]) for item in items if item.product_id in cards
    ]


def product_on_sale(*, product_id: int) -> bool:
    return ProductPage.objects.available().filter(pk=product_id).exists()


def product_exists(*, product_id: int) -> bool:
    return ProductPage.objects.filter(pk=product_id).exists()


def product_has_fans(*, product_id: int) -> bool:
    """One index probe: whether anybody wishes for this product."""
    return WishlistItem.objects.filter(product_id=product_id).exists()


def most_wished_out_of_stock(*, limit: int = 10) -> QuerySet:
    """Products on sale with no stock, by how many customers wish for them."""
    return (
        WishlistItem.objects.filter(
            product__listing__available=True, product__listing__quantity__lte=0
        )
        .values("product_id", "product__title", "product__sku")
        .annotate(fans=Count("id"))
        .order_by("-fans", "product_id")[:limit]
    )
