"""Keeps the catalog's read model and cache in step with changes made elsewhere.

Wagtail publishes, unpublishes, moves and deletes pages from its admin, its
scheduler and our services alike; inventory changes stock from checkout, the admin
and cancellations. Their signals are the one place all those paths meet, so the
listing and the catalog version follow every one of them. Connected in
`CatalogConfig.ready`.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import CategoryPage, ProductPage
from commerce.inventory.models import StockRecord
from commerce.inventory.signals import stock_changed

from .cache import catalog_changed
from .indexing import search_reindex_on_commit
from .listing import listing_shelf_changed, listing_stock_set, listing_sync
from .models import Synonym
from .synonyms import synonyms_changed


def _page_changed(sender, instance, **kwargs) -> None:
    """Published, unpublished or moved (Wagtail sends the page's specific class)."""
    if issubclass(sender, ProductPage):
        listing_sync(product_ids=[instance.pk])
        search_reindex_on_commit(product_ids=[instance.pk])
    elif isinstance(instance, CategoryPage):
        # Its title is in its products' search documents and payloads.
        listing_shelf_changed(category_id=instance.pk)
    else:
        catalog_changed()


def _page_deleted(sender, instance, **kwargs) -> None:
    catalog_changed()  # its listing row went with it (CASCADE)
    if isinstance(instance, ProductPage):
        search_reindex_on_commit(product_ids=[instance.pk])


def _stock_changed(sender, changes: dict[int, tuple[int, int]], **kwargs) -> None:
    listing_stock_set(
        quantities={product_id: after for product_id, (_, after) in changes.items()}
    )
    # In or out of stock breaks ties in the ranking: the engine must know.
    moved = [
        product_id
        for product_id, (before, after) in changes.items()
        if (before > 0) != (after > 0)
    ]
    search_reindex_on_commit(product_ids=moved)


def _stock_record_deleted(sender, instance, **kwargs) -> None:
    listing_stock_set(quantities={instance.product_id: 0})  # no row: none in stock


def _synonyms_changed(sender, instance, **kwargs) -> None:
    synonyms_changed()
    catalog_changed()  # cached searches answered with the old synonyms


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
    post_save.connect(_synonyms_changed, sender=Synonym, dispatch_uid="synonyms-saved")
    post_delete.connect(
        _synonyms_changed, sender=Synonym, dispatch_uid="synonyms-deleted"
    )
