"""Catalog search on PostgreSQL, inside the listing's own query.

Each listing row carries its product's search document (`search_document`: title
and SKU weighted A and B, description C, the category's title D, stemmed in
English) under a GIN index over available rows. A search is then one more
condition on the query the list already runs, ranked in the same statement:

- full text: every word (or one of its synonyms) must match, the last one also
  as a prefix (`lamp & hea:*`), ranked by `ts_rank` of the whole words with
  weights that put title above description above category; an exact SKU ranks
  above everything;
- autocomplete: the same match restricted to title and SKU lexemes (`:*AB`),
  answered by a bounded walk down an index in its order (`suggestion_ids`);
- typos: a word the catalog does not know is replaced by the title words a few
  letters from it (`SearchWord`, looked up through a trigram index), and the
  query runs again.

`document_refresh` and `vocabulary_add` keep the document and the vocabulary in
step; `listing_sync` calls them in the transaction that writes the listing rows.
"""

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from .models import ProductListing, SearchWord

# ts_rank's weights for D, C, B, A: category, description, SKU, title.
WEIGHTS = "{0.05,0.2,0.4,1.0}"
# An exact SKU ranks above any text score (ts_rank in thousandths: 0..1000).
EXACT_SKU_BONUS = 10_000.0
# Title words the trigram index proposes for a misspelt word; the edit distance
# keeps those a typo away (as search engines' "AUTO" fuzziness: one letter for
# words of up to five, two beyond; words under three letters are not corrected).
TYPO_CANDIDATES = 20
_LEXEME = re.compile(r"[^\w\-.]+", re.UNICODE)
_TITLE_WORD = re.compile(r"[^\W\d_]{3,64}", re.UNICODE)


def _lexeme(word: str) -> str:
    """A word safe inside to_tsquery: quoted, with nothing that is query syntax."""
    cleaned = _LEXEME.sub("", word).replace("'", "")
    return f"'{cleaned}'" if cleaned else ""


def _either(group: list[str], suffix: str = "") -> str:
    words = [_lexeme(word) + suffix for word in group if _lexeme(word)]
    return "(" + " | ".join(words) + ")" if words else ""


class TextQuery:
    """The tsquery for a search: SQL and its parameters, built once.

    Words but the last must each match (stemmed; any of a word's synonyms will
    do); the last matches as a stemmed prefix or, so that typing "was" still
    finds "washer" although "was" is an English stop word, as a plain prefix.
    `autocomplete` restricts every word to title and SKU lexemes.

    Ranking uses the words as whole words (`rank_sql`): a product holding the
    word typed outranks one that only has a word starting with it, and ts_rank
    over prefixes, which must try every lexeme of every document, cost twice
    the rest of a search.
    """

    def __init__(self, groups: list[list[str]], *, autocomplete: bool = False):
        weights = "AB" if autocomplete else ""
        head = [
            _either(group, f":{weights}" if weights else "") for group in groups[:-1]
        ]
        head = [part for part in head if part]
        last = _either(groups[-1], ":*" + weights) if groups else ""
        parts, params = [], []
        if head:
            parts.append("to_tsquery('english', %s)")
            params.append(" & ".join(head))
        if last:
            parts.append("(to_tsquery('english', %s) || to_tsquery('simple', %s))")
            params += [last, last]
        self.sql = " && ".join(parts)
        self.params = params
        whole = " & ".join(part for part in (_either(g) for g in groups) if part)
        self.rank_sql = "to_tsquery('english', %s)"
        self.rank_params = [whole]

    def __bool__(self) -> bool:
        return bool(self.sql)


def document_matches(query: TextQuery, *, skus: list[str]) -> RawSQL:
    """Rows whose document matches `query`, or whose SKU is one of `skus`."""
    table = ProductListing._meta.db_table
    return RawSQL(  # noqa: S611 - fixed fragments; the words are parameters
        f'("{table}"."search_document" @@ ({query.sql}) OR "{table}"."sku" = ANY(%s))',
        [*query.params, skus],
        output_field=BooleanField(),
    )


def document_score(query: TextQuery, *, skus: list[str]) -> RawSQL:
    """How well a row matches, higher is better: an exact SKU first, then the
    text rank in thousandths (closer scores are a tie, which stock and rating
    break)."""
    table = ProductListing._meta.db_table
    exact = f'CASE WHEN "{table}"."sku" = ANY(%s) THEN {EXACT_SKU_BONUS} ELSE 0 END'
    return RawSQL(  # noqa: S611 - fixed fragments; the words are parameters
        f'({exact} + round(1000 * ts_rank(%s::float4[], "{table}"."search_document",'
        f" {query.rank_sql})))",
        [skus, WEIGHTS, *query.rank_params],
        output_field=FloatField(),
    )


# Autocomplete's order after titles starting with the text: in stock, better
# rated, newest. Migration catalog.0008 indexes exactly these expressions over
# available rows.
TIE_ORDER = "(quantity > 0) DESC, COALESCE(rating_average, -1) DESC, product_id DESC"
# How far down the tie order autocomplete looks before it asks the indexes.
SUGGEST_WALK = 2000


