"""Facet counts for a listing: categories, price bands, stock and rating.

Computed on the list's own query path (`selectors.product_matches`), so a facet
never counts a product the list would not show. Each facet counts the products
that pass every filter but its own (the categories facet ignores `category`, the
price bands ignore the price range, and so on), so a shopper sees how many
products each other choice would give, as shop filters usually do; `count` honours
every filter and equals the list's count. At most four aggregate queries (one per
facet whose filter is given, plus one for the rest) and the category counts,
plus the category lookup and the search itself, whatever the catalog's size.
"""

from decimal import Decimal

from django.db.models import Count, Q

from cms.models import CategoryPage

from .search import product_search
from .selectors import (
    category_id_by_slug,
    product_matches,
    search_text,
)

# Upper bounds of the price bands; the last band has no top.
PRICE_EDGES = [Decimal(edge) for edge in ("0", "25", "50", "100", "250", "500", "1000")]
RATING_FLOORS = [4, 3, 2, 1]


def _bands() -> list[tuple[Decimal, Decimal | None]]:
    tops: list[Decimal | None] = [*PRICE_EDGES[1:], None]
    return list(zip(PRICE_EDGES, tops, strict=True))


def product_facets(
    *,
    category: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    min_rating: Decimal | None = None,
    search: str | None = None,
) -> dict:
    """`{count, categories, price_bands, in_stock, rating}` for these filters."""
    filters = {
        "category": category,
        "min_price": min_price,
        "max_price": max_price,
        "in_stock": in_stock,
        "min_rating": min_rating,
        "search": search,
    }
    # What the search matches over every shelf (for the categories facet) and, when
    # a shelf is chosen, on it, as the list searches (typos are corrected against
    # the shelf's matches).
    shelves = {category: category_id_by_slug(slug=category)} if category else {}
    everywhere = on_shelf = None
    if search_text(search):
        everywhere = on_shelf = product_search(query=search)
        if category and shelves[category] is not None:
            on_shelf = product_search(query=search, category_id=shelves[category])

    def chosen(without: tuple[str, ...] = ()) -> dict:
        return {k: v for k, v in filters.items() if k not in without and v is not None}

    def rows(without: tuple[str, ...] = ()):
        matched = everywhere if "category" in without else on_shelf
        return product_matches(
            **chosen(without), matched=matched, shelf_ids=shelves
        ).order_by()

    bands = _bands()
    # Each facet drops its own filter; a facet whose filter was not given counts
    # the same rows as `count`, so its aggregates join that query: no filter at
    # all costs one aggregate query and the category counts, not five.
    aggregates: dict[tuple[str, ...], dict] = {}

    def count_over(without: tuple[str, ...], **counts) -> None:
        if chosen(without) == chosen():
            without = ()
        aggregates.setdefault(without, {}).update(counts)

    count_over((), count=Count("pk"))
    count_over(
        ("min_price", "max_price"),
        **{
            f"band{n}": Count(
                "pk",
                filter=Q(price__gte=low) & (Q() if high is None else Q(price__lt=high)),
            )
            for n, (low, high) in enumerate(bands)
        },
    )
    count_over(
        ("in_stock",),
        stock_yes=Count("pk", filter=Q(quantity__gt=0)),
        stock_no=Count("pk", filter=Q(quantity__lte=0)),
    )
    count_over(
        ("min_rating",),
        **{
            f"at_least{floor}": Count("pk", filter=Q(rating_average__gte=floor))
            for floor in RATING_FLOORS
        },
    )
    counted: dict = {}
    for without, counts in aggregates.items():
        counted.update(rows(without).aggregate(**counts))
    # Counted per category id (the listing's index alone), then named: joining
    # every row to its category's page cost more than the count itself.
    per_shelf = dict(
        rows(("category",))
        .filter(category__isnull=False)
        .values_list("category_id")
        .annotate(total=Count("pk"))
        .values_list("category_id", "total")
    )
    shelves_named = (
        CategoryPage.objects.filter(pk__in=list(per_shelf))
        .order_by("title", "slug")
        .values_list("pk", "slug", "title")
    )
    return {
        "count": counted["count"],
        "categories": [
            {"slug": slug, "title": title, "count": per_shelf[pk]}
            for pk, slug, title in shelves_named
        ],
        "price_bands": [
            {
                "min": f"{low:.2f}",
                "max": None if high is None else f"{high:.2f}",
                "count": counted[f"band{n}"],
            }
            for n, (low, high) in enumerate(bands)
        ],
        "in_stock": {
            "true": counted["stock_yes"],
            "false": counted["stock_no"],
        },
        "rating": [
            {"min": floor, "count": counted[f"at_least{floor}"]}
            for floor in RATING_FLOORS
        ],
    }
