"""Wagtail admin: the payment events inbox (with replay) and the order desk's
payments panel with its refund form.

Nothing here changes a payment by itself: replay runs the inbox's own
`event_apply`, and the refund form calls the same `refund_request` as the API.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from commerce.orders.models import Order
from nexus.admin_permissions import RefusingPermissionPolicy, is_active_staff
from nexus.errors import DomainError

from .inbox import event_apply
from .models import PaymentEvent, Provider
from .refunds import refund_request
from .selectors import payments_of_order

event_permission_policy = RefusingPermissionPolicy(
    PaymentEvent, allowed={"view"}, grant=is_active_staff
)


class PaymentEventFilterSet(WagtailFilterSet):
    provider = django_filters.ChoiceFilter(choices=Provider.choices)
    state = django_filters.ChoiceFilter(
        choices=[("applied", "Applied"), ("failed", "Failed"), ("pending", "Pending")],
        method="filter_state",
        empty_label="All",
    )

    class Meta:
        model = PaymentEvent
        fields = ["provider", "state"]

    def filter_state(self, queryset, name, value):
        if value == "applied":
            return queryset.filter(applied_at__isnull=False)
        if value == "failed":
            return queryset.filter(applied_at__isnull=True).exclude(error="")
        if value == "pending":
            return queryset.filter(Q(applied_at__isnull=True) & Q(error=""))
        return queryset


class PaymentEventIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().order_by("-received_at", "-id")


class PaymentEventInspectView(InspectView):
    template_name = "payments/admin/event_inspect.html"

    @property
    def header_buttons(self):
        if self.object.applied_at:
            return []
        return [
            HeaderButton(
                "Replay",
                url=reverse("payment_events:replay", args=[self.object.pk]),
                icon_name="rotate",
            )
        ]


def event_replay_view(request, pk: int):
    """GET: confirm; POST: apply the event again (only one not yet applied)."""
    if not event_permission_policy.user_has_permission(request.user, "view"):
        raise PermissionDenied
    event = get_object_or_404(PaymentEvent, pk=pk)
    inspect_url = reverse("payment_events:inspect", args=[pk])
    if request.method == "POST":
        if event.applied_at:
            messages.info(request, "This event was already applied.")
        else:
            event = event_apply(event_pk=pk)
            if event.applied_at:
                messages.success(request, f"Applied: {event.outcome}")
            else:
                messages.error(request, f"Failed again: {event.error}")
        return redirect(inspect_url)
    return TemplateResponse(
        request,
        "payments/admin/event_replay.html",
        {"event": event, "inspect_url": inspect_url},
    )


class PaymentEventViewSet(ModelViewSet):
    model = PaymentEvent
    name = "payment_events"
    menu_label = "Payment events"
    icon = "tasks"
    add_to_admin_menu = True
    menu_order = 245
    index_view_class = PaymentEventIndexView
    inspect_view_class = PaymentEventInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = ["type", "provider", "event_id", "state", "attempts", "received_at"]
    inspect_view_fields = [
        "provider",
        "event_id",
        "type",
        "received_at",
        "applied_at",
        "attempts",
        "outcome",
        "error",
    ]
    filterset_class = PaymentEventFilterSet
    search_fields = ["event_id", "type"]
    search_backend_name = None
    form_fields = ["type"]  # ModelViewSet needs a form; the policy refuses edits

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("replay/<int:pk>/", event_replay_view, name="replay")
        ]


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty to refund everything not yet refunded.",
    )
    reason = forms.CharField(max_length=255, required=False)


def payments_panel(request, order: Order) -> SafeString:
    """The order desk's payments panel: each payment with its refunds, and a
    refund form for staff posting to `order_refund_view`."""
    payments = list(payments_of_order(order_id=order.pk))
    refundable = sum((payment.refundable for payment in payments), Decimal("0"))
    html = render_to_string(
        "payments/admin/order_panel.html",
        {
            "order": order,
            "payments": payments,
            "refundable": refundable,
            "form": RefundForm(),
            "refund_url": reverse("payments_order_refund", args=[order.pk]),
            "may_refund": is_active_staff(request.user) and refundable > 0,
        },
        request=request,
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped


@require_POST
def order_refund_view(request, order_id: int):
    """The desk's refund action: the same `refund_request` as the API."""
    if not is_active_staff(request.user):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=order_id)
    back = reverse("orders:inspect", args=[order.pk])
    form = RefundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    try:
        refund = refund_request(
            order_id=order.pk,
            amount=form.cleaned_data["amount"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            f"Refund of {refund.amount} {refund.payment.currency} on order "
            f"{order.number}: {refund.status}.",
        )
    return redirect(back)
