"""/api/v1/ routes of orders."""

from django.urls import path

from . import api

urlpatterns = [
    path("orders/", api.OrdersView.as_view(), name="orders"),
    path("orders/<int:order_id>/", api.OrderDetailView.as_view(), name="order"),
    path(
        "orders/<int:order_id>/cancel/",
        api.OrderCancelView.as_view(),
        name="order-cancel",
    ),
    path(
        "orders/<int:order_id>/status/",
        api.OrderStatusView.as_view(),
        name="order-status",
    ),
]
