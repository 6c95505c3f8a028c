"""Every change to stock; each records a StockAdjustment: who, how much and why."""

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from realtime.models import NotificationKind
from realtime.services import notification_send_staff

from .errors import InsufficientStock
from .locks import lock_stock_records
from .models import StockAdjustment, StockRecord
from .signals import stock_changed


def stock_apply_locked(
    *,
    record: StockRecord,
    delta: int,
    reason: str,
    actor=None,
    note: str = "",
) -> StockRecord:
    """Change one stock row the caller has already locked (see `locks.py`).

    Raises InsufficientStock, changing nothing, if the result would be negative.
    """
    stock_apply_many_locked(
        deltas=[(record, delta)], reason=reason, actor=actor, note=note
    )
    return record


def stock_apply_many_locked(
    *,
    deltas: list[tuple[StockRecord, int]],
    reason: str,
    actor=None,
    note: str = "",
) -> None:
    """Change stock rows the caller has already locked, in one UPDATE and one
    insert of adjustments whatever their number (an order's lines, say).

    Raises InsufficientStock for the first row that would go negative, changing
    nothing. Updates the records in place.
    """
    for record, delta in deltas:
        if record.quantity + delta < 0:
            raise InsufficientStock(
                product_id=record.product_id, available=record.quantity
            )
    changes = {}
    for record, delta in deltas:
        changes[record.product_id] = (record.quantity, record.quantity + delta)
        record.quantity += delta
    now = timezone.now()
    if len(deltas) == 1:
        record = deltas[0][0]
        record.save(update_fields=["quantity", "updated_at"])
    else:
        StockRecord.objects.filter(pk__in=[record.pk for record, _ in deltas]).update(
            quantity=Case(
                *(
                    When(pk=record.pk, then=Value(record.quantity))
                    for record, _ in deltas
                ),
                output_field=IntegerField(),
            ),
            updated_at=now,
        )
    _record_changes(
        deltas=deltas, changes=changes, reason=reason, actor=actor, note=note
    )


def stock_taken_record(*, record: StockRecord, taken: int) -> None:
    """What follows `taken` units taken from a locked row, its adjustment already
    written (by `locks.lock_stock_record_taking`): the low-stock alert and the
    `stock_changed` signal (the catalog's copy). `record` holds the quantity after."""
    _after_changes(
        records=[record],
        changes={record.product_id: (record.quantity + taken, record.quantity)},
    )


def _record_changes(
    *,
    deltas: list[tuple[StockRecord, int]],
    changes: dict[int, tuple[int, int]],
    reason: str,
    actor,
    note: str,
) -> None:
    StockAdjustment.objects.bulk_create(
        [
            StockAdjustment(
                stock_record=record,
                delta=delta,
                quantity_after=record.quantity,
                reason=reason,
                actor=actor,
                note=note[:255],
            )
            for record, delta in deltas
        ]
    )
    _after_changes(records=[record for record, _ in deltas], changes=changes)


def _after_changes(
    *, records: list[StockRecord], changes: dict[int, tuple[int, int]]
) -> None:
    for record in records:
        before, after = changes[record.product_id]
        # Here, under the row lock, exactly one transaction sees stock cross the
        # threshold, whichever path (an order, a damage write-off) took it down.
        if before >= record.low_stock_threshold > after:
            _notify_low_stock(record=record)
    stock_changed.send(sender=StockRecord, changes=changes)


def _notify_low_stock(*, record: StockRecord) -> None:
    sku = record.product.sku
    notification_send_staff(
        kind=NotificationKind.LOW_STOCK,
        title=f"Low stock: {sku}",
        body=f"{sku} is down to {record.quantity} "
        f"(threshold {record.low_stock_threshold}).",
        data={
            "product_id": record.product_id,
            "quantity": record.quantity,
            "threshold": record.low_stock_threshold,
        },
    )


def stock_record_ensure(*, product_id: int) -> StockRecord:
    """Give a product its stock row (quantity 0) if it has none; safe to repeat."""
    record, _ = StockRecord.objects.get_or_create(product_id=product_id)
    return record


def stock_records_ensure_and_lock(*, product_ids: list[int]) -> dict[int, StockRecord]:
    """Give a stock row (quantity 0) to any of these products that has none, then
    lock them all in primary-key order; every product id is in the result.

    Must run inside `transaction.atomic`. Where a missing row should mean "none in
    stock" rather than be created, lock with `locks.lock_stock_records` directly.
    Locks: the StockRecord rows of `product_ids`, through `locks.py`.
    """
    records = lock_stock_records(product_ids=product_ids)
    missing = set(product_ids) - records.keys()
    if not missing:
        return records
    for product_id in sorted(missing):
        stock_record_ensure(product_id=product_id)
    return lock_stock_records(product_ids=product_ids)


def stock_set(
    *, product_id: int, quantity: int, reason: str, actor=None, note: str = ""
) -> StockRecord:
    """Bring stock to an absolute count, recording the difference as an adjustment.

    Locks: that product's StockRecord. No adjustment is recorded when nothing changes.
    """
    if quantity < 0:
        raise ValueError("Stock cannot be set below zero.")
    with transaction.atomic():
        record = stock_records_ensure_and_lock(product_ids=[product_id])[product_id]
        delta = quantity - record.quantity
        if delta == 0:
            return record
        return stock_apply_locked(
            record=record, delta=delta, reason=reason, actor=actor, note=note
        )


def stock_adjust(
    *, product_id: int, delta: int, reason: str, actor=None, note: str = ""
) -> StockRecord:
    """Add or remove units of one product. Locks: that product's StockRecord.

    A product without a stock row (a page made before hooks ran) starts at 0.
    """
    with transaction.atomic():
        record = stock_records_ensure_and_lock(product_ids=[product_id])[product_id]
        return stock_apply_locked(
            record=record, delta=delta, reason=reason, actor=actor, note=note
        )
