"""The only place review rows and rating rows are locked: always by primary key.

Every writer locks its reviews first (in primary-key order), then the ratings of
their products (in primary-key order), so two writers queue instead of deadlocking.
"""

from collections.abc import Iterable

from .models import ProductRating, Review


def lock_reviews(*, review_ids: Iterable[int]) -> dict[int, Review]:
    """Lock these reviews; unknown ids are simply absent. Inside `atomic` only."""
    rows = (
        Review.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk__in=set(review_ids))
        .order_by("pk")
    )
    return {review.pk: review for review in rows}


def lock_product_ratings(*, product_ids: Iterable[int]) -> dict[int, ProductRating]:
    """Give these products a rating row if they have none, then lock the rows.

    The insert skips rows that exist (ON CONFLICT DO NOTHING), so two first
    reviews of a product racing here end up on the same row.
    """
    ids = sorted(set(product_ids))
    ProductRating.objects.bulk_create(
        [ProductRating(product_id=pk) for pk in ids], ignore_conflicts=True
    )
    rows = ProductRating.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {row.pk: row for row in rows}
