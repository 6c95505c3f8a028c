"""The only place stock rows are locked: always in primary-key order."""

from collections.abc import Iterable

from .models import StockRecord


def lock_stock_records(*, product_ids: Iterable[int]) -> dict[int, StockRecord]:
    """Lock the stock rows of these products, ordered by primary key so that two
    transactions locking overlapping sets queue instead of deadlocking.

    Must run inside `transaction.atomic`. Returns records keyed by product id;
    a product with no stock record is simply absent.
    """
    records = (
        StockRecord.objects.select_for_update()
        .filter(product_id__in=set(product_ids))
        .order_by("pk")
    )
    return {record.product_id: record for record in records}
