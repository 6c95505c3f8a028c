"""Reviews over the API: who may write one, what shoppers see, edits and deletes."""

import pytest

from commerce.catalog.services import product_archive
from commerce.reviews.models import ProductRating, Review
from realtime.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import bought
from tests.factories.reviews import review_of

pytestmark = pytest.mark.django_db

GOOD = {"rating": 5, "title": "Great kettle", "body": "Boils fast."}


def reviews_url(product) -> str:
    return f"/api/v1/products/{product.pk}/reviews/"


@pytest.mark.parametrize("status", ["paid", "shipped", "delivered"])
def test_a_buyer_of_a_paid_or_later_order_reviews_once_pending_and_verified(status):
    product, buyer = create_product(), UserFactory()
    bought(buyer, product, status=status)
    client = client_for(buyer)
    response = client.post(reviews_url(product), GOOD, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["verified"] is True
    assert body["rating"] == 5
    review = Review.objects.get(pk=body["id"])
    assert review.order_line.order.user == buyer
    assert review.order_line.product_id == product.pk
    again = client.post(reviews_url(product), GOOD, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_reviewed"
    assert again.json()["review_id"] == review.pk
    assert Review.objects.count() == 1


@pytest.mark.parametrize("status", ["pending", "cancelled", "refunded"])
def test_an_order_not_paid_or_taken_back_does_not_verify_a_buyer(status):
    product, shopper = create_product(), UserFactory()
    bought(shopper, product, status=status)
    response = client_for(shopper).post(reviews_url(product), GOOD, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_purchaser"
    assert not Review.objects.exists()


def test_anonymous_is_401_and_someone_who_bought_another_product_403(api_client):
    product, other = create_product(), create_product()
    shopper = UserFactory()
    bought(shopper, other)
    assert api_client.post(reviews_url(product), GOOD, format="json").status_code == 401
    response = client_for(shopper).post(reviews_url(product), GOOD, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "five"},
        {"title": ""},
        {"title": "x" * 121},
    ],
)
def test_a_rating_outside_one_to_five_or_a_bad_title_is_400(change):
    product, buyer = create_product(), UserFactory()
    bought(buyer, product)
    response = client_for(buyer).post(
        reviews_url(product), {**GOOD, **change}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == set(change)
    assert not Review.objects.exists()


def test_markup_is_removed_and_plain_text_kept():
    product, buyer = create_product(), UserFactory()
    bought(buyer, product)
    response = client_for(buyer).post(
        reviews_url(product),
        {
            "rating": 4,
            "title": "<b>Bold</b> claim",
            "body": "I <3 it.<script>alert(1)</script> 2 < 3",
        },
        format="json",
    )
    assert response.status_code == 201
    review = Review.objects.get()
    assert review.title == "Bold claim"
    # Tags go; a "<" that opens no tag is text and stays.
    assert review.body == "I <3 it.alert(1) 2 < 3"
    only_markup = client_for(UserFactory()).post(
        reviews_url(product), {}, format="json"
    )
    assert only_markup.status_code == 403


def test_the_list_shows_approved_reviews_newest_first_with_the_histogram(api_client):
    product = create_product()
    older = review_of(product, rating=5, approve=True)
    newer = review_of(product, rating=2, approve=True)
    review_of(product, rating=1)  # pending: not shown, not counted
    response = api_client.get(reviews_url(product))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [newer.pk, older.pk]
    first = body["results"][0]
    assert set(first) >= {"id", "rating", "title", "body", "author_name", "created_at"}
    assert "@" not in first["author_name"]
    assert body["rating"] == {
        "average": "3.50",
        "count": 2,
        "histogram": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
    }
    page = api_client.get(reviews_url(product), {"page_size": 1, "page": 2}).json()
    assert [r["id"] for r in page["results"]] == [older.pk]


def test_the_product_payload_and_rating_order_follow_moderation(api_client):
    product, other = create_product(), create_product()
    review_of(product, rating=3, approve=True)
    review_of(other, rating=5, approve=True)
    detail = api_client.get(f"/api/v1/products/{product.pk}/").json()
    assert detail["rating"] == {"average": "3.00", "count": 1}
    listed = api_client.get("/api/v1/products/", {"ordering": "-rating"}).json()
    ids = [p["id"] for p in listed["results"]]
    assert ids.index(other.pk) < ids.index(product.pk)


def test_reviews_of_an_unknown_or_archived_product_are_404(api_client):
    product = create_product()
    review_of(product, approve=True)
    product_archive(product_id=product.pk, actor=None)
    assert api_client.get(reviews_url(product)).status_code == 404
    assert api_client.get("/api/v1/products/999999/reviews/").status_code == 404
    assert api_client.get(reviews_url(product), {"ordering": "x"}).status_code in (
        400,
        404,
    )


def test_the_author_edits_back_to_pending_and_out_of_the_rating():
    product = create_product()
    review = review_of(product, rating=5, approve=True)
    client = client_for(review.author)
    response = client.patch(
        f"/api/v1/reviews/{review.pk}/", {"rating": 2}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["rating"] == 2
    rating = ProductRating.objects.get(pk=product.pk)
    assert (rating.count, rating.total, rating.stars_5) == (0, 0, 0)
    stranger = client_for(UserFactory())
    assert (
        stranger.patch(f"/api/v1/reviews/{review.pk}/", {"rating": 1}, format="json")
    ).status_code == 404
    assert stranger.delete(f"/api/v1/reviews/{review.pk}/").status_code == 404


def test_a_rejected_review_cannot_be_edited():
    review = review_of(create_product())
    client_for(UserFactory(is_staff=True)).post(
        f"/api/v1/reviews/{review.pk}/moderate/", {"status": "rejected"}, format="json"
    )
    response = client_for(review.author).patch(
        f"/api/v1/reviews/{review.pk}/", {"title": "Again"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_the_author_deletes_an_approved_review_and_the_rating_drops():
    product = create_product()
    kept = review_of(product, rating=4, approve=True)
    gone = review_of(product, rating=2, approve=True)
    response = client_for(gone.author).delete(f"/api/v1/reviews/{gone.pk}/")
    assert response.status_code == 204
    rating = ProductRating.objects.get(pk=product.pk)
    assert (rating.count, rating.total, rating.stars_2, rating.stars_4) == (1, 4, 0, 1)
    assert Review.objects.get().pk == kept.pk
    again = client_for(gone.author).post(reviews_url(product), GOOD, format="json")
    assert again.status_code == 201  # deleted, so they may review anew


def test_moderation_is_for_staff_and_notifies_the_author_once_per_decision():
    review = review_of(create_product())
    url = f"/api/v1/reviews/{review.pk}/moderate/"
    assert (
        client_for(review.author).post(url, {"status": "approved"}, format="json")
    ).status_code == 403
    admin = client_for(UserFactory(is_staff=True))
    assert admin.post(url, {"status": "published"}, format="json").status_code == 400
    assert admin.post(url, {"status": "approved"}, format="json").status_code == 200
    repeat = admin.post(url, {"status": "approved"}, format="json")
    assert repeat.status_code == 409
    assert repeat.json()["code"] == "invalid_transition"
    assert admin.post(url, {"status": "rejected"}, format="json").status_code == 200
    assert (
        admin.post(
            "/api/v1/reviews/999999/moderate/", {"status": "approved"}, format="json"
        ).status_code
        == 404
    )
    sent = Notification.objects.filter(user=review.author, kind="review_moderated")
    assert [n.data["status"] for n in sent.order_by("id")] == ["approved", "rejected"]
