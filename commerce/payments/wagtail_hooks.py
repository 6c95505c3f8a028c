"""Registers the payment events inbox, the desk's refund URL and its payments panel."""

from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_views import (
    PaymentEventViewSet,
    event_permission_policy,
    order_refund_view,
    payments_panel,
)
from .models import PaymentEvent

register_permission_policy(PaymentEvent, event_permission_policy)


@hooks.register("register_admin_viewset")
def register_payment_event_viewset():
    return PaymentEventViewSet()


@hooks.register("register_admin_urls")
def register_refund_url():
    return [
        path(
            "payments/refund/<int:order_id>/",
            order_refund_view,
            name="payments_order_refund",
        )
    ]


# The order desk's detail page renders every function registered here.
hooks.register("order_desk_panels", payments_panel)
