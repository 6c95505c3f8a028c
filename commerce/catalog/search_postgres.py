"""PostgreSQL ranking straight from Wagtail's search index entries.

Wagtail's database backend writes each product's title, body (SKU, description,
category) and autocomplete text into `wagtailsearch_indexentry` as weighted
tsvectors under GIN indexes. Its own query matches `title || body`, a concatenation
no index can serve, and loads a page object per hit: at 100,000 products that read
every entry. These queries ask the indexed vectors directly, join the listing (so
only available products, on the chosen shelf, are ranked) and return ids and
scores:

- full text: every word (or one of its synonyms) must match, the last one as a
  prefix (`lamp & hea:*`), ranked by `ts_rank` with Wagtail's weights (SKU above
  title above description above category), title scaled by its norm as Wagtail
  does;
- autocomplete: the same over the autocomplete vector (title and SKU, unstemmed);
- typos: trigram word similarity of the query to the title (`<%`, served by the
  trigram index migration `catalog.0005` adds), for when nothing else matched.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from wagtail.search.models import IndexEntry

from cms.models import ProductPage

from .models import ProductListing

# ts_rank's weights for D, C, B, A: Wagtail's own for this catalog's boosts.
WEIGHTS = "{0.05,0.2,0.3,1.0}"
# How alike the query and a title's best-matching stretch must be to count as a
# typo of it (pg_trgm's default is 0.6: "hedphones" to "headphones" is 0.58).
TYPO_SIMILARITY = 0.45
_LEXEME = re.compile(r"[^\w\-.]+", re.UNICODE)


def _lexeme(word: str) -> str:
    """A word safe inside to_tsquery: quoted, with nothing that is query syntax."""
    return "'" + _LEXEME.sub("", word).replace("'", "") + "'"


def tsquery(groups: list[list[str]], *, prefix_last: bool = True) -> str:
    """`('sofa' | 'couch') & 'grey':*` for the words (each with its synonyms)."""
    parts = []
    for n, group in enumerate(groups):
        last = prefix_last and n == len(groups) - 1
        words = [
            _lexeme(w) + (":*" if last else "") for w in group if _lexeme(w) != "''"
        ]
        if words:
            parts.append("(" + " | ".join(words) + ")")
    return " & ".join(parts)


def _scope(category_id: int | None) -> tuple[str, list]:
    sql = "l.available"
    params: list = []
    if category_id is not None:
        sql += " AND l.category_id = %s"
        params.append(category_id)
    return sql, params


def _run(sql: str, params: list) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _tables() -> dict:
    return {
        "entries": IndexEntry._meta.db_table,
        "listing": ProductListing._meta.db_table,
    }


def full_text_ranked(
    groups: list[list[str]],
    *,
    category_id: int | None,
    limit: int,
    autocomplete: bool = False,
) -> list[tuple[int, float]]:
    query = tsquery(groups)
    if not query:
        return []
    scope, scope_params = _scope(category_id)
    content_type = ContentType.objects.get_for_model(ProductPage).pk
    if autocomplete:
        score = "ts_rank(%s::float4[], e.autocomplete, q)"
        match = "e.autocomplete @@ q"
        parse = "to_tsquery('simple', %s)"
        score_params = [WEIGHTS]
    else:
        score = (
            "ts_rank(%s::float4[], e.title, q) * e.title_norm"
            " + ts_rank(%s::float4[], e.body, q)"
        )
        match = "(e.title @@ q OR e.body @@ q)"
        parse = "to_tsquery(%s)"  # the server's config, as Wagtail indexed with
        score_params = [WEIGHTS, WEIGHTS]
    sql = (
        f"SELECT l.product_id, {score} AS score "  # noqa: S608 - fixed fragments
        "FROM {entries} e CROSS JOIN " + parse + " q "
        "JOIN {listing} l ON l.product_id = e.object_id::integer "
        f"WHERE e.content_type_id = %s AND {match} AND {scope} "
        "ORDER BY score DESC, l.product_id DESC LIMIT %s"
    ).format(**_tables())
    params = [*score_params, query, content_type, *scope_params, limit]
    return _run(sql, params)


def typo_ranked(
    text: str, *, category_id: int | None, limit: int
) -> list[tuple[int, float]]:
    """Titles whose best-matching stretch is a few letters from `text`."""
    scope, scope_params = _scope(category_id)
    content_type = ContentType.objects.get_for_model(ProductPage).pk
    sql = (
        "SELECT l.product_id, word_similarity(%s, e.title_text) AS score "  # noqa: S608
        "FROM {entries} e "
        "JOIN {listing} l ON l.product_id = e.object_id::integer "
        f"WHERE e.content_type_id = %s AND %s <%% e.title_text AND {scope} "
        "ORDER BY score DESC, l.product_id DESC LIMIT %s"
    ).format(**_tables())
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Only for this query: the threshold `<%` applies through the index.
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(TYPO_SIMILARITY)],
            )
        return _run(sql, [text, content_type, text, *scope_params, limit])
