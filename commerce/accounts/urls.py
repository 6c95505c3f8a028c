"""/api/v1/auth/ routes."""

from django.urls import path

from . import api

urlpatterns = [
    path("register/", api.RegisterView.as_view(), name="auth-register"),
    path("token/", api.TokenView.as_view(), name="auth-token"),
    path("token/refresh/", api.RefreshView.as_view(), name="auth-token-refresh"),
    path("logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("me/", api.MeView.as_view(), name="auth-me"),
    path(
        "password/change/",
        api.PasswordChangeView.as_view(),
        name="auth-password-change",
    ),
    path(
        "password/reset/", api.PasswordResetView.as_view(), name="auth-password-reset"
    ),
    path(
        "password/reset/confirm/",
        api.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
]
