"""Catalog search: one ranking of product ids for the list, autocomplete and facets.

A query is normalised, expanded with the editors' synonyms and ranked by the
configured backend: the search engine behind `SEARCH_URL` (`engine.py`) when one is
set and reachable, else the database (Wagtail's database backend: PostgreSQL full
text with stemming, SQLite on the embedded default). Either way an exact SKU comes
first, then full-text matches (title above description above category), then
titles starting with the last word typed (prefix), and only when all of that finds
nothing, matches a typo away. Ties go to products in stock, then to the better
rated. The listing (`selectors.product_matches`) filters, orders and pages the ids
through the read model like any other listing.
"""

import re
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import Q, QuerySet

from cms.models import CategoryPage, ProductPage

from . import engine
from .models import ProductListing
from .synonyms import synonym_groups

# How alike two words must be for the SQLite fallback to call one a typo of the other.
CLOSE_MATCH_RATIO = 0.8
# Search returns at most this many ranked matches; nobody pages past them.
SEARCH_RESULT_LIMIT = 1000
AUTOCOMPLETE_LIMIT = 10
MAX_TERMS = 12
# Scores this close are a tie, broken by stock and rating.
SCORE_DIGITS = 3

_WORD = re.compile(r"[\w][\w\-.]*", re.UNICODE)


def normalize_query(query: str) -> str:
    """The query as analytics count it: lower case, words separated by one space,
    stray punctuation gone (a SKU's dashes and dots stay)."""
    return " ".join(_WORD.findall(query.lower())[:MAX_TERMS]).strip(".-")


def expand_synonyms(words: list[str]) -> list[list[str]]:
    """For each word, the word and the synonyms editors gave it."""
    groups = synonym_groups()
    return [[word, *sorted(groups.get(word, set()) - {word})] for word in words]


def candidates(*, category_id: int | None = None) -> QuerySet[ProductPage]:
    """The products a search may find: available ones, on one shelf if given."""
    pages = ProductPage.objects.available()
    if category_id is not None:
        shelf = CategoryPage.objects.filter(pk=category_id).first()
        pages = pages.child_of(shelf) if shelf is not None else pages.none()
    return pages


def product_search(
    *, query: str, category_id: int | None = None, prefix_only: bool = False
) -> list[int]:
    """Ids of available products (on one shelf if given) that match `query`, best
    match first.

    `prefix_only` (autocomplete) asks titles and SKUs that start with what was
    typed, and typos only when none does.
    """
    text = normalize_query(query)
    if not text:
        return []
    typed = query.strip()
    exact = list(
        ProductListing.objects.filter(
            Q(product__sku=typed) | Q(product__sku=typed.upper()),
            available=True,
            **({} if category_id is None else {"category_id": category_id}),
        ).values_list("pk", flat=True)[:1]
    )
    ranked = engine.engine_search(
        candidates=lambda: candidates(category_id=category_id),
        query=text,
        prefix_only=prefix_only,
    )
    if ranked is None:  # no engine, or it is unreachable
        ranked = _database_ranked(text, category_id, prefix_only=prefix_only)
    ids = exact + [pk for pk, _ in ranked if pk not in exact]
    return _break_ties(
        ids[:SEARCH_RESULT_LIMIT],
        dict(ranked),
        first=set(exact),
        title_prefix=text if prefix_only else None,
    )


def _break_ties(
    ids: list[int],
    scores: dict[int, float],
    *,
    first: set[int],
    title_prefix: str | None = None,
) -> list[int]:
    """Order equal scores by in stock, then rating (one query on the listing,
    asked even for one id so a search costs the same queries for any result).
    With `title_prefix` (autocomplete), titles starting with it come first."""
    if not ids:
        return ids
    facts = {
        pk: (quantity > 0, rating or 0, title.lower())
        for pk, quantity, rating, title in ProductListing.objects.filter(
            pk__in=ids
        ).values_list("pk", "quantity", "rating_average", "title")
    }
    position = {pk: n for n, pk in enumerate(ids)}

    def key(pk: int):
        stocked, rating, title = facts.get(pk, (False, 0, ""))
        return (
            pk not in first,
            bool(title_prefix) and not title.startswith(title_prefix),
            -round(scores.get(pk, 0.0), SCORE_DIGITS),
            not stocked,
            -rating,
            position[pk],
        )

    return sorted(ids, key=key)


def _database_ranked(
    text: str, category_id: int | None, *, prefix_only: bool = False
) -> list[tuple[int, float]]:
    """(id, score) best first from the database: full text with the last word as
    a prefix (title and SKU prefixes only, for autocomplete), then typos."""
    words = text.split()
    alternatives = expand_synonyms(words)
    if connection.vendor == "postgresql":
        from . import search_postgres

        ranked = search_postgres.full_text_ranked(
            alternatives,
            category_id=category_id,
            limit=SEARCH_RESULT_LIMIT,
            autocomplete=prefix_only,
        )
        if not ranked:
            ranked = search_postgres.typo_ranked(
                text, category_id=category_id, limit=SEARCH_RESULT_LIMIT
            )
        return ranked
    scored: dict[int, float] = {}
    queryset = candidates(category_id=category_id)
    _substring_ranked(scored, queryset, alternatives, prefix_only=prefix_only)
    if not scored:
        for pk in close_title_ids(queryset, words):
            scored[pk] = 0.1
    return sorted(scored.items(), key=lambda item: -item[1])


def _substring_ranked(
    ranked: dict[int, float],
    queryset: QuerySet[ProductPage],
    alternatives: list[list[str]],
    *,
    prefix_only: bool = False,
) -> None:
    """Without PostgreSQL's full text: every word (or a synonym) as a substring,
    scored title 3, SKU 2, description 1 by where the first word was found; for
    autocomplete, a title or SKU starting with the text or a title word doing so."""
    matches = Q()
    alternatives = [[_crude_stem(word) for word in group] for group in alternatives]
    if prefix_only:
        text = " ".join(group[0] for group in alternatives)
        matches = (
            Q(title__istartswith=text)
            | Q(title__icontains=f" {text}")
            | Q(sku__istartswith=text)
        )
    for group in [] if prefix_only else alternatives:
        either = Q()
        for word in group:
            either |= (
                Q(title__icontains=word)
                | Q(sku__icontains=word)
                | Q(description__icontains=word)
                | _on_shelves_named(word)
            )
        matches &= either
    rows = queryset.filter(matches).values_list("pk", "title", "sku", "description")
    first = alternatives[0] if alternatives else []
    for pk, title, sku, description in rows[:SEARCH_RESULT_LIMIT]:
        title, sku, description = title.lower(), sku.lower(), description.lower()
        if any(word in sku for word in first):
            ranked[pk] = 3.0
        elif any(word in title for word in first):
            ranked[pk] = 2.0
        elif any(word in description for word in first):
            ranked[pk] = 1.0
        else:
            ranked[pk] = 0.5  # found through its category's title


def _on_shelves_named(word: str) -> Q:
    """Products under a category whose title contains `word` (a path prefix)."""
    paths = CategoryPage.objects.filter(title__icontains=word).values_list(
        "path", flat=True
    )
    matches = Q(pk__in=[])
    for path in paths[:50]:
        matches |= Q(path__startswith=path)
    return matches


def _crude_stem(word: str) -> str:
    """English plurals and endings cut off for substring matching ("kettles" finds
    "Kettle"), where PostgreSQL would stem properly."""
    for ending in ("ies", "es", "s", "ing", "ed"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


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
