"""Catalog search: what a query matches, in the form the listing query takes it.

A query is normalised, expanded with the editors' synonyms and matched by the
configured backend:

- the search engine behind `SEARCH_URL` (`engine.py`) when one is set and
  reachable: it returns a ranking of product ids (`RankedIds`);
- else PostgreSQL: a condition and a score on the listing's own search document
  (`DocumentQuery`, `search_postgres.py`), so the list, autocomplete and facets
  search in the very query that filters, orders and pages them;
- else (SQLite, the embedded default) substring matching, ranked in Python.

Everywhere an exact SKU comes first, then full-text matches (title above
description above category), the last word typed also matching as a prefix, and
only when all of that finds nothing, words a typo away. Ties go to products in
stock, then to the better rated (`selectors.SEARCH_ORDER`).
"""

import re
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import F, FloatField, Func, IntegerField, Q, QuerySet, Value

from cms.models import CategoryPage, ProductPage

from . import engine, search_postgres
from .models import ProductListing
from .synonyms import synonym_groups

# How alike two words must be for the SQLite fallback to call one a typo of the other.
CLOSE_MATCH_RATIO = 0.8
# An id ranking (engine, SQLite) keeps this many matches; nobody pages past them.
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


class RankedIds:
    """A match given as product ids, best first (from the engine or SQLite)."""

    def __init__(self, ids: list[int]):
        self.ids = ids

    def apply(self, rows: QuerySet[ProductListing]) -> QuerySet[ProductListing]:
        """`rows` narrowed to the matches, annotated `search_rank` (higher is
        better)."""
        if not self.ids:
            return nothing(rows)
        return rows.filter(pk__in=self.ids).annotate(search_rank=IdPosition(self.ids))


class DocumentQuery:
    """A match given as a condition on the listing's search document (PostgreSQL):
    the words' query, and the SKUs an exact match would have."""

    def __init__(self, query: search_postgres.TextQuery, skus: list[str]):
        self.query = query
        self.skus = skus

    def narrow(self, rows: QuerySet[ProductListing]) -> QuerySet[ProductListing]:
        """`rows` narrowed to the matches."""
        if not self.query:  # nothing but punctuation: only a SKU can match
            return rows.filter(sku__in=self.skus)
        return rows.filter(search_postgres.document_matches(self.query, skus=self.skus))

    def apply(self, rows: QuerySet[ProductListing]) -> QuerySet[ProductListing]:
        """`rows` narrowed to the matches, annotated `search_rank` (higher is
        better)."""
        if not self.query:
            score = Value(search_postgres.EXACT_SKU_BONUS, output_field=FloatField())
        else:
            score = search_postgres.document_score(self.query, skus=self.skus)
        return self.narrow(rows).annotate(search_rank=score)


def nothing(rows: QuerySet[ProductListing]) -> QuerySet[ProductListing]:
    return rows.none().annotate(search_rank=Value(0, output_field=IntegerField()))


