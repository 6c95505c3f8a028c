"""Catalog reads: listings through the read model, product cards for payloads.

A listing filters and orders `ProductListing` rows (one index range scan) and pages
their ids; `product_cards` then loads what the payload shows for just that page. The
queries are the same in number for 1 product or 100: the count, the page of ids,
the pages' own columns, their categories and their gallery.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from wagtail.models import Page

from cms.models import CategoryPage, ProductGalleryImage, ProductPage

from . import search_postgres
from .models import ProductListing
from .search import (
    AUTOCOMPLETE_LIMIT,
    DocumentQuery,
    RankedIds,
    normalize_query,
    nothing,
    product_search,
)

ORDERINGS = {
    "price": ("price", "product_id"),
    "-price": ("-price", "-product_id"),
    "title": ("title", "product_id"),
    # Plain DESC, as the newest-first indexes are built (PostgreSQL's NULLS FIRST):
    # an available row always has a date (`listing_rows`), so nothing null is listed.
    "-created_at": ("-created_at", "-product_id"),
    "-rating": (
        F("rating_average").desc(nulls_last=True),
        "-rating_count",
        "-product_id",
    ),
}

# Relevance: the search's rank, then (for ties) in stock, then the better rated.
SEARCH_ORDER = (
    "-search_rank",
    ExpressionWrapper(Q(quantity__gt=0), output_field=BooleanField()).desc(),
    F("rating_average").desc(nulls_last=True),
    "-product_id",
)

# Page ids are 32-bit; a larger id in a URL names no product (and must not
# reach PostgreSQL, which would refuse the comparison with an error).
MAX_PAGE_ID = 2**31 - 1


@dataclass(frozen=True)
class GalleryImage:
    """One photo of a product's gallery, as its payload shows it."""

    image_id: int
    file: str  # the stored file's name; its URL comes from the image storage
    width: int
    height: int
    alt: str


@dataclass
class ProductCard:
    """Everything a product's payload shows, loaded for a page of products."""

    id: int
    sku: str
    title: str
    slug: str
    description: str
    price: Decimal
    stock: int
    category: dict | None
    rating_average: Decimal | None
    rating_count: int
    created_at: datetime | None
    updated_at: datetime | None
    images: list[GalleryImage] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.id


def category_by_slug(*, slug: str) -> CategoryPage | None:
    return CategoryPage.objects.filter(slug=slug).first()


def category_id_by_slug(*, slug: str) -> int | None:
    return CategoryPage.objects.filter(slug=slug).values_list("pk", flat=True).first()


def product_list(
    *,
    category: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    min_rating: Decimal | None = None,
    search: str | None = None,
    ordering: str | None = None,
) -> QuerySet[ProductListing]:
    """The shop's listing, filtered and ordered as a shopper asked: listing rows of
    available products (take their `product_id`s to `product_cards`)."""
    rows = product_matches(
        category=category,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
        min_rating=min_rating,
        search=search,
    )
    if ordering in ORDERINGS:
        return rows.order_by(*ORDERINGS[ordering])
    if search_text(search):
        return rows.order_by(*SEARCH_ORDER)
    return rows.order_by(*ORDERINGS["-created_at"])


def search_text(search: str | None) -> str:
    """What was searched, or "" for no search (punctuation alone is a search that
    finds nothing, not a listing of everything)."""
    return (search or "").strip()


def product_matches(
    *,
    category: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    min_rating: Decimal | None = None,
    search: str | None = None,
    matched: RankedIds | DocumentQuery | None = None,
    shelf_ids: dict[str, int | None] | None = None,
) -> QuerySet[ProductListing]:
    """The one query path of the list, autocomplete and facets: listing rows of
    available products that pass every filter given, unordered; with `search`,
    only its matches, annotated `search_rank` (higher is better).

    `matched` passes what `search` matched, already worked out, and `shelf_ids`
    category ids already looked up by slug (facets reuse both).
    """
    rows = ProductListing.objects.filter(available=True)
    shelf_id = None
    if category:
        # Looked up first, not joined: with the id in hand PostgreSQL estimates the
        # shelf's rows and plans in a tenth of the time the three-table join took.
        if shelf_ids is not None and category in shelf_ids:
            shelf_id = shelf_ids[category]
        else:
            shelf_id = category_id_by_slug(slug=category)
        if shelf_id is None:
            return nothing(rows)
        rows = rows.filter(category_id=shelf_id)
    if min_price is not None:
        rows = rows.filter(price__gte=min_price)
    if max_price is not None:
        rows = rows.filter(price__lte=max_price)
    if in_stock is True:
        rows = rows.filter(quantity__gt=0)
    elif in_stock is False:
        rows = rows.filter(quantity__lte=0)
    if min_rating is not None:
        rows = rows.filter(rating_average__gte=min_rating)
    if not search_text(search):
        return rows
    if matched is None:
        matched = product_search(query=search, category_id=shelf_id)
    return matched.apply(rows)


