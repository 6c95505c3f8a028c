"""Reads of orders, each with lines (and events where shown) prefetched."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Order, OrderLine


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
