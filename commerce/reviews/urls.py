"""/api/v1/ routes of reviews."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "products/<int:product_id>/reviews/",
        api.ProductReviewsView.as_view(),
        name="product-reviews",
    ),
    path("reviews/<int:review_id>/", api.ReviewDetailView.as_view(), name="review"),
    path(
        "reviews/<int:review_id>/moderate/",
        api.ReviewModerateView.as_view(),
        name="review-moderate",
    ),
    path(
        "reviews/<int:review_id>/helpful/",
        api.ReviewHelpfulView.as_view(),
        name="review-helpful",
    ),
]
