"""Reads of orders, each with lines (and events where shown) prefetched."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from .models import Order, OrderLine, OrderStatus


def orders_visible_to(*, user, status: str | None = None) -> QuerySet[Order]:
    """A customer's own orders, or every order for staff; newest first."""
    orders = Order.objects.prefetch_related("lines").order_by("-created_at", "-id")
    if not user.is_staff:
        orders = orders.filter(user=user)
    if status:
        orders = orders.filter(status=status)
    return orders


def order_get_visible(*, user, order_id: int) -> Order:
    """One order its owner or staff may see; Http404 for anyone else."""
    order = orders_visible_to(user=user).filter(pk=order_id).first()
    if order is None:
        raise Http404("No such order.")
    return order


def order_get_with_history(*, order_id: int) -> Order:
    return (
        Order.objects.select_related("user")
        .prefetch_related("lines", "events__actor")
        .get(pk=order_id)
    )


def order_lines_attach(*, order: Order, lines: list[OrderLine]) -> None:
    """Give `order` the lines just written for it, as `prefetch_related("lines")`
    would, so that rendering a new order costs no query."""
    cached = OrderLine.objects.filter(order=order)
    cached._result_cache = list(lines)
    cached._prefetch_done = True
    order._prefetched_objects_cache = {"lines": cached}


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of an order's history as the desk shows it."""

    at: datetime
    kind: str  # "placed", "status" or "note"
    actor: object | None  # a user, or None for the system (checkout, a task)
    text: str
    from_status: str = ""
    to_status: str = ""


def order_timeline(order: Order) -> list[TimelineEntry]:
    """Status changes and staff notes, oldest first; uses prefetched events and notes
    (`events__actor`, `notes__author`) when the caller fetched them."""
    labels = dict(OrderStatus.choices)
    entries = [
        TimelineEntry(
            at=event.created_at,
            kind="status" if event.from_status else "placed",
            actor=event.actor,
            text=event.note,
            from_status=labels.get(event.from_status, event.from_status),
            to_status=labels.get(event.to_status, event.to_status),
        )
        for event in order.events.all()
    ]
    entries += [
        TimelineEntry(
            at=note.created_at, kind="note", actor=note.author, text=note.body
        )
        for note in order.notes.all()
    ]
    return sorted(entries, key=lambda entry: entry.at)
