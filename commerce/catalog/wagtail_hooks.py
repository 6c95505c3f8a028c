"""Editor hooks for products: stock for new pages, archiving instead of deleting,
the synonyms snippet and the report of searches that found nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from cms.models import ProductPage
from commerce.inventory.services import stock_record_ensure

from . import services
from .search_admin import SearchMissesReportView, SynonymViewSet
from .selectors import products_in_orders


@hooks.register("after_create_page")
def give_new_products_a_stock_record(request, page):
    """A product made in the admin starts with stock 0, adjusted from Stock."""
    if isinstance(page.specific, ProductPage):
        stock_record_ensure(product_id=page.pk)


def _archive_instead(request, product: ProductPage) -> TemplateResponse:
    return TemplateResponse(
        request,
        "catalog/admin/archive_instead_of_delete.html",
        {
            "page": product,
            "archive_url": reverse("catalog_product_archive", args=[product.pk]),
        },
    )


def _ordered_products_under(page) -> list[ProductPage]:
    candidates = ProductPage.objects.descendant_of(page, inclusive=True)
    ordered = products_in_orders(
        product_ids=list(candidates.values_list("pk", flat=True))
    )
    return list(candidates.filter(pk__in=ordered).order_by("title"))


@hooks.register("before_delete_page")
def refuse_deleting_products_that_were_ordered(request, page):
    """Order history points at the product: offer archiving, which keeps it.

    A category holding ordered products cannot be deleted either; the editor is
    shown which products to archive or move first.
    """
    ordered = _ordered_products_under(page)
    if not ordered:
        return None
    if isinstance(page.specific, ProductPage):
        return _archive_instead(request, page.specific)
    return TemplateResponse(
        request,
        "catalog/admin/category_has_ordered_products.html",
        {"page": page, "products": ordered},
    )


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_ordered_products(request, action_type, objects, action):
    if action_type != "delete":
        return None
    for page in objects:
        response = refuse_deleting_products_that_were_ordered(request, page)
        if response is not None:
            return response
    return None


@require_POST
def archive_product_view(request, page_id: int):
    product = get_object_or_404(ProductPage, pk=page_id)
    if not product.permissions_for_user(request.user).can_unpublish():
        raise PermissionDenied
    services.product_archive(product_id=product.pk, actor=request.user)
    messages.success(
        request,
        f"“{product.title}” is archived: hidden from the shop, kept for orders.",
    )
    return redirect("wagtailadmin_explore", product.get_parent().pk)


@require_POST
def restore_product_view(request, page_id: int):
    product = get_object_or_404(ProductPage, pk=page_id)
    if not product.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    services.product_restore(product_id=product.pk, actor=request.user)
    messages.success(request, f"“{product.title}” is restored and live again.")
    return redirect("wagtailadmin_explore", product.get_parent().pk)


@hooks.register("register_admin_urls")
def catalog_admin_urls():
    return [
        path(
            "catalog/products/<int:page_id>/archive/",
            archive_product_view,
            name="catalog_product_archive",
        ),
        path(
            "catalog/products/<int:page_id>/restore/",
            restore_product_view,
            name="catalog_product_restore",
        ),
    ]


@hooks.register("register_admin_urls")
def search_report_urls():
    return [
        path(
            "reports/search-misses/",
            SearchMissesReportView.as_view(),
            name="catalog_search_misses",
        ),
        path(
            "reports/search-misses/results/",
            SearchMissesReportView.as_view(results_only=True),
            name="catalog_search_misses_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def search_misses_menu_item():
    return MenuItem(
        "Searches that found nothing",
        reverse("catalog_search_misses"),
        name="search-misses",
        icon_name="search",
        order=900,
    )


register_snippet(SynonymViewSet)