def suggestion_ids(
    query: TextQuery, *, text: str, skus: list[str], limit: int
) -> list[int]:
    """Autocomplete on PostgreSQL: an exact SKU, then titles starting with `text`,
    then the other matches of `query`, each in the tie order; at most `limit`.

    A common prefix matches thousands of products, and sorting them all to keep
    ten was most of autocomplete's cost. So it first walks the first
    `SUGGEST_WALK` available rows in the tie order (an index scan) and checks
    each: the first hits in that order are the best ones. Only when the walk
    holds too few of a kind, which means that kind is rare, does it read that
    kind's matches through its index (the title-start btree, the documents' GIN)
    and sort those few.
    """
    table = ProductListing._meta.db_table
    starts = _like_prefix(text.upper())
    match = f"search_document @@ ({query.sql})" if query else "false"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT product_id FROM {table} WHERE available AND sku = ANY(%s) LIMIT 1",  # noqa: S608 - fixed fragments
            [skus],
        )
        exact = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            f"SELECT product_id, UPPER(title) LIKE %s, {match} FROM ("  # noqa: S608
            f"  SELECT product_id, title, search_document FROM {table}"
            f"  WHERE available ORDER BY {TIE_ORDER} LIMIT %s) AS walk",
            [starts, *query.params, SUGGEST_WALK],
        )
        walked = cursor.fetchall()
        whole = len(walked) < SUGGEST_WALK  # the walk saw every available row
        firsts = [pk for pk, title_starts, hit in walked if hit and title_starts]
        others = [pk for pk, title_starts, hit in walked if hit and not title_starts]
        if len(firsts) < limit and not whole:
            cursor.execute(
                _few_sorted(f"UPPER(title) LIKE %s AND {match}"),
                [starts, *query.params, limit],
            )
            firsts = [pk for (pk,) in cursor.fetchall()]
        if len(firsts) + len(others) < limit and not whole:
            cursor.execute(
                _few_sorted(f"{match} AND NOT UPPER(title) LIKE %s"),
                [*query.params, starts, limit],
            )
            others = [pk for (pk,) in cursor.fetchall()]
    return list(dict.fromkeys(exact + firsts + others))[:limit]


def _few_sorted(condition: str) -> str:
    """Available rows meeting `condition`, read through the index that serves it
    and then sorted in the tie order. `OFFSET 0` keeps PostgreSQL from walking
    the tie-order index instead (it guesses a prefix matches 2 % of rows, and a
    walk for a rare one would read them all)."""
    table = ProductListing._meta.db_table
    return (
        f"SELECT product_id FROM (SELECT product_id, quantity, rating_average"  # noqa: S608
        f" FROM {table} WHERE available AND {condition} OFFSET 0) AS found"
        f" ORDER BY {TIE_ORDER} LIMIT %s"
    )


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching strings that start with `text` literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def corrections(words: list[str]) -> dict[str, list[str]]:
    """For each word no title uses, the title words at most one letter away
    (two for words of six letters or more), closest first. The last word is
    being typed: it is known when a title word starts with it, and close when a
    title word starts with something a letter or two from it.

    One query: the vocabulary's trigram index says which words are known and
    proposes the nearest few title words by trigram distance (a GiST index
    answers `ORDER BY word <-> q` without reading the vocabulary); the edit
    distance, in Python on those few, decides.
    """
    if not words:
        return {}
    table = SearchWord._meta.db_table
    last = len(words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.word, q.n = %s,"  # noqa: S608 - the model's table
            f" EXISTS (SELECT 1 FROM {table} s WHERE s.word = q.word"
            f"   OR (q.n = %s AND s.word LIKE q.word || '%%')),"
            f" ARRAY(SELECT s.word FROM {table} s ORDER BY s.word <-> q.word LIMIT %s)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS q(word, n)"
            " WHERE q.word ~ %s",
            [last, last, TYPO_CANDIDATES, words, r"^[[:alpha:]]{3,64}$"],
        )
        rows = cursor.fetchall()
    fixes = {}
    for word, is_last, known, near in rows:
        if known:
            continue
        allowed = 1 if len(word) <= 5 else 2
        close = [c for c in near if _typo_distance(word, c, prefix=is_last) <= allowed]
        if close:
            fixes[word] = close
    return fixes


def _typo_distance(word: str, candidate: str, *, prefix: bool) -> int:
    """Edits from `word` to `candidate`, or (`prefix`: still being typed) to the
    candidate's start of about the word's length."""
    if not prefix:
        return edit_distance(word, candidate)
    sizes = range(len(word) - 1, len(word) + 2)
    return min(edit_distance(word, candidate[:size]) for size in sizes)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, with a transposition counting as one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def document_refresh(
    *, product_ids: Iterable[int] = (), category_id: int | None = None
) -> None:
    """Rewrite the search documents of these products, or of every product on
    this category, from their pages (one UPDATE)."""
    ids = list(product_ids)
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(DOCUMENT_UPDATE + " AND listing.product_id = ANY(%s)", [ids])
        if category_id is not None:
            cursor.execute(
                DOCUMENT_UPDATE + " AND listing.category_id = %s", [category_id]
            )


def vocabulary_add(*, titles: Iterable[str]) -> None:
    """Remember every word of these titles for typo correction."""
    words = {w.lower() for title in titles for w in _TITLE_WORD.findall(title)}
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True
        )


# Also run, over every row, by migration catalog.0007 (which keeps its own copy).
DOCUMENT_UPDATE = """
UPDATE catalog_productlisting AS listing SET search_document =
    setweight(to_tsvector('english', coalesce(page.title, '')), 'A')
 || setweight(to_tsvector('english', coalesce(product.sku, '')), 'B')
 || setweight(to_tsvector('english', regexp_replace(
        coalesce(product.description, ''), '<[^>]*>', ' ', 'g')), 'C')
 || setweight(to_tsvector('english', coalesce((
        SELECT shelf.title FROM wagtailcore_page AS shelf
        WHERE shelf.id = listing.category_id), '')), 'D')
FROM cms_productpage AS product
JOIN wagtailcore_page AS page ON page.id = product.page_ptr_id
WHERE product.page_ptr_id = listing.product_id
"""
