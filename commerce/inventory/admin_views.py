"""Wagtail admin screens for stock: the listing, the adjust form, the dashboard panel.

Stock is never edited as a plain field: the listing's edit form only sets the alert
threshold, and every change of quantity goes through `stock_adjust`, which records
who changed it, by how much and why.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import MenuItem

from nexus.admin_permissions import RefusingPermissionPolicy

from .errors import InsufficientStock
from .models import StockAdjustment, StockRecord
from .selectors import stock_adjustments_recent, stock_records_low
from .services import stock_adjust

MAX_DELTA = 1_000_000
# Sales and cancellations are recorded by checkout, never typed in by an editor.
EDITOR_REASONS = [
    (value, label)
    for value, label in StockAdjustment.Reason.choices
    if value not in {StockAdjustment.Reason.ORDER, StockAdjustment.Reason.CANCELLATION}
]


# Stock rows come with products and go with them: no adding or deleting here.
stock_permission_policy = RefusingPermissionPolicy(
    StockRecord, refused={"add", "delete"}
)


YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no_filter(label: str, method) -> django_filters.ChoiceFilter:
    """A filter offered as Any / Yes / No, whose active filter reads
    "<label>: Yes" (not a select of Unknown / True / False)."""
    return django_filters.ChoiceFilter(
        label=label,
        choices=YES_NO,
        empty_label="Any",
        widget=forms.RadioSelect,
        method=method,
    )


def _low_stock(queryset, name, value):
    below = {"quantity__lt": F("low_stock_threshold")}
    if value == "yes":
        return queryset.filter(**below)
    if value == "no":
        return queryset.exclude(**below)
    return queryset


class StockFilterSet(WagtailFilterSet):
    low_stock = yes_no_filter("Low stock", _low_stock)

    class Meta:
        model = StockRecord
        fields: list[str] = []


class StockIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("product")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.insert(
            0,
            MenuItem(
                "Adjust stock",
                url=reverse("stock:adjust", args=[instance.pk]),
                icon_name="plus-inverse",
                priority=5,
            ),
        )
        return buttons


class StockAdjustForm(forms.Form):
    delta = forms.IntegerField(
        label="Change",
        min_value=-MAX_DELTA,
        max_value=MAX_DELTA,
        help_text="Units to add (positive) or remove (negative).",
    )
    reason = forms.ChoiceField(choices=EDITOR_REASONS)
    note = forms.CharField(
        max_length=255, required=False, help_text="e.g. the delivery note number."
    )

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError("A change of 0 changes nothing.")
        return delta


def stock_adjust_view(request, pk: int):
    record = get_object_or_404(StockRecord.objects.select_related("product"), pk=pk)
    if not stock_permission_policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    form = StockAdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stock_adjust(
                product_id=record.product_id,
                delta=form.cleaned_data["delta"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except InsufficientStock as error:
            form.add_error("delta", f"Only {error.available} in stock to remove.")
        else:
            messages.success(request, f"Stock of “{record.product.title}” adjusted.")
            return redirect("stock:index")
    return TemplateResponse(
        request,
        "inventory/admin/adjust.html",
        {
            "record": record,
            "form": form,
            "adjustments": stock_adjustments_recent(record=record),
        },
    )


class StockRecordViewSet(ModelViewSet):
    model = StockRecord
    name = "stock"
    menu_label = "Stock"
    icon = "tasks"
    add_to_admin_menu = True
    menu_order = 250
    index_view_class = StockIndexView
    list_display = ["product", "quantity", "low_stock_threshold", "updated_at"]
    filterset_class = StockFilterSet
    search_fields = ["product__title", "product__sku"]
    search_backend_name = None
    form_fields = ["low_stock_threshold"]
    copy_view_enabled = False

    @property
    def adjust_view(self):
        return stock_adjust_view

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("adjust/<int:pk>/", self.adjust_view, name="adjust")
        ]


class LowStockPanel(Component):
    """Dashboard panel: the products running out, emptiest first."""

    name = "low_stock"
    order = 50
    template_name = "inventory/admin/low_stock_panel.html"
    shown = 10

    def get_context_data(self, parent_context=None):
        records = stock_records_low()
        return {"records": records[: self.shown], "total": records.count()}
