"""The order desk in Wagtail's admin: listing, inspect view, lifecycle actions, panel.

Orders are never edited as forms: every status change is one of the action views
below, each calling `order_transition`, so the admin obeys the same status machine,
stock rules and audit trail as the API.
"""

from decimal import Decimal

import django_filters
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from nexus.admin_permissions import RefusingPermissionPolicy, is_active_staff
from nexus.errors import DomainError

from .models import TRANSITION_SOURCES, Order, OrderStatus
from .services import order_transition


class OrderPermissionPolicy(RefusingPermissionPolicy):
    """Staff (the `admin` role) run the desk. Nobody adds, edits or deletes orders
    through a form: only "view" is open, so Wagtail's edit view stays shut, and status
    moves only through the action views, which ask `user_may_move_orders`."""

    def user_may_move_orders(self, user) -> bool:
        return is_active_staff(user)


order_permission_policy = OrderPermissionPolicy(
    Order, allowed={"view"}, grant=is_active_staff
)


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label="All")
    created_at = django_filters.DateFromToRangeFilter(
        label="Placed", widget=DateRangePickerWidget
    )

    class Meta:
        model = Order
        fields = ["status", "created_at"]


class OrderIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().order_by("-created_at", "-id")


class OrderInspectView(InspectView):
    template_name = "orders/admin/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Order.objects.select_related("user").prefetch_related(
                "lines", "events__actor"
            ),
            pk=self.pk,
        )

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                action.label,
                url=reverse(f"orders:{action.slug}", args=[self.object.pk]),
                icon_name=action.icon,
            )
            for action in ORDER_ACTIONS
            if self.object.status in TRANSITION_SOURCES[action.target_status]
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = self.object.lines.all()
        context["events"] = self.object.events.all()
        return context


class OrderActionView(View):
    """Confirm (GET) and apply (POST) one status change through `order_transition`."""

    target_status: str = ""
    slug: str = ""
    label: str = ""
    icon: str = "arrow-right"
    template_name = "orders/admin/confirm_action.html"

    def dispatch(self, request, pk: int):
        if not order_permission_policy.user_may_move_orders(request.user):
            raise PermissionDenied
        self.order = get_object_or_404(Order, pk=pk)
        return super().dispatch(request, pk)

    def inspect_url(self) -> str:
        return reverse("orders:inspect", args=[self.order.pk])

    def get(self, request, pk: int):
        return TemplateResponse(
            request,
            self.template_name,
            {"order": self.order, "action": self, "inspect_url": self.inspect_url()},
        )

    def post(self, request, pk: int):
        try:
            order_transition(
                order_id=self.order.pk,
                to_status=self.target_status,
                actor=request.user,
                note=request.POST.get("note", "")[:255],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request, f"Order {self.order.number} is now {self.target_status}."
            )
        return redirect(self.inspect_url())


class MarkPaidView(OrderActionView):
    target_status, slug, label, icon = (
        OrderStatus.PAID,
        "mark_paid",
        "Mark paid",
        "tick",
    )


class MarkShippedView(OrderActionView):
    target_status, slug, label = OrderStatus.SHIPPED, "mark_shipped", "Mark shipped"


class MarkDeliveredView(OrderActionView):
    target_status, slug, label = (
        OrderStatus.DELIVERED,
        "mark_delivered",
        "Mark delivered",
    )
    icon = "tick-inverse"


class CancelOrderView(OrderActionView):
    target_status, slug, label, icon = (
        OrderStatus.CANCELLED,
        "cancel",
        "Cancel order",
        "cross",
    )


class MarkRefundedView(OrderActionView):
    """Records a refund made elsewhere; money moves through the payments API."""

    target_status, slug, label, icon = (
        OrderStatus.REFUNDED,
        "mark_refunded",
        "Mark refunded",
        "undo",
    )


ORDER_ACTIONS = [
    MarkPaidView,
    MarkShippedView,
    MarkDeliveredView,
    CancelOrderView,
    MarkRefundedView,
]


class OrderViewSet(ModelViewSet):
    model = Order
    name = "orders"
    menu_label = "Orders"
    icon = "list-ul"
    add_to_admin_menu = True
    menu_order = 240
    index_view_class = OrderIndexView
    inspect_view_class = OrderInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Wagtail would re-index an order's references on every save, inside checkout's
    # request; order lines already PROTECT the products they name.
    add_to_reference_index = False
    list_display = ["number", "email", "status", "total", "currency", "created_at"]
    filterset_class = OrderFilterSet
    search_fields = ["number", "email", "user__email"]
    search_backend_name = None
    list_export = [
        "number",
        "email",
        "status",
        "subtotal",
        "total",
        "currency",
        "created_at",
    ]
    export_filename = "orders"
    form_fields = ["status"]  # ModelViewSet needs a form; the policy refuses edits

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(f"{action.slug}/<int:pk>/", action.as_view(), name=action.slug)
            for action in ORDER_ACTIONS
        ]


class TodaysOrdersPanel(Component):
    """Dashboard panel: orders placed today and what they bring in."""

    name = "todays_orders"
    order = 40
    template_name = "orders/admin/todays_orders_panel.html"

    def get_context_data(self, parent_context=None):
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        kept = ~Q(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        figures = Order.objects.filter(created_at__gte=start).aggregate(
            placed=Count("id"),
            kept=Count("id", filter=kept),
            revenue=Sum("total", filter=kept),
        )
        return {
            **figures,
            "revenue": figures["revenue"] or Decimal("0.00"),
            "currency": settings.CURRENCY,
            "since": start,
        }
