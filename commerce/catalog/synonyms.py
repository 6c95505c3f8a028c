"""The editors' synonyms as lookups for query expansion and engine analyzers."""

from contextlib import suppress

from django.core.cache import caches

from .models import Synonym

CACHE_KEY = "catalog:synonyms"
CACHE_SECONDS = 60


def synonym_words() -> list[list[str]]:
    """Every synonym group's words (at most one query; cached for a minute and
    dropped when an editor saves or deletes a group)."""
    try:
        cached = caches["default"].get(CACHE_KEY)
    except Exception:  # noqa: BLE001 - a cache outage only costs a query
        cached = None
    if cached is not None:
        return cached
    groups = [group.words for group in Synonym.objects.all()]
    with suppress(Exception):  # the next search asks the database again
        caches["default"].set(CACHE_KEY, groups, CACHE_SECONDS)
    return groups


def synonym_groups() -> dict[str, set[str]]:
    """Each single word mapped to every word it stands for (its groups' union)."""
    groups: dict[str, set[str]] = {}
    for words in synonym_words():
        singles = {word for word in words if " " not in word}
        for word in singles:
            groups.setdefault(word, set()).update(singles)
    return groups


def synonyms_changed() -> None:
    with suppress(Exception):  # entries expire within CACHE_SECONDS anyway
        caches["default"].delete(CACHE_KEY)


def engine_synonym_rules() -> list[str]:
    """The groups in the Solr format the engines' synonym filter reads."""
    return [", ".join(words) for words in synonym_words()]
