"""Re-indexing changed products in the search engine once their change commits."""

import logging

from django.conf import settings
from django.db import transaction

from .engine import engine_configured

logger = logging.getLogger(__name__)


def search_reindex_on_commit(*, product_ids: list[int]) -> None:
    """After the current transaction commits, re-index these products in the
    engine: a Celery task on the broker, inline on the embedded default. Nothing
    to do without an engine (Wagtail keeps the database index current itself)."""
    if not engine_configured() or not product_ids:
        return
    ids = sorted(set(product_ids))

    def send() -> None:
        from .tasks import search_index_products

        if settings.CELERY_TASK_ALWAYS_EAGER:
            try:
                search_index_products.apply(args=[ids], throw=False)
            except Exception as exc:  # noqa: BLE001 - the change itself is saved
                logger.warning("search engine re-index of %s failed: %r", ids, exc)
            return
        try:
            search_index_products.delay(ids)
        except Exception as exc:  # noqa: BLE001 - update_index repairs it
            logger.warning("could not queue the re-index of %s: %r", ids, exc)

    transaction.on_commit(send)
