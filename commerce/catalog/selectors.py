"""Catalog reads: products and categories with everything their payload needs.

Every list here costs the same number of queries for 1 row or 100: stock, category
and rating are annotations on the one product query, the gallery one prefetch.
"""

from decimal import Decimal
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from cms.models import CategoryPage, ProductGalleryImage, ProductPage

# How alike two words must be for the SQLite fallback to call one a typo of the other.
CLOSE_MATCH_RATIO = 0.8
# Search returns at most this many ranked matches; nobody pages past them.
SEARCH_RESULT_LIMIT = 1000
AUTOCOMPLETE_LIMIT = 10

ORDERINGS = {
    "price": ("price", "pk"),
    "-price": ("-price", "-pk"),
    "title": ("title", "pk"),
    "-created_at": ("-first_published_at", "-pk"),
    "-rating": (F("rating_average").desc(nulls_last=True), "-rating_count", "-pk"),
}


def _parent_of(field: str = "path"):
    """The parent page's path, cut from a page's own treebeard path."""
    return Substr(OuterRef(field), 1, (OuterRef("depth") - 1) * Page.steplen)


def _with_payload(queryset: QuerySet[ProductPage]) -> QuerySet[ProductPage]:
    category = Page.objects.filter(path=_parent_of())
    gallery = ProductGalleryImage.objects.select_related("image").order_by(
        "sort_order", "pk"
    )
    return queryset.annotate(
        stock_quantity=Coalesce("stock_record__quantity", 0),
        category_id=Subquery(category.values("pk")[:1]),
        category_slug=Subquery(category.values("slug")[:1]),
        category_title_value=Subquery(category.values("title")[:1]),
        # Reviews arrive in a later issue; until then every product is unrated.
        rating_average=Value(
            None, output_field=DecimalField(max_digits=3, decimal_places=2)
        ),
        rating_count=Value(0, output_field=IntegerField()),
    ).prefetch_related(Prefetch("gallery_images", queryset=gallery))


def products_available() -> QuerySet[ProductPage]:
    """What shoppers may see: live, not archived, with the payload loaded."""
    return _with_payload(ProductPage.objects.available())


# Page ids are 32-bit; a larger id in a URL names no product (and must not
# reach PostgreSQL, which would refuse the comparison with an error).
MAX_PAGE_ID = 2**31 - 1


def product_get_available(*, product_id: int) -> ProductPage | None:
    if not 0 < product_id <= MAX_PAGE_ID:
        return None
    return products_available().filter(pk=product_id).first()


def product_get_for_staff(*, product_id: int) -> ProductPage | None:
    """Any product, archived or draft included: staff can edit and restore them."""
    if not 0 < product_id <= MAX_PAGE_ID:
        return None
    return _with_payload(ProductPage.objects.all()).filter(pk=product_id).first()


def category_by_slug(*, slug: str) -> CategoryPage | None:
    return CategoryPage.objects.filter(slug=slug).first()


def product_list(
    *,
    category: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    search: str | None = None,
    ordering: str | None = None,
) -> QuerySet[ProductPage]:
    """The shop's product listing, filtered and ordered as a shopper asked."""
    queryset = ProductPage.objects.available()
    if category:
        shelf = category_by_slug(slug=category)
        if shelf is None:
            return products_available().none()
        queryset = queryset.filter(path__startswith=shelf.path, depth=shelf.depth + 1)
    if min_price is not None:
        queryset = queryset.filter(price__gte=min_price)
    if max_price is not None:
        queryset = queryset.filter(price__lte=max_price)
    ranked = bool(search and search.strip())
    if ranked:
        queryset = product_search(queryset=queryset, query=search.strip())
    queryset = _with_payload(queryset)
    if in_stock is True:
        queryset = queryset.filter(stock_quantity__gt=0)
    elif in_stock is False:
        queryset = queryset.filter(stock_quantity__lte=0)
    if ordering in ORDERINGS:
        return queryset.order_by(*ORDERINGS[ordering])
    if ranked:
        return queryset.order_by("-search_rank", "-pk")
    return queryset.order_by(*ORDERINGS["-created_at"])


