"""The moderation queue in Wagtail's admin, driven as staff through the test client."""

import pytest

from commerce.reviews.models import ProductRating, Review
from realtime.models import Notification
from tests.conftest import admin_login
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.reviews import review_of

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/"


@pytest.fixture
def desk():
    return admin_login(UserFactory(is_staff=True))


def test_the_queue_filters_by_status_rating_and_product(desk):
    kettle = create_product(title="Kettle")
    toaster = create_product(title="Toaster")
    low = review_of(kettle, rating=1)
    high = review_of(toaster, rating=5, approve=True)
    page = desk.get(QUEUE)
    assert page.status_code == 200
    html = page.content.decode()
    assert low.title in html and high.title in html
    pending = desk.get(QUEUE, {"status": "pending"}).content.decode()
    assert f"/admin/reviews/inspect/{low.pk}/" in pending
    assert f"/admin/reviews/inspect/{high.pk}/" not in pending
    five = desk.get(QUEUE, {"rating": "5"}).content.decode()
    assert f"/admin/reviews/inspect/{high.pk}/" in five
    assert f"/admin/reviews/inspect/{low.pk}/" not in five
    by_product = desk.get(QUEUE, {"product": kettle.pk}).content.decode()
    assert f"/admin/reviews/inspect/{low.pk}/" in by_product
    assert f"/admin/reviews/inspect/{high.pk}/" not in by_product


def test_the_inspect_view_shows_the_review_beside_product_and_order(desk):
    review = review_of(create_product(title="Kettle"), rating=2)
    Review.objects.filter(pk=review.pk).update(body="<script>alert(1)</script>")
    html = desk.get(f"/admin/reviews/inspect/{review.pk}/").content.decode()
    assert "Kettle" in html
    assert review.order_line.order.number in html
    assert "<script>alert(1)</script>" not in html  # escaped, never markup
    assert "&lt;script&gt;" in html


def test_approving_from_the_inspect_view_counts_the_review(desk):
    review = review_of(create_product(), rating=4)
    response = desk.post(f"/admin/reviews/approved/{review.pk}/")
    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).status == "approved"
    assert ProductRating.objects.get(pk=review.product_id).total == 4
    assert desk.post(f"/admin/reviews/approved/{review.pk}/").status_code == 302
    assert ProductRating.objects.get(pk=review.product_id).count == 1


def test_bulk_approve_and_reject_go_through_the_moderation_service(desk):
    product = create_product()
    reviews = [review_of(product, rating=r) for r in (2, 4, 5)]
    ids = "&".join(f"id={r.pk}" for r in reviews)
    url = f"/admin/bulk/reviews/review/approve_reviews/?next={QUEUE}&{ids}"
    assert desk.get(url).status_code == 200
    assert desk.post(url).status_code == 302
    rating = ProductRating.objects.get(pk=product.pk)
    assert (rating.count, rating.total) == (3, 11)
    bulk = "/admin/bulk/reviews/review"
    reject = f"{bulk}/reject_reviews/?next={QUEUE}&id={reviews[0].pk}"
    assert desk.post(reject).status_code == 302
    rating.refresh_from_db()
    assert (rating.count, rating.total, rating.stars_2) == (2, 9, 0)
    assert Notification.objects.filter(kind="review_moderated").count() == 4


def test_nobody_edits_a_review_as_a_form_and_customers_see_no_queue(desk):
    review = review_of(create_product())
    assert desk.get(f"/admin/reviews/edit/{review.pk}/").status_code in (302, 403)
    assert desk.post(f"/admin/reviews/delete/{review.pk}/").status_code in (302, 403)
    assert Review.objects.filter(pk=review.pk).exists()
    outsider = admin_login(UserFactory())
    assert outsider.get(QUEUE).status_code in (302, 403)
    outsider.post(f"/admin/reviews/approved/{review.pk}/")
    assert Review.objects.get(pk=review.pk).status == "pending"
