"""Keeps the catalog's read model (`ProductListing`) in step with pages and stock.

Every change to what a listing shows passes through here: a page published,
unpublished, moved or archived (`listing_sync`), a stock change
(`listing_stock_set`) and a new rating from reviews (`listing_rating_set`); each
moves on, after commit, the catalog version that keys cached catalog reads
(`cache.py`). `receivers.py` connects the Wagtail and inventory
signals that call them.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from wagtail.models import Page

from cms.models import ProductPage
from commerce.inventory.models import StockRecord
from nexus.db import update_one

from . import search_postgres
from .cache import catalog_changed
from .models import ProductListing

SYNCED_FIELDS = [
    "category",
    "title",
    "sku",
    "price",
    "available",
    "quantity",
    "created_at",
]


def _parent_path(path: str) -> str:
    return path[: -Page.steplen]


def listing_rows(*, product_ids: Iterable[int]) -> list[ProductListing]:
    """Listing rows computed from the source of truth, for these products."""
    pages = list(
        ProductPage.objects.filter(pk__in=list(product_ids)).values(
            "pk",
            "path",
            "title",
            "sku",
            "price",
            "live",
            "archived_at",
            "first_published_at",
            "last_published_at",
            "latest_revision_created_at",
        )
    )
    if not pages:
        return []
    parent_paths = {_parent_path(page["path"]) for page in pages}
    category_ids = dict(
        Page.objects.filter(path__in=parent_paths).values_list("path", "pk")
    )
    quantities = dict(
        StockRecord.objects.filter(
            product_id__in=[page["pk"] for page in pages]
        ).values_list("product_id", "quantity")
    )
    now = timezone.now()
    rows = []
    for page in pages:
        available = page["live"] and page["archived_at"] is None
        # Listings sort on it, so an available row always has one, even for a
        # page made live without Wagtail's publish (which sets the first date).
        created_at = (
            page["first_published_at"]
            or page["last_published_at"]
            or page["latest_revision_created_at"]
            or (now if available else None)
        )
        rows.append(
            ProductListing(
                product_id=page["pk"],
                category_id=category_ids.get(_parent_path(page["path"])),
                title=page["title"][:255],
                sku=page["sku"],
                price=page["price"],
                available=available,
                quantity=quantities.get(page["pk"], 0),
                created_at=created_at,
            )
        )
    return rows


def listing_sync(*, product_ids: Iterable[int]) -> int:
    """Rewrite these products' listing rows from their pages and stock; rows of
    products that no longer exist go with their pages (CASCADE). Takes no locks:
    the caller's transaction holds whatever it changed. On PostgreSQL the rows'
    search documents and the vocabulary of typo correction follow. Returns rows
    written."""
    rows = listing_rows(product_ids=product_ids)
    if rows:
        ProductListing.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["product"],
            update_fields=SYNCED_FIELDS,
        )
        if connection.vendor == "postgresql":
            search_postgres.document_refresh(product_ids=[r.product_id for r in rows])
            search_postgres.vocabulary_add(titles=[r.title for r in rows])
    catalog_changed()
    return len(rows)


def listing_shelf_changed(*, category_id: int) -> None:
    """A category was published, moved or unpublished: its title, which its
    products' search documents carry, may have changed, and so may what payloads
    show of it. Rewrites those documents (PostgreSQL) in one UPDATE."""
    if connection.vendor == "postgresql":
        search_postgres.document_refresh(category_id=category_id)
    catalog_changed()


def listing_stock_set(*, quantities: dict[int, int]) -> None:
    """Copy new stock counts into the listing, in one UPDATE; called in the
    transaction that holds the stock rows' locks, so the copy commits with them."""
    if len(quantities) == 1:
        [(product_id, quantity)] = quantities.items()
        update_one(ProductListing, product_id, quantity=quantity)  # built once
    elif quantities:
        ProductListing.objects.filter(pk__in=list(quantities)).update(
            quantity=Case(
                *(When(pk=pk, then=Value(q)) for pk, q in quantities.items()),
                output_field=IntegerField(),
            )
        )
    catalog_changed()


def listing_rating_set(*, product_id: int, average: Decimal | None, count: int) -> None:
    """Copy a product's approved-review rating into its listing row, which the
    product payload and `ordering=-rating` read; called in the transaction that
    holds the rating's lock, so the copy commits with it. Pages do not carry it:
    `listing_sync` never rewrites these two columns."""
    ProductListing.objects.filter(pk=product_id).update(
        rating_average=average, rating_count=count
    )
    catalog_changed()


def listing_rebuild(
    *, batch: int = 2000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rewrite every product's listing row, search document and title words
    (after a bulk import, or to repair), a batch per transaction; `progress` is
    told (done, total) after each. Returns rows written."""
    written = 0
    ids = list(ProductPage.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            written += listing_sync(product_ids=ids[start : start + batch])
        if progress is not None:
            progress(min(start + batch, len(ids)), len(ids))
    return written
