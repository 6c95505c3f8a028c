"""The order desk in Wagtail's admin: listing, inspect view, lifecycle actions, notes,
panel.

Orders are never edited as forms: every status change is one of the action views
below, each calling `order_transition`, so the admin obeys the same status machine,
stock rules and audit trail as the API.

Other apps add panels to an order's page through the `order_desk_panels` hook: each
registered `fn(request, order)` answers HTML (a SafeString, e.g. from
`format_html` or `render_to_string`; a plain str is escaped) or None to add nothing.
Payments shows the payment and its refunds there; orders knows nothing of them.
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
from django.utils.html import conditional_escape
from django.views import View
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from nexus.admin_permissions import RefusingPermissionPolicy, is_active_staff
from nexus.errors import DomainError

from .admin_exports import line_items_button
from .models import TRANSITION_SOURCES, Order, OrderStatus
from .selectors import order_timeline
from .services import order_note_add, order_transition

PANELS_HOOK = "order_desk_panels"


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

    @property
    def header_buttons(self):
        return [*super().header_buttons, line_items_button(self.request)]


class OrderInspectView(InspectView):
    template_name = "orders/admin/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Order.objects.select_related("user").prefetch_related(
                "lines", "events__actor", "notes__author"
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
        order = self.object
        context["lines"] = order.lines.all()
        context["events"] = order.events.all()
        context["timeline"] = order_timeline(order)
        context["customer_url"] = customer_edit_url(self.request.user, order.user)
        context["customer_orders_url"] = (
            reverse("orders:index") + "?q=" + order.user.email
        )
        context["may_add_notes"] = order_permission_policy.user_may_move_orders(
            self.request.user
        )
        context["note_url"] = reverse("orders:add_note", args=[order.pk])
        context["panels"] = desk_panels(self.request, order)
        return context


def customer_edit_url(viewer, customer) -> str | None:
    """The customer's page in Wagtail's user admin, for whoever may open it."""
    if viewer.has_perm(
        f"{customer._meta.app_label}.change_{customer._meta.model_name}"
    ):
        return reverse("wagtailusers_users:edit", args=[customer.pk])
    return None


def desk_panels(request, order: Order) -> list[str]:
    """The HTML of every `order_desk_panels` hook that has something to show."""
    panels = []
    for panel in hooks.get_hooks(PANELS_HOOK):
        html = panel(request, order)
        if html:
            panels.append(conditional_escape(html))
    return panels


class OrderNoteAddView(View):
    """Add a staff note (POST only) through `order_note_add`; back to the order."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        if not order_permission_policy.user_may_move_orders(request.user):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        try:
            order_note_add(
                order_id=order.pk, author=request.user, body=request.POST.get("body")
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, f"Note added to order {order.number}.")
        return redirect(reverse("orders:inspect", args=[order.pk]) + "#timeline")


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
        return [
            *super().get_urlpatterns(),
            *(
                path(f"{action.slug}/<int:pk>/", action.as_view(), name=action.slug)
                for action in ORDER_ACTIONS
            ),
            path("add_note/<int:pk>/", OrderNoteAddView.as_view(), name="add_note"),
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
