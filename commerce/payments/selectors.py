"""Reads of payments for the order desk, with refunds prefetched."""

from django.db.models import QuerySet

from .models import Payment


def payments_of_order(*, order_id: int) -> QuerySet[Payment]:
    """An order's payments, oldest first, each with its refunds and their actors."""
    return (
        Payment.objects.filter(order_id=order_id)
        .prefetch_related("refunds__requested_by")
        .order_by("created_at", "id")
    )
