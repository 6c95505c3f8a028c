"""/api/v1/: each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("auth/", include("commerce.accounts.urls")),
    path("", include("commerce.catalog.urls")),
    path("", include("commerce.cart.urls")),
    path("", include("commerce.orders.urls")),
    path("", include("realtime.urls")),
]
