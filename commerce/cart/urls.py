"""/api/v1/ routes of cart."""

from django.urls import path

from . import api

urlpatterns = [
    path("cart/", api.CartView.as_view(), name="cart"),
    path("cart/items/", api.CartItemsView.as_view(), name="cart-items"),
    path("cart/items/<int:item_id>/", api.CartItemView.as_view(), name="cart-item"),
]
