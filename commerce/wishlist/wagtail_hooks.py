"""Dashboard panel: the most wished-for products that are out of stock."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from nexus.admin_permissions import is_active_staff

from .selectors import most_wished_out_of_stock


class WishedOutOfStockPanel(Component):
    """Demand a merchant cannot serve yet: out-of-stock products by fans."""

    name = "most_wished_out_of_stock"
    order = 60
    template_name = "wishlist/admin/wished_out_of_stock_panel.html"

    def get_context_data(self, parent_context=None):
        return {"products": list(most_wished_out_of_stock(limit=10))}


@hooks.register("construct_homepage_panels")
def add_wished_out_of_stock_panel(request, panels):
    if is_active_staff(request.user):
        panels.append(WishedOutOfStockPanel())
