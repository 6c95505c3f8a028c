"""Reads of stock: levels that tolerate a missing record, and the low-stock list."""

from django.db.models import F, QuerySet

from .models import StockAdjustment, StockRecord


def stock_quantity(*, product_id: int) -> int:
    """Units on hand; a product with no stock row has none."""
    quantity = (
        StockRecord.objects.filter(product_id=product_id)
        .values_list("quantity", flat=True)
        .first()
    )
    return quantity or 0


def stock_records_low() -> QuerySet[StockRecord]:
    """Records below their threshold, emptiest first, with their product loaded."""
    return (
        StockRecord.objects.filter(quantity__lt=F("low_stock_threshold"))
        .select_related("product")
        .order_by("quantity", "pk")
    )


def stock_adjustments_recent(
    *, record: StockRecord, limit: int = 10
) -> QuerySet[StockAdjustment]:
    return record.adjustments.select_related("actor")[:limit]
