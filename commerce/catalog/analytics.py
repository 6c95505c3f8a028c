"""Search analytics: which searches find nothing, counted per query per day."""

import logging
from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.models import Max, Sum
from django.utils import timezone

from .models import SearchMiss
from .search import normalize_query

logger = logging.getLogger(__name__)

MISS_QUERY_MAX = 200


def search_miss_record(*, query: str) -> None:
    """Count one search for `query` that found nothing: one upsert of the
    (normalised query, today) row. Never fails the search that called it."""
    text = normalize_query(query)[:MISS_QUERY_MAX]
    if not text:
        return
    now = timezone.now()
    table = SearchMiss._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (query, day, count, last_seen) "  # noqa: S608
                "VALUES (%s, %s, 1, %s) ON CONFLICT (query, day) "
                "DO UPDATE SET count = " + table + ".count + 1, last_seen = %s",
                [text, now.date(), now, now],
            )
    except DatabaseError as exc:
        logger.warning("search miss not counted: %r", exc)


def top_search_misses(*, days: int = 7, limit: int = 50) -> list[dict]:
    """The queries that most often found nothing over the last `days` days."""
    since = timezone.now().date() - timedelta(days=days - 1)
    return list(
        SearchMiss.objects.filter(day__gte=since)
        .values("query")
        .annotate(searches=Sum("count"), last_seen=Max("last_seen"))
        .order_by("-searches", "query")[:limit]
    )
