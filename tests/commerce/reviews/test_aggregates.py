"""The product's rating moves by exactly each decision, also under concurrency."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum

from commerce.catalog.models import ProductListing
from commerce.reviews.models import ProductRating, Review
from commerce.reviews.services import review_delete, review_edit, reviews_moderate
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.reviews import review_of


def recomputed(product) -> tuple:
    """What the running rating must equal: the approved rows summed from scratch."""
    approved = Review.objects.filter(product=product, status="approved")
    totals = approved.aggregate(count=Count("id"), total=Sum("rating"))
    stars = dict(approved.values_list("rating").annotate(n=Count("id")))
    return (
        totals["count"],
        totals["total"] or 0,
        tuple(stars.get(n, 0) for n in range(1, 6)),
    )


def kept(product) -> tuple:
    row = ProductRating.objects.filter(pk=product.pk).first() or ProductRating()
    return (
        row.count,
        row.total,
        tuple(getattr(row, f"stars_{n}") for n in range(1, 6)),
    )


@pytest.mark.django_db
def test_each_decision_edit_and_delete_moves_the_rating_by_exactly_its_review():
    product = create_product()
    five, three, one = (review_of(product, rating=r) for r in (5, 3, 1))
    steps = [
        lambda: reviews_moderate(
            review_ids=[five.pk], status="approved", moderator=None
        ),
        lambda: reviews_moderate(
            review_ids=[three.pk], status="approved", moderator=None
        ),
        lambda: reviews_moderate(
            review_ids=[one.pk], status="rejected", moderator=None
        ),
        lambda: reviews_moderate(
            review_ids=[three.pk], status="rejected", moderator=None
        ),
        lambda: reviews_moderate(
            review_ids=[one.pk], status="approved", moderator=None
        ),
        lambda: review_edit(author=five.author, review_id=five.pk, rating=2),
        lambda: reviews_moderate(
            review_ids=[five.pk], status="approved", moderator=None
        ),
        lambda: review_delete(author=one.author, review_id=one.pk),
    ]
    expected_counts = [1, 2, 2, 1, 2, 1, 2, 1]
    for step, count in zip(steps, expected_counts, strict=True):
        step()
        assert kept(product) == recomputed(product)
        assert kept(product)[0] == count
    assert kept(product) == (1, 2, (0, 1, 0, 0, 0))
    listing = ProductListing.objects.get(pk=product.pk)
    assert (str(listing.rating_average), listing.rating_count) == ("2.00", 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_moderation_of_many_reviews_of_one_product_leaves_exact_sums():
    product = create_product(stock=100)
    reviews = [review_of(product, rating=1 + n % 5) for n in range(24)]
    admin = UserFactory(is_staff=True)
    rng = random.Random(7)
    # Each thread decides its own reviews several times over, through the API.
    plans = [
        [(r.pk, rng.choice(["approved", "rejected"])) for r in reviews[i::6]] * 3
        for i in range(6)
    ]
    errors: list = []
    barrier = threading.Barrier(len(plans))

    def moderate(plan):
        client = client_for(admin)
        try:
            barrier.wait(timeout=30)
            for review_id, status in plan:
                response = client.post(
                    f"/api/v1/reviews/{review_id}/moderate/",
                    {"status": status},
                    format="json",
                )
                if response.status_code not in (200, 409):
                    errors.append(response.content)
        finally:
            connection.close()

    threads = [threading.Thread(target=moderate, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert kept(product) == recomputed(product)
    # And bulk decisions racing single ones over the same rows.
    ids = [r.pk for r in reviews]

    def bulk(status):
        try:
            reviews_moderate(
                review_ids=ids, status=status, moderator=admin, skip_invalid=True
            )
        finally:
            connection.close()

    racers = [threading.Thread(target=bulk, args=(s,)) for s in ("approved",) * 2] + [
        threading.Thread(target=bulk, args=("rejected",))
    ]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join(timeout=120)
    assert kept(product) == recomputed(product)
    listing = ProductListing.objects.get(pk=product.pk)
    count, total, _ = recomputed(product)
    assert listing.rating_count == count
    if count:
        assert abs(float(listing.rating_average) - total / count) < 0.006
