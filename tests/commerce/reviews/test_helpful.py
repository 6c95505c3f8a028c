"""Helpful votes: one per shopper, never on one's own review, and the ordering."""

import threading

import pytest
from django.db import connection

from commerce.reviews.models import Review, ReviewHelpfulVote
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.reviews import review_of


def helpful_url(review) -> str:
    return f"/api/v1/reviews/{review.pk}/helpful/"


@pytest.mark.django_db
def test_a_vote_counts_once_and_can_be_taken_back():
    review = review_of(create_product(), approve=True)
    client = client_for(UserFactory())
    first = client.post(helpful_url(review))
    assert first.status_code == 201
    assert first.json()["helpful_count"] == 1
    again = client.post(helpful_url(review))
    assert again.status_code == 200
    assert again.json()["helpful_count"] == 1
    assert client.delete(helpful_url(review)).status_code == 204
    assert Review.objects.get(pk=review.pk).helpful_count == 0


@pytest.mark.django_db
def test_nobody_votes_for_their_own_or_an_unapproved_review(api_client):
    approved = review_of(create_product(), approve=True)
    pending = review_of(create_product())
    own = client_for(approved.author).post(helpful_url(approved))
    assert own.status_code == 409
    assert own.json()["code"] == "own_review"
    assert client_for(UserFactory()).post(helpful_url(pending)).status_code == 404
    assert api_client.post(helpful_url(approved)).status_code == 401
    assert not ReviewHelpfulVote.objects.exists()


@pytest.mark.django_db
def test_ordering_by_helpful_puts_the_most_voted_first(api_client):
    product = create_product()
    plain, liked = review_of(product, approve=True), review_of(product, approve=True)
    for _ in range(2):
        client_for(UserFactory()).post(helpful_url(liked))
    listed = api_client.get(
        f"/api/v1/products/{product.pk}/reviews/", {"ordering": "-helpful"}
    ).json()
    assert [r["id"] for r in listed["results"]] == [liked.pk, plain.pk]
    assert listed["results"][0]["helpful_count"] == 2


@pytest.mark.django_db(transaction=True)
def test_one_shopper_voting_from_many_tabs_at_once_counts_once():
    review = review_of(create_product(), approve=True)
    voter = UserFactory()
    barrier = threading.Barrier(8)
    codes: list = []

    def vote():
        try:
            barrier.wait(timeout=30)
            codes.append(client_for(voter).post(helpful_url(review)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200] * 7 + [201]
    assert Review.objects.get(pk=review.pk).helpful_count == 1
