"""Editor hooks for products: initial stock, archive and restore, the product
listings and bulk actions, archiving instead of deleting ordered products, the
synonyms snippet and the report of searches that found nothing."""

from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from cms.models import ProductPage
from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import stock_record_ensure, stock_set

from . import admin_actions
from .admin_listing import ProductListingViewSet, ProductPageViewSet
from .bulk_actions import PRODUCT_BULK_ACTIONS
from .listing import listing_sync
from .search_admin import SearchMissesReportView, SynonymViewSet
from .selectors import products_in_orders


def _apply_initial_stock(request, product: ProductPage) -> None:
    quantity = getattr(product, "initial_stock", None)
    if quantity is not None:
        stock_set(
            product_id=product.pk,
            quantity=quantity,
            reason=StockAdjustment.Reason.INITIAL,
            actor=request.user,
            note="Entered in the product form",
        )


@hooks.register("after_create_page")
def give_new_products_their_stock(request, page):
    """A product made in the admin gets its stock row with the form's initial
    stock, through the stock service (recorded as an "Initial stock" adjustment,
    never in a revision), and its read-model row, so the product listings file
    even an unpublished draft under its category."""
    if isinstance(page, ProductPage):
        _apply_initial_stock(request, page)
        stock_record_ensure(product_id=page.pk)
        listing_sync(product_ids=[page.pk])


@hooks.register("after_edit_page")
def apply_a_changed_initial_stock(request, page):
    """Until first published, the form still offers the initial stock (autosave
    makes a draft of a new product before the editor reaches the field); a
    changed value is applied the same way."""
    if isinstance(page, ProductPage):
        _apply_initial_stock(request, page)


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


@hooks.register("register_admin_urls")
def catalog_admin_urls():
    return [
        path(
            "catalog/products/<int:page_id>/archive/",
            admin_actions.archive_product_view,
            name="catalog_product_archive",
        ),
        path(
            "catalog/products/<int:page_id>/restore/",
            admin_actions.restore_product_view,
            name="catalog_product_restore",
        ),
    ]


@hooks.register("register_page_listing_more_buttons")
def archive_restore_in_listings(page, user, next_url=None):
    return admin_actions.product_menu_items(page, next_url)


@hooks.register("register_page_header_buttons")
def archive_restore_in_header(page, user, view_name, next_url=None):
    return admin_actions.product_menu_items(page, next_url)


@hooks.register("register_page_action_menu_item")
def restore_in_the_editor():
    return admin_actions.RestoreActionMenuItem()


hooks.register("construct_page_action_menu", admin_actions.hide_publish_for_archived)
hooks.register("before_publish_page", admin_actions.refuse_publishing_archived)

for _action in PRODUCT_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action)


@hooks.register("register_admin_viewset")
def register_product_listings():
    return [ProductListingViewSet(), ProductPageViewSet()]


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
