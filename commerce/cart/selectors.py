"""Reads of carts, with everything the cart's JSON needs fetched in a fixed number
of queries."""

from django.db.models import Prefetch, QuerySet

from cms.models import ProductGalleryImage

from .models import Cart, CartItem


def cart_items_for_display() -> QuerySet[CartItem]:
    gallery = ProductGalleryImage.objects.select_related("image").order_by(
        "sort_order", "pk"
    )
    return CartItem.objects.select_related("product").prefetch_related(
        Prefetch("product__gallery_images", queryset=gallery)
    )


def cart_get_for_display(*, user) -> Cart | None:
    """The user's cart with lines, products and first gallery images prefetched."""
    return (
        Cart.objects.filter(user=user)
        .prefetch_related(Prefetch("items", queryset=cart_items_for_display()))
        .first()
    )
