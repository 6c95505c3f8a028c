"""The only place stock rows are locked: always in primary-key order."""

import functools
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from nexus.db import insert_one

from .models import StockAdjustment, StockRecord


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


def lock_stock_record_taking(
    *, product_id: int, quantity: int, adjustment: StockAdjustment
) -> StockRecord | None:
    """Lock one product's stock row by taking `quantity` units from it and record the
    change: the record as it now is, or None (nothing changed, nothing locked, no
    adjustment) when it has fewer units or no row.

    Must run inside `transaction.atomic`. For an order of one product: a popular
    product's row is locked from this statement to the commit, and every buyer of
    it queues for that lock, so the row is taken by one conditional `UPDATE`, and
    on PostgreSQL the `adjustment` (its reason, note and actor; the row, the delta
    and the count after are filled in here) is inserted by the same statement. One
    row, so no order to keep. The caller raises the alerts and signals that follow
    (`services.stock_taken_record`).
    """
    now = timezone.now()
    conn = connections[DEFAULT_DB_ALIAS]
    sql = _taking_sql(with_adjustment=conn.vendor == "postgresql")
    params = [
        quantity,
        conn.ops.adapt_datetimefield_value(now),
        product_id,
        quantity,
    ]
    adjustment.delta = -quantity
    adjustment.created_at = now
    adjustment.note = adjustment.note[:255]
    if conn.vendor == "postgresql":
        params += [
            adjustment.delta,
            adjustment.reason,
            adjustment.note,
            adjustment.actor_id,
            params[1],
        ]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, after, threshold, *adjustment_id = row
    record = StockRecord(
        pk=pk,
        product_id=product_id,
        quantity=after,
        low_stock_threshold=threshold,
        updated_at=now,
    )
    adjustment.stock_record = record
    adjustment.quantity_after = after
    if adjustment_id:
        adjustment.pk = adjustment_id[0]
        adjustment._state.adding = False
    else:
        insert_one(adjustment)
    return record


@functools.cache
def _taking_sql(*, with_adjustment: bool) -> str:
    """The taking `UPDATE`; with the adjustment's `INSERT` as a second step of the
    same statement (PostgreSQL's data-modifying `WITH`), which no receiver misses:
    nothing listens for an adjustment's save signals."""
    quote = connection.ops.quote_name
    take = (
        f"UPDATE {quote(StockRecord._meta.db_table)} "  # noqa: S608 - our tables
        "SET quantity = quantity - %s, updated_at = %s "
        "WHERE product_id = %s AND quantity >= %s "
        "RETURNING id, quantity, low_stock_threshold"
    )
    if not with_adjustment:
        return take
    return (
        f"WITH taken AS ({take}), adjustment AS ("  # noqa: S608 - our tables
        f"INSERT INTO {quote(StockAdjustment._meta.db_table)} "
        "(stock_record_id, delta, quantity_after, reason, note, actor_id, created_at) "
        "SELECT id, %s, quantity, %s, %s, %s, %s FROM taken RETURNING id) "
        "SELECT taken.id, taken.quantity, taken.low_stock_threshold, adjustment.id "
        "FROM taken, adjustment"
    )
