"""Product listings in the Wagtail admin: a category's products (the page explorer)
and all products across categories ("Products" in the menu).

Both show thumbnail, SKU, price, stock (low stock highlighted, one click to adjust)
and status ("archived" included), and offer the product bulk actions. Every row's
data comes with the page query: stock and the read model's category by joins, the
first gallery image and its thumbnail rendition by two prefetches, so a page of 50
products costs the same queries as a page of 1.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Prefetch
from django.urls import reverse
from django_filters import ModelChoiceFilter, RangeFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import (
    BulkActionsColumn,
    PageStatusColumn,
    PageTitleColumn,
)
from wagtail.admin.views.pages.listing import ExplorableIndexView, IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet, PageViewSet

from cms.models import CategoryPage, ProductGalleryImage, ProductImage, ProductPage
from commerce.inventory.admin_views import yes_no_filter

THUMBNAIL = "fill-48x48"


def stock_of(product: ProductPage):
    """The product's StockRecord, joined by the listing query; None if it has none."""
    try:
        return product.stock_record
    except ObjectDoesNotExist:
        return None


class ThumbnailColumn(Column):
    cell_template_name = "catalog/admin/columns/thumbnail.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        gallery = list(instance.gallery_images.all())  # prefetched, in order
        # Prefetched renditions: no query once a thumbnail has been made.
        context["thumbnail"] = (
            gallery[0].image.get_rendition(THUMBNAIL) if gallery else None
        )
        return context


class PriceColumn(Column):
    cell_template_name = "catalog/admin/columns/price.html"


class StockColumn(Column):
    """Units on hand, linking to the stock form; below the alert threshold the
    cell says "Low stock"."""

    cell_template_name = "catalog/admin/columns/stock.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        record = stock_of(instance)
        context["record"] = record
        context["adjust_url"] = (
            reverse("stock:adjust", args=[record.pk]) if record is not None else None
        )
        return context


class CategoryColumn(Column):
    """The product's category, from the catalog read model joined in the query."""

    def get_value(self, instance):
        try:
            category = instance.listing.category
        except ObjectDoesNotExist:
            category = None
        return category.title if category is not None else "—"


def _yes_no_archived(queryset, name, value):
    if value == "yes":
        return queryset.filter(archived_at__isnull=False)
    if value == "no":
        return queryset.filter(archived_at__isnull=True)
    return queryset


def _yes_no_in_stock(queryset, name, value):
    if value == "yes":
        return queryset.filter(stock_record__quantity__gt=0)
    if value == "no":
        return queryset.exclude(stock_record__quantity__gt=0)
    return queryset


def _yes_no_low_stock(queryset, name, value):
    below = {"stock_record__quantity__lt": F("stock_record__low_stock_threshold")}
    if value == "yes":
        return queryset.filter(**below)
    if value == "no":
        return queryset.exclude(**below)
    return queryset


class ProductFilterSet(WagtailFilterSet):
    category = ModelChoiceFilter(
        label="Category",
        field_name="listing__category",
        queryset=CategoryPage.objects.order_by("title"),
    )
    in_stock = yes_no_filter("In stock", _yes_no_in_stock)
    low_stock = yes_no_filter("Low stock", _yes_no_low_stock)
    archived = yes_no_filter("Archived", _yes_no_archived)
    price = RangeFilter(label="Price", field_name="price")

    class Meta:
        model = ProductPage
        fields: list[str] = []


class CategoryProductFilterSet(ProductFilterSet):
    """Inside a category the category filter has nothing to choose."""

    category = None


def product_columns(*, with_category: bool) -> list[Column]:
    columns = [
        BulkActionsColumn("bulk_actions"),
        ThumbnailColumn("thumbnail", label="", width="64px"),
        PageTitleColumn("title", label="Title", sort_key="title", classname="title"),
        Column("sku", label="SKU", sort_key="sku", width="12%"),
    ]
    if with_category:
        columns.append(CategoryColumn("category", label="Category", width="12%"))
    columns += [
        PriceColumn("price", label="Price", sort_key="price", width="10%"),
        StockColumn(
            "stock", label="Stock", sort_key="stock_record__quantity", width="12%"
        ),
        PageStatusColumn("status", label="Status", sort_key="live", width="10%"),
    ]
    return columns


class ProductRowsMixin:
    """The rows' data in a fixed number of queries, and the product bulk actions
    in the footer (Wagtail's page listing names the base Page model there)."""

    def annotate_queryset(self, pages):
        # Already ProductPage rows: `.specific()` would re-fetch them and drop
        # the joins below.
        thumbnails = ProductImage.objects.prefetch_renditions(THUMBNAIL)
        gallery = ProductGalleryImage.objects.order_by(
            "sort_order", "pk"
        ).prefetch_related(Prefetch("image", queryset=thumbnails))
        pages = (
            pages.select_related("stock_record", "listing__category", "locked_by")
            .prefetch_related(
                "content_type",
                "sites_rooted_here",
                Prefetch("gallery_images", queryset=gallery),
            )
            .prefetch_workflow_states()
            .annotate_site_root_state()
            .annotate_approved_schedule()
        )
        return pages

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["model_opts"] = ProductPage._meta
        return context


class ProductIndexView(ProductRowsMixin, IndexView):
    """All products, whatever their category."""

    default_ordering = "title"
    page_title = "Products"


class CategoryProductsView(ProductRowsMixin, ExplorableIndexView):
    """A category's products in the page explorer."""

    @property
    def explorable_columns(self):
        return self.columns  # products have no children to navigate to


class ProductListingViewSet(PageListingViewSet):
    """ "Products" in the admin menu: every product across categories."""

    model = ProductPage
    name = "products"
    menu_label = "Products"
    icon = "tag"
    add_to_admin_menu = True
    menu_order = 240
    index_view_class = ProductIndexView
    columns = product_columns(with_category=True)
    filterset_class = ProductFilterSet
    list_per_page = 50


class ProductPageViewSet(PageViewSet):
    """Products' own page views; a category's explorer listing uses its columns."""

    model = ProductPage
    index_view_class = CategoryProductsView
    columns = product_columns(with_category=False)
    filterset_class = CategoryProductFilterSet
