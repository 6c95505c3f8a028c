"""Catalog search: full-text ranking, typo tolerance and title autocomplete.

Search ranks product ids; the listing (`selectors.product_list`) then filters, orders
and pages those ids through the read model like any other listing.
"""

from difflib import SequenceMatcher

from django.db import connection
from django.db.models import Q, QuerySet
from wagtail.search.backends import get_search_backend

from cms.models import ProductPage

# How alike two words must be for the SQLite fallback to call one a typo of the other.
CLOSE_MATCH_RATIO = 0.8
# Search returns at most this many ranked matches; nobody pages past them.
SEARCH_RESULT_LIMIT = 1000
AUTOCOMPLETE_LIMIT = 10


def product_search(*, queryset: QuerySet[ProductPage], query: str) -> list[int]:
    """Ids of the products of `queryset` that match `query`, best match first.

    Full text comes from Wagtail's database backend (title, SKU, description,
    category); when it finds nothing, PostgreSQL compares trigrams so "hedphones"
    still finds headphones, and other databases look for the words as substrings,
    then for titles a typo away.
    """
    return _full_text_ids(queryset, query) or _fuzzy_ids(queryset, query)


def _full_text_ids(queryset: QuerySet[ProductPage], query: str) -> list[int]:
    results = get_search_backend().search(
        query, queryset.order_by(), order_by_relevance=True
    )
    return [page.pk for page in results[:SEARCH_RESULT_LIMIT]]


def _fuzzy_ids(queryset: QuerySet[ProductPage], query: str) -> list[int]:
    if connection.vendor == "postgresql":
        from modelsearch.query import Fuzzy

        results = get_search_backend().search(
            Fuzzy(query), queryset.order_by(), order_by_relevance=True
        )
        return [page.pk for page in results[:SEARCH_RESULT_LIMIT]]
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
    return ids or close_title_ids(queryset, words)


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
