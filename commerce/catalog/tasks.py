"""Catalog background work: keeping the search engine's documents current."""

from celery import shared_task

from .engine import engine_index_products


@shared_task(
    name="catalog.search_index_products",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=12,
)
def search_index_products(product_ids: list[int]) -> tuple[int, int]:
    """Index these products in the engine as the database has them now (or remove
    those no longer on sale).

    Idempotent: it reads the current state, so a repeat or a late run writes the
    same documents. Retried with backoff for about an hour while the engine is
    down; `manage.py update_index` repairs anything missed beyond that.
    """
    return engine_index_products(product_ids=product_ids)