def product_search(
    *, queryset: QuerySet[ProductPage], query: str
) -> QuerySet[ProductPage]:
    """Rank products by full-text relevance; fall back to typo-tolerant matching.

    The result is annotated with `search_rank`. Full text comes from Wagtail's
    database backend (title, SKU, description, category); when it finds nothing,
    PostgreSQL compares trigrams so "hedphones" still finds headphones, and other
    databases look for the words as substrings.
    """
    ids_by_rank = _full_text_ids(queryset, query)
    if not ids_by_rank:
        ids_by_rank = _fuzzy_ids(queryset, query)
    if not ids_by_rank:
        return queryset.none().annotate(search_rank=Value(0))
    ranks = [When(pk=pk, then=Value(position)) for position, pk in ids_by_rank]
    return queryset.filter(pk__in=[pk for _, pk in ids_by_rank]).annotate(
        # Best match first: a higher number for a better position.
        search_rank=Case(*ranks, default=Value(0), output_field=IntegerField())
    )


def _ranked(ids: list[int]) -> list[tuple[int, int]]:
    return [(len(ids) - position, pk) for position, pk in enumerate(ids)]


def _full_text_ids(queryset: QuerySet[ProductPage], query: str) -> list[int]:
    results = get_search_backend().search(
        query, queryset.order_by(), order_by_relevance=True
    )
    ids = [page.pk for page in results[:SEARCH_RESULT_LIMIT]]
    return _ranked(ids)


def _fuzzy_ids(queryset: QuerySet[ProductPage], query: str) -> list[int]:
    if connection.vendor == "postgresql":
        from modelsearch.query import Fuzzy

        results = get_search_backend().search(
            Fuzzy(query), queryset.order_by(), order_by_relevance=True
        )
        ids = [page.pk for page in results[:SEARCH_RESULT_LIMIT]]
        return _ranked(ids)
    words = [word for word in query.split() if word]
    matches = Q()
    for word in words:
        matches |= (
            Q(title__icontains=word)
            | Q(sku__icontains=word)
            | Q(description__icontains=word)
        )
    ids = list(
        queryset.filter(matches)
        .order_by("title")
        .values_list("pk", flat=True)[:SEARCH_RESULT_LIMIT]
    )
    return _ranked(ids or close_title_ids(queryset, words))


def close_title_ids(queryset: QuerySet[ProductPage], words: list[str]) -> list[int]:
    """Typo tolerance without trigrams: products whose title has a word close to one
    of `words` (difflib ratio of at least 0.8), closest first.

    It reads every candidate title, which suits the embedded default's laptop-sized
    catalogs; PostgreSQL answers the same question from its trigram index instead.
    """
    wanted = [word.lower() for word in words if len(word) >= 3]
    scored = []
    for pk, title in queryset.order_by("title").values_list("pk", "title"):
        title_words = title.lower().split()
        best = max(
            (SequenceMatcher(None, w, t).ratio() for w in wanted for t in title_words),
            default=0.0,
        )
        if best >= CLOSE_MATCH_RATIO:
            scored.append((best, pk))
    scored.sort(key=lambda match: -match[0])
    return [pk for _, pk in scored[:SEARCH_RESULT_LIMIT]]


def product_autocomplete(*, prefix: str) -> list[dict]:
    """Up to ten available products whose title (or a word of it) starts so."""
    prefix = prefix.strip()
    if not prefix:
        return []
    available = ProductPage.objects.available()
    starts = list(
        available.filter(title__istartswith=prefix)
        .order_by("title", "pk")
        .values("id", "title", "slug")[:AUTOCOMPLETE_LIMIT]
    )
    if len(starts) < AUTOCOMPLETE_LIMIT:
        seen = {row["id"] for row in starts}
        more = (
            available.filter(title__icontains=f" {prefix}")
            .exclude(pk__in=seen)
            .order_by("title", "pk")
            .values("id", "title", "slug")[: AUTOCOMPLETE_LIMIT - len(starts)]
        )
        starts.extend(more)
    return starts


def categories_with_counts() -> QuerySet[CategoryPage]:
    """Live categories with how many products a shopper can buy on each."""
    available_children = ProductPage.objects.available().filter(
        path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1
    )
    # COUNT as a plain function keeps the subquery ungrouped: one row per shelf.
    counts = available_children.order_by().annotate(
        total=Func(F("pk"), function="COUNT")
    )
    return (
        CategoryPage.objects.live()
        .annotate(product_count=Coalesce(Subquery(counts.values("total")[:1]), 0))
        .order_by("path")
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
