"""/api/v1/ routes of the wishlist."""

from django.urls import path

from . import api

urlpatterns = [
    path("wishlist/", api.WishlistView.as_view(), name="wishlist"),
    path(
        "wishlist/<int:product_id>/",
        api.WishlistItemView.as_view(),
        name="wishlist-item",
    ),
]
