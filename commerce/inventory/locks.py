"""The only place stock rows are locked: always in primary-key order."""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

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


def lock_stock_record_taking(*, product_id: int, quantity: int) -> StockRecord | None:
    """Lock one product's stock row by taking `quantity` units from it, in a single
    conditional UPDATE: the record as it now is, or None (nothing changed, nothing
    locked) when it has fewer units or no row.

    Must run inside `transaction.atomic`. The lock of `lock_stock_records` and the
    decrement in one round trip, for an order of one product: a popular product's
    row is held for one statement fewer. One row, so no order to keep. The caller
    records the change (`services.stock_taken_record`).
    """
    now = timezone.now()
    table = connection.ops.quote_name(StockRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET quantity = quantity - %s, updated_at = %s "  # noqa: S608 - our table
            "WHERE product_id = %s AND quantity >= %s "
            "RETURNING id, quantity, low_stock_threshold",
            [
                quantity,
                connection.ops.adapt_datetimefield_value(now),
                product_id,
                quantity,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, after, threshold = row
    return StockRecord(
        pk=pk,
        product_id=product_id,
        quantity=after,
        low_stock_threshold=threshold,
        updated_at=now,
    )
