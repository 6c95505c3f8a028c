"""Order line items in the admin: a read-only listing exported as CSV or XLSX.

The order desk exports one row per order; accountants and warehouses want one row
per product sold. This second Wagtail viewset over OrderLine filters by the same
order status and date as the desk, and Wagtail's export writes each row with its
order's number, date, status and customer.
"""

import django_filters
from django.urls import reverse
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from nexus.admin_permissions import RefusingPermissionPolicy, is_active_staff

from .models import OrderLine, OrderStatus

order_line_permission_policy = RefusingPermissionPolicy(
    OrderLine, allowed={"view"}, grant=is_active_staff
)


class OrderLineFilterSet(WagtailFilterSet):
    # The desk's own filter names, so its query string carries over unchanged.
    status = django_filters.ChoiceFilter(
        field_name="order__status", choices=OrderStatus.choices, empty_label="All"
    )
    created_at = django_filters.DateFromToRangeFilter(
        field_name="order__created_at", label="Placed", widget=DateRangePickerWidget
    )

    class Meta:
        model = OrderLine
        fields = ["status", "created_at"]


class OrderLineIndexView(IndexView):
    page_title = "Order line items"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("order")
            .order_by("-order__created_at", "-order_id", "id")
        )

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                "Orders",
                url=reverse("orders:index") + _query(self.request),
                icon_name="list-ul",
            )
        ]


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("p", None)
    return "?" + query.urlencode() if query else ""


class OrderLineViewSet(ModelViewSet):
    model = OrderLine
    name = "order_lines"
    icon = "list-ul"
    add_to_admin_menu = False  # reached from the order desk's header
    index_view_class = OrderLineIndexView
    inspect_view_enabled = False
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = ["order", "sku", "title", "unit_price", "quantity", "line_total"]
    filterset_class = OrderLineFilterSet
    search_fields = ["order__number", "order__email", "sku", "title"]
    search_backend_name = None
    list_export = [
        "order.number",
        "order.created_at",
        "order.status",
        "order.email",
        "sku",
        "title",
        "unit_price",
        "quantity",
        "line_total",
        "order.currency",
    ]
    export_headings = {
        "order.number": "Order",
        "order.created_at": "Placed",
        "order.status": "Status",
        "order.email": "Email",
        "sku": "SKU",
        "title": "Title",
        "unit_price": "Unit price",
        "quantity": "Quantity",
        "line_total": "Line total",
        "order.currency": "Currency",
    }
    export_filename = "order-lines"
    form_fields = ["quantity"]  # ModelViewSet needs a form; the policy refuses edits


def line_items_button(request) -> HeaderButton:
    """The desk's way to the line items, with its current filters."""
    return HeaderButton(
        "Line items",
        url=reverse("order_lines:index") + _query(request),
        icon_name="list-ul",
    )