def product_autocomplete(*, prefix: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[dict]:
    """Up to ten available products whose title (or a word of it, or the SKU)
    starts with what was typed, best first: an exact SKU, titles starting with
    it, then in stock, better rated, newest. The list's search, asked for
    prefixes; on PostgreSQL answered without sorting every match
    (`search_postgres.suggestion_ids`)."""
    text = normalize_query(prefix)
    if not text:
        return []
    matched = product_search(query=prefix, prefix_only=True)
    rows = ProductListing.objects.filter(available=True)
    if isinstance(matched, DocumentQuery):
        ids = search_postgres.suggestion_ids(
            matched.query, text=text, skus=matched.skus, limit=limit
        )
        found = {
            pk: (title, slug)
            for pk, title, slug in rows.filter(pk__in=ids).values_list(
                "product_id", "title", "product__slug"
            )
        }
        return [
            {"id": pk, "title": found[pk][0], "slug": found[pk][1]}
            for pk in ids
            if pk in found
        ]
    title_first = Case(
        When(title__istartswith=text, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = matched.apply(rows).order_by(title_first.desc(), *SEARCH_ORDER)[:limit]
    return [
        {"id": pk, "title": title, "slug": slug}
        for pk, title, slug in rows.values_list("product_id", "title", "product__slug")
    ]


def product_cards(*, product_ids: list[int]) -> list[ProductCard]:
    """The payloads' data for these products, in the order given; unknown ids are
    left out. Three queries whatever the number of products."""
    pages = ProductPage.objects.filter(pk__in=product_ids).values(
        "pk",
        "sku",
        "title",
        "slug",
        "description",
        "price",
        "path",
        "first_published_at",
        "last_published_at",
        "latest_revision_created_at",
        "stock_record__quantity",
        "listing__rating_average",
        "listing__rating_count",
    )
    rows = {row["pk"]: row for row in pages}
    if not rows:
        return []
    steplen = Page.steplen
    parent_paths = {row["path"][:-steplen] for row in rows.values()}
    categories = {
        shelf["path"]: {
            "id": shelf["pk"],
            "slug": shelf["slug"],
            "title": shelf["title"],
        }
        for shelf in Page.objects.filter(path__in=parent_paths).values(
            "pk", "path", "slug", "title"
        )
    }
    cards = {
        pk: ProductCard(
            id=pk,
            sku=row["sku"],
            title=row["title"],
            slug=row["slug"],
            description=row["description"],
            price=row["price"],
            stock=row["stock_record__quantity"] or 0,
            category=categories.get(row["path"][:-steplen]),
            rating_average=row["listing__rating_average"],
            rating_count=row["listing__rating_count"] or 0,
            created_at=row["first_published_at"],
            updated_at=max(
                (
                    moment
                    for moment in (
                        row["last_published_at"],
                        row["latest_revision_created_at"],
                        row["first_published_at"],
                    )
                    if moment is not None
                ),
                default=None,
            ),
        )
        for pk, row in rows.items()
    }
    gallery = (
        ProductGalleryImage.objects.filter(page_id__in=list(cards))
        .order_by("sort_order", "pk")
        .values_list(
            "page_id",
            "image_id",
            "image__file",
            "image__width",
            "image__height",
            "alt",
            "image__alt_text",
        )
    )
    for page_id, image_id, file, width, height, alt, image_alt in gallery:
        card = cards[page_id]
        card.images.append(
            GalleryImage(image_id, file, width, height, alt or image_alt or card.title)
        )
    return [cards[pk] for pk in product_ids if pk in cards]


def product_get_available(*, product_id: int) -> ProductCard | None:
    if not 0 < product_id <= MAX_PAGE_ID:
        return None
    if not ProductPage.objects.available().filter(pk=product_id).exists():
        return None
    return next(iter(product_cards(product_ids=[product_id])), None)


def product_get_for_staff(*, product_id: int) -> ProductCard | None:
    """Any product, archived or draft included: staff can edit and restore them."""
    if not 0 < product_id <= MAX_PAGE_ID:
        return None
    return next(iter(product_cards(product_ids=[product_id])), None)


def categories_with_counts() -> list[CategoryPage]:
    """Live categories with how many products a shopper can buy on each."""
    counts = dict(
        ProductListing.objects.filter(available=True)
        .values("category_id")
        .annotate(total=Count("pk"))
        .values_list("category_id", "total")
    )
    shelves = CategoryPage.objects.live().order_by("path")
    return [_with_count(shelf, counts.get(shelf.pk, 0)) for shelf in shelves]


def _with_count(shelf: CategoryPage, count: int) -> CategoryPage:
    shelf.product_count = count
    return shelf


@dataclass(frozen=True)
class PendingPublication:
    """What would publish a product later: a schedule, a moderation workflow."""

    scheduled_for: datetime | None = None
    workflow: str | None = None

    def __bool__(self) -> bool:
        return self.scheduled_for is not None or bool(self.workflow)


def product_pending_publication(*, product: ProductPage) -> PendingPublication:
    """The product's scheduled revision and workflow in progress, if any (what
    archiving cancels)."""
    scheduled = product.scheduled_revision
    workflow_state = product.current_workflow_state
    return PendingPublication(
        scheduled_for=scheduled.approved_go_live_at if scheduled else None,
        workflow=workflow_state.workflow.name if workflow_state else None,
    )


def product_in_any_order(*, product_id: int) -> bool:
    """Whether an order line points at this product."""
    return bool(products_in_orders(product_ids=[product_id]))


def products_in_orders(*, product_ids: list[int]) -> set[int]:
    """Which of these products appear on an order line.

    Read through the order lines' reverse relation on the product, so the catalog
    names no orders module (orders import the catalog, not the other way round).
    """
    if not product_ids:
        return set()
    return set(
        ProductPage.objects.filter(pk__in=product_ids, order_lines__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
