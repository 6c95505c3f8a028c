"""Reads of reviews: a product's approved page, the purchase that verifies a buyer."""

from django.db.models import QuerySet

from cms.models import ProductPage
from commerce.orders.models import OrderLine, OrderStatus

from .models import ProductRating, Review, ReviewStatus

# Paid or later, and not taken back: a cancelled or refunded order verifies nobody.
VERIFYING_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)

ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "-helpful": ("-helpful_count", "-id"),
    "-rating": ("-rating", "-created_at", "-id"),
    "rating": ("rating", "-created_at", "-id"),
}


def product_reviewable(*, product_id: int) -> bool:
    """Whether shoppers can see the product (live, not archived)."""
    return ProductPage.objects.available().filter(pk=product_id).exists()


def purchase_line_for(*, user, product_id: int) -> OrderLine | None:
    """The user's most recent paid-or-later order line for this product."""
    return (
        OrderLine.objects.filter(
            order__user=user,
            order__status__in=VERIFYING_STATUSES,
            product_id=product_id,
        )
        .select_related("order")
        .order_by("-order__created_at", "-id")
        .first()
    )


def reviews_approved(*, product_id: int, ordering: str | None) -> QuerySet[Review]:
    """A product's approved reviews, newest first unless asked otherwise."""
    return (
        Review.objects.filter(product_id=product_id, status=ReviewStatus.APPROVED)
        .select_related("author")
        .order_by(*ORDERINGS.get(ordering or "-created_at", ORDERINGS["-created_at"]))
    )


def review_of_author(*, user, review_id: int) -> Review | None:
    """A review its author may edit or delete; None for anyone else's."""
    return (
        Review.objects.select_related("author")
        .filter(pk=review_id, author=user)
        .first()
    )


def product_rating(*, product_id: int) -> ProductRating:
    """The product's running rating (all zero before its first approved review)."""
    rating = ProductRating.objects.filter(pk=product_id).first()
    return rating or ProductRating(product_id=product_id)


def review_visible(*, review_id: int) -> bool:
    """Whether shoppers can see this review (it is approved)."""
    return Review.objects.filter(pk=review_id, status=ReviewStatus.APPROVED).exists()
