"""The search engine behind `SEARCH_URL` (Elasticsearch 8 or OpenSearch), when set.

Wagtail's own Elasticsearch/OpenSearch backend is configured as the search backend
named "engine" (`nexus.settings.base`), with our index settings (`engine_backends.py`).
The database index stays up to date as well: it answers whenever the engine cannot,
so an engine outage slows search down and never takes it away. After a failure the
engine is left alone for `RETRY_AFTER_SECONDS`, so shoppers do not each wait for
its timeout.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from wagtail.search.backends import get_search_backend

from cms.models import ProductPage

logger = logging.getLogger(__name__)

ENGINE = "engine"
RETRY_AFTER_SECONDS = 30.0
# Ids asked of the engine per search (the database path caps at the same number).
ENGINE_RESULT_LIMIT = 1000

_lock = threading.Lock()
_state = {"backend": None, "down_until": 0.0, "last_error": ""}


def engine_configured() -> bool:
    return ENGINE in settings.WAGTAILSEARCH_BACKENDS


def engine_backend():
    """The engine's backend, built once per process (its HTTP client pools
    connections)."""
    with _lock:
        if _state["backend"] is None:
            _state["backend"] = get_search_backend(ENGINE)
        return _state["backend"]


def engine_reset() -> None:
    """Forget the client and any outage (tests, and settings changes)."""
    with _lock:
        _state.update(backend=None, down_until=0.0, last_error="")


def engine_degraded() -> str | None:
    """Why searches are currently answered by the database, if they are."""
    if time.monotonic() < _state["down_until"]:
        return _state["last_error"]
    return None


def _mark_down(exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:300]
    with _lock:
        _state["down_until"] = time.monotonic() + RETRY_AFTER_SECONDS
        _state["last_error"] = error
    logger.warning(
        "search engine unreachable, searching the database instead: %s", error
    )


def engine_search(
    *,
    candidates: Callable[[], QuerySet[ProductPage]],
    query: str,
    prefix_only: bool = False,
) -> list[tuple[int, float]] | None:
    """(id, score) best first from the engine among `candidates()`, or None when
    there is no engine or it cannot answer (the caller then searches the
    database)."""
    if not engine_configured() or engine_degraded() is not None:
        return None
    try:
        backend = engine_backend()
        queryset = candidates()
        ask = backend.autocomplete if prefix_only else backend.search
        results = ask(
            query, queryset.order_by().only("pk"), order_by_relevance=True
        ).annotate_score("_score")
        return [
            (page.pk, float(page._score or 0.0))
            for page in results[:ENGINE_RESULT_LIMIT]
        ]
    except Exception as exc:  # noqa: BLE001 - any engine failure falls back
        _mark_down(exc)
        return None


def engine_index_products(*, product_ids: list[int]) -> tuple[int, int]:
    """Bring these products' engine documents in line with the database: index
    the available ones, remove the others. Returns (indexed, removed); raises when
    the engine cannot be reached (the task retries)."""
    if not engine_configured() or not product_ids:
        return 0, 0
    backend = engine_backend()
    available = list(
        ProductPage.objects.available()
        .filter(pk__in=product_ids)
        .select_related("locale")
        .order_by("pk")
    )
    if available:
        backend.add_bulk(ProductPage, available)
    gone = set(product_ids) - {page.pk for page in available}
    for pk in sorted(gone):
        backend.delete(ProductPage(pk=pk, id=pk))
    return len(available), len(gone)
