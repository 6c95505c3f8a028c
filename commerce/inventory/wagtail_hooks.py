"""Registers the stock screens and the low-stock dashboard panel in Wagtail's admin."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_views import LowStockPanel, StockRecordViewSet, stock_permission_policy
from .models import StockRecord

register_permission_policy(StockRecord, stock_permission_policy)


@hooks.register("register_admin_viewset")
def register_stock_viewset():
    return StockRecordViewSet()


@hooks.register("construct_homepage_panels")
def add_low_stock_panel(request, panels):
    if stock_permission_policy.user_has_permission(request.user, "change"):
        panels.append(LowStockPanel())
