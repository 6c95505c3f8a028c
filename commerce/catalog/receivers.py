"""Keeps the catalog's read model and cache in step with changes made elsewhere.

Wagtail publishes, unpublishes, moves and deletes pages from its admin, its
scheduler and our services alike; inventory changes stock from checkout, the admin
and cancellations. Their signals are the one place all those paths meet, so the
listing and the catalog version follow every one of them. Connected in
`CatalogConfig.ready`.
"""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import ProductPage
from commerce.inventory.models import StockRecord
from commerce.inventory.signals import stock_changed

from .cache import catalog_changed
from .listing import listing_stock_set, listing_sync


def _page_changed(sender, instance, **kwargs) -> None:
    """Published, unpublished or moved (Wagtail sends the page's specific class)."""
    if issubclass(sender, ProductPage):
        listing_sync(product_ids=[instance.pk])
    else:
        # A category's title or slug shows in product payloads.
        catalog_changed()


def _page_deleted(sender, instance, **kwargs) -> None:
    catalog_changed()  # its listing row went with it (CASCADE)


def _stock_changed(sender, changes: dict[int, tuple[int, int]], **kwargs) -> None:
    listing_stock_set(
        quantities={product_id: after for product_id, (_, after) in changes.items()}
    )


def _stock_record_deleted(sender, instance, **kwargs) -> None:
    listing_stock_set(quantities={instance.product_id: 0})  # no row: none in stock


def connect() -> None:
    page_published.connect(_page_changed, dispatch_uid="catalog-listing-published")
    page_unpublished.connect(_page_changed, dispatch_uid="catalog-listing-unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="catalog-listing-moved")
    post_delete.connect(_page_deleted, sender=Page, dispatch_uid="catalog-page-gone")
    post_delete.connect(
        _page_deleted, sender=ProductPage, dispatch_uid="catalog-product-gone"
    )
    stock_changed.connect(_stock_changed, dispatch_uid="catalog-listing-stock")
    post_delete.connect(
        _stock_record_deleted, sender=StockRecord, dispatch_uid="catalog-stock-gone"
    )
