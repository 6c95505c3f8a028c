"""The order lifecycle: status transitions, cancellation and its restock; staff notes.

Placing an order is checkout's (checkout.py, which also writes down the lock order).
"""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import (
    stock_apply_many_locked,
    stock_records_ensure_and_lock,
)
from realtime.models import NotificationKind
from realtime.services import notification_send

from .errors import InvalidNote, InvalidTransition
from .models import (
    TRANSITION_SOURCES,
    Order,
    OrderEvent,
    OrderLine,
    OrderNote,
    OrderStatus,
)


def order_transition(*, order_id: int, to_status: str, actor, note: str = "") -> Order:
    """Move an order along the API's status machine; the one way status changes.

    Locks: the Order row, through a conditional UPDATE (WHERE status is the one
    read and is an allowed source), so of two racing transitions exactly one wins;
    for a cancellation, then the StockRecord rows of its lines in primary-key order.
    Records an OrderEvent and the customer's notification. Raises
    InvalidTransition, or Http404 for an unknown order.
    """
    sources = TRANSITION_SOURCES.get(to_status, ())
    with transaction.atomic():
        for _ in range(len(OrderStatus.values)):
            current = (
                Order.objects.filter(pk=order_id)
                .values_list("status", flat=True)
                .first()
            )
            if current is None:
                raise Http404("No such order.")
            if current not in sources:
                raise InvalidTransition(
                    order_id=order_id, current=current, requested=to_status
                )
            changed = Order.objects.filter(
                pk=order_id, status=current, status__in=sources
            ).update(status=to_status, updated_at=timezone.now())
            if changed:
                break
        else:
            raise InvalidTransition(
                order_id=order_id, current=current, requested=to_status
            )

        order = Order.objects.select_related("user").get(pk=order_id)
        if to_status == OrderStatus.CANCELLED:
            _restock(order=order, actor=actor)
        OrderEvent.objects.create(
            order=order,
            actor=actor,
            from_status=current,
            to_status=to_status,
            note=note[:255],
        )
        notification_send(
            user=order.user,
            kind=NotificationKind.ORDER_STATUS_CHANGED,
            title=f"Order {order.number} is now {order.get_status_display().lower()}",
            body=f"Your order {order.number} changed from {current} to {to_status}.",
            data={
                "order_id": order.pk,
                "number": order.number,
                "status": to_status,
                "previous_status": current,
            },
        )
    return order


def _restock(*, order: Order, actor) -> None:
    """Put a cancelled order's units back; runs once, under the winning UPDATE."""
    lines = list(OrderLine.objects.filter(order=order).order_by("product_id"))
    records = stock_records_ensure_and_lock(
        product_ids=[line.product_id for line in lines]
    )
    stock_apply_many_locked(
        deltas=[(records[line.product_id], line.quantity) for line in lines],
        reason=StockAdjustment.Reason.CANCELLATION,
        actor=actor,
        note=order.number,
    )


def order_cancel(*, order_id: int, actor) -> Order:
    """Cancel a pending or paid order and restore its stock exactly once.

    Locks: as `order_transition`.
    """
    return order_transition(
        order_id=order_id, to_status=OrderStatus.CANCELLED, actor=actor
    )


def order_note_add(*, order_id: int, author, body: str) -> OrderNote:
    """Add a staff note to an order; no lock (a note changes nothing else).

    Raises InvalidNote for a blank or over-long body, Http404 for an unknown order.
    """
    text = (body or "").strip()
    if not text or len(text) > OrderNote.MAX_LENGTH:
        raise InvalidNote()
    if not Order.objects.filter(pk=order_id).exists():
        raise Http404("No such order.")
    return OrderNote.objects.create(order_id=order_id, author=author, body=text)
