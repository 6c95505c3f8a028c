"""Registers the order desk, its line items and the today's-orders dashboard panel."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_exports import OrderLineViewSet, order_line_permission_policy
from .admin_views import OrderViewSet, TodaysOrdersPanel, order_permission_policy
from .models import Order, OrderLine

register_permission_policy(Order, order_permission_policy)
register_permission_policy(OrderLine, order_line_permission_policy)


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return OrderViewSet()


@hooks.register("register_admin_viewset")
def register_order_line_viewset():
    return OrderLineViewSet()


@hooks.register("construct_homepage_panels")
def add_todays_orders_panel(request, panels):
    if order_permission_policy.user_has_permission(request.user, "view"):
        panels.append(TodaysOrdersPanel())
