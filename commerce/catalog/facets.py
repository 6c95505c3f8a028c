"""Facet counts for a listing: categories, price bands, stock and rating.

Computed on the list's own query path (`selectors.product_matches`), so a facet
never counts a product the list would not show. Each facet counts the products
that pass every filter but its own (the categories facet ignores `category`, the
price bands ignore the price range, and so on), so a shopper sees how many
products each other choice would give, as shop filters usually do; `count` honours
every filter and equals the list's count. Five aggregate queries, plus the
category lookup and the search itself, whatever the catalog's size.
"""

from decimal import Decimal

from django.db.models import Count, Q

from .selectors import (
    category_id_by_slug,
    product_matches,
    search_ranked_ids,
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
    # One ranking over every shelf (for the categories facet) and, when a shelf is
    # chosen, one on it, as the list searches (the list ranks within the shelf).
    shelves = {category: category_id_by_slug(slug=category)} if category else {}
    everywhere = on_shelf = None
    if search_text(search):
        everywhere = on_shelf = search_ranked_ids(search=search)
        if category:
            shelf_id = shelves[category]
            on_shelf = (
                []
                if shelf_id is None
                else search_ranked_ids(search=search, category_id=shelf_id)
            )

    def rows(without: tuple[str, ...] = ()):
        chosen = {k: v for k, v in filters.items() if k not in without}
        ids = everywhere if "category" in without else on_shelf
        return product_matches(**chosen, search_ids=ids, shelf_ids=shelves).order_by()

    count = rows().count()

    bands = _bands()
    price_counts = rows(("min_price", "max_price")).aggregate(
        **{
            f"band{n}": Count(
                "pk",
                filter=Q(price__gte=low) & (Q() if high is None else Q(price__lt=high)),
            )
            for n, (low, high) in enumerate(bands)
        }
    )
    stock_counts = rows(("in_stock",)).aggregate(
        yes=Count("pk", filter=Q(quantity__gt=0)),
        no=Count("pk", filter=Q(quantity__lte=0)),
    )
    rating_counts = rows(("min_rating",)).aggregate(
        **{
            f"at_least{floor}": Count("pk", filter=Q(rating_average__gte=floor))
            for floor in RATING_FLOORS
        }
    )
    by_shelf = (
        rows(("category",))
        .filter(category__isnull=False)
        .values("category__slug", "category__title")
        .annotate(total=Count("pk"))
        .order_by("category__title", "category__slug")
    )
    return {
        "count": count,
        "categories": [
            {
                "slug": shelf["category__slug"],
                "title": shelf["category__title"],
                "count": shelf["total"],
            }
            for shelf in by_shelf
        ],
        "price_bands": [
            {
                "min": f"{low:.2f}",
                "max": None if high is None else f"{high:.2f}",
                "count": price_counts[f"band{n}"],
            }
            for n, (low, high) in enumerate(bands)
        ],
        "in_stock": {"true": stock_counts["yes"], "false": stock_counts["no"]},
        "rating": [
            {"min": floor, "count": rating_counts[f"at_least{floor}"]}
            for floor in RATING_FLOORS
        ],
    }