class IdPosition(Func):
    """How high a ranking put a row: the ids' count less the row's position
    among them (so higher is better), as one parameter rather than a CASE of a
    thousand branches, whose SQL Django took longer to build than the database
    to run."""

    output_field = IntegerField()

    def __init__(self, ids: list[int]):
        self.ids = [int(pk) for pk in ids]
        super().__init__(F("product_id"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        size = len(self.ids)
        if connection.vendor == "postgresql":
            sql = f"({size} + 1 - array_position(%s::integer[], {column}))"
            return sql, [self.ids, *params]
        csv = "," + ",".join(map(str, self.ids)) + ","
        # Character offsets, not positions: still larger for earlier ids.
        sql = f"(length(%s) - instr(%s, ',' || {column} || ','))"
        return sql, [csv, csv, *params]


def product_search(
    *, query: str, category_id: int | None = None, prefix_only: bool = False
) -> RankedIds | DocumentQuery:
    """What available products (on one shelf if given) match `query`.

    `prefix_only` (autocomplete) asks titles and SKUs that start with what was
    typed, or have a word that does, and typos only when none does.
    """
    text = normalize_query(query)
    if not text:
        return RankedIds([])
    typed = query.strip()
    skus = list(dict.fromkeys([typed, typed.upper()]))
    ranked = engine.engine_search(
        candidates=lambda: candidates(category_id=category_id),
        query=text,
        prefix_only=prefix_only,
    )
    if ranked is None and connection.vendor == "postgresql":
        return _document_query(text, skus, category_id, prefix_only=prefix_only)
    if ranked is None:  # no engine, or it is unreachable: SQLite
        ranked = _substring_ranked(text, category_id, prefix_only=prefix_only)
    exact = list(
        ProductListing.objects.filter(
            sku__in=skus,
            available=True,
            **({} if category_id is None else {"category_id": category_id}),
        ).values_list("pk", flat=True)[:1]
    )
    ids = exact + [pk for pk, _ in ranked if pk not in exact]
    return RankedIds(
        _break_ties(
            ids[:SEARCH_RESULT_LIMIT],
            dict(ranked),
            first=set(exact),
            title_prefix=text if prefix_only else None,
        )
    )


def _document_query(
    text: str, skus: list[str], category_id: int | None, *, prefix_only: bool
) -> DocumentQuery:
    """The PostgreSQL match: the words (with synonyms) if anything on the shelf
    matches them, else the words with their typos corrected."""
    words = text.split()
    match = DocumentQuery(
        search_postgres.TextQuery(expand_synonyms(words), autocomplete=prefix_only),
        skus,
    )
    fixes = search_postgres.corrections(words)
    if not fixes:
        return match
    # A word no title uses may still be in descriptions or a category's title.
    # Counted rather than `exists()`: with LIMIT 1, PostgreSQL guesses a prefix is
    # common and scans the table for a first match that a typo never has.
    scope = ProductListing.objects.filter(available=True)
    if category_id is not None:
        scope = scope.filter(category_id=category_id)
    if match.narrow(scope).count():
        return match
    groups = [
        sorted(
            {
                alt
                for group in expand_synonyms([word, *fixes.get(word, [])])
                for alt in group
            }
        )
        for word in words
    ]
    return DocumentQuery(
        search_postgres.TextQuery(groups, autocomplete=prefix_only),
        skus,
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


def _substring_ranked(
    text: str, category_id: int | None, *, prefix_only: bool = False
) -> list[tuple[int, float]]:
    """(id, score) best first without PostgreSQL: substrings, then typos."""
    words = text.split()
    scored: dict[int, float] = {}
    queryset = candidates(category_id=category_id)
    _substring_scores(scored, queryset, expand_synonyms(words), prefix_only=prefix_only)
    if not scored:
        for pk in close_title_ids(queryset, words):
            scored[pk] = 0.1
    return sorted(scored.items(), key=lambda item: -item[1])


def _substring_scores(
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
    """Typo tolerance without trigrams: products whose title has, for every word
    of three letters or more, a word close to it (difflib ratio of at least 0.8;
    the last word, still being typed, may be close to a title word's start),
    closest first.

    It reads every candidate title, which suits the embedded default's laptop-sized
    catalogs; PostgreSQL corrects the words against an indexed vocabulary instead.
    """
    last = len(words) - 1
    wanted = [
        (word.lower(), n == last) for n, word in enumerate(words) if len(word) >= 3
    ]
    if not wanted:
        return []

    def closeness(word: str, title_word: str, prefix: bool) -> float:
        ratio = SequenceMatcher(None, word, title_word).ratio()
        if prefix:  # still being typed: also against the title word's start
            start = title_word[: len(word) + 1]
            ratio = max(ratio, SequenceMatcher(None, word, start).ratio())
        return ratio

    scored = []
    for pk, title in queryset.order_by("title").values_list("pk", "title"):
        title_words = title.lower().split()
        best = [
            max((closeness(w, t, prefix) for t in title_words), default=0.0)
            for w, prefix in wanted
        ]
        if min(best) >= CLOSE_MATCH_RATIO:
            scored.append((sum(best) / len(best), pk))
    scored.sort(key=lambda match: -match[0])
    return [pk for _, pk in scored[:SEARCH_RESULT_LIMIT]]
