"""/api/v1/ routes of payments."""

from django.urls import path

from . import api, webhooks

urlpatterns = [
    path("orders/<int:order_id>/pay/", api.OrderPayView.as_view(), name="order-pay"),
    path(
        "orders/<int:order_id>/refund/",
        api.OrderRefundView.as_view(),
        name="order-refund",
    ),
    path(
        "payments/<int:payment_id>/confirm/",
        api.PaymentConfirmView.as_view(),
        name="payment-confirm",
    ),
    path(
        "payments/webhooks/stripe/",
        webhooks.StripeWebhookView.as_view(),
        name="webhook-stripe",
    ),
    path(
        "payments/webhooks/paypal/",
        webhooks.PayPalWebhookView.as_view(),
        name="webhook-paypal",
    ),
]
