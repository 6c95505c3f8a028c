"""Checkout: placing an order from the user's cart, once per Idempotency-Key.

Lock order, written down in the code only here: a checkout takes the (user, key) slot
of the idempotency index, then the user's cart row (commerce/cart/locks.py), then
the stock rows of its products by primary key (commerce/inventory/locks.py). A
lifecycle change (services.order_transition) locks the order row through a
conditional UPDATE, then its stock rows by primary key. No path takes two of these
in another order, so no two of them can deadlock.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from commerce.cart.errors import CartEmpty
from commerce.cart.locks import lock_cart_id
from commerce.cart.models import CartItem
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.locks import lock_stock_record_taking, lock_stock_records
from commerce.inventory.models import StockAdjustment, StockRecord
from commerce.inventory.services import stock_apply_many_locked, stock_taken_record
from nexus.db import delete_where, update_one
from nexus.errors import DomainError
from realtime.models import NotificationKind
from realtime.services import notification_send, notification_send_staff

from .cart_lines import (
    CartLine,
    cart_lines,
    refusal,
    user_cart_lines,
    user_cart_lines_and_key,
)
from .errors import IdempotencyConflict
from .models import IdempotencyKey, Order, OrderEvent, OrderLine, OrderStatus
from .rows import order_rows_insert
from .selectors import order_lines_attach

CENT = Decimal("0.01")
IDEMPOTENCY_TTL = timedelta(hours=24)
# Crockford's base32: no I, L, O or U, so a number read over the phone is unambiguous.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

T = TypeVar("T")


def order_number_new() -> str:
    """A readable random order number such as NX-7KQ2-M9XD-4FRT (60 bits)."""
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(12))
    return f"NX-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _is_number_clash(exc: IntegrityError) -> bool:
    return "number" in str(exc)


def _with_number_retry(place: Callable[[], T]) -> T:
    # A clash of two random 60-bit numbers is rare but must not become a 500: the
    # whole transaction rolled back, so running it again is safe.
    for attempt in range(3):
        try:
            return place()
        except IntegrityError as exc:
            if attempt == 2 or not _is_number_clash(exc):
                raise
    raise AssertionError("unreachable")


class _Written(NamedTuple):
    """An order written but not yet paid for in stock (see `_stock_take`)."""

    order: Order
    items: list[CartLine]


def _refused_at_a_glance(*, user, key: str | None) -> DomainError | None:
    """The refusal a checkout would end in, read without a transaction or a lock.

    One statement, so one snapshot: the user's cart lines with their committed
    stock and, with a key, whether that key is already stored. A cart that this
    snapshot shows short (and, with a key, no stored key) is refused here; the
    answer is the one a checkout running at that snapshot would give, and nothing
    is written either way. A buyer arriving after a sell-out thus costs one query
    instead of a transaction, a key claim and a cart lock. Anything else (an empty
    cart, a stored key to replay, a cart that looks servable) returns None and goes
    through the locked path, which decides again.
    """
    if key is None:
        return refusal(user_cart_lines(user_id=user.pk))
    lines, key_stored = user_cart_lines_and_key(user_id=user.pk, key=key)
    return None if key_stored else refusal(lines)


def _order_write(*, user) -> _Written:
    """The first half of checkout: everything but the stock rows.

    The caller holds the transaction. Locks only the user's cart row. Raises
    CartEmpty, ProductUnavailable, or InsufficientStock when the stock as last
    committed is already short (a buyer arriving after a sell-out never queues
    on the hot stock row).
    """
    cart_id = lock_cart_id(user_id=user.pk)
    items = cart_lines(cart_id=cart_id) if cart_id is not None else []
    if not items:
        raise CartEmpty()
    refused = refusal(items)
    if refused is not None:
        raise refused

    lines = [
        OrderLine(
            product_id=item.product_id,
            sku=item.sku,
            title=item.title[:255],
            unit_price=item.price,
            quantity=item.quantity,
            line_total=(item.price * item.quantity).quantize(CENT),
        )
        for item in items
    ]
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    order = Order(
        number=order_number_new(),
        user=user,
        email=user.email,
        currency=settings.CURRENCY,
        subtotal=subtotal,
        total=subtotal,
    )
    event = OrderEvent(actor=user, from_status="", to_status=OrderStatus.PENDING)
    order_rows_insert(order=order, lines=lines, event=event)
    order_lines_attach(order=order, lines=lines)
    delete_where(CartItem, "cart", cart_id)  # compiled once per process (nexus.db)
    _notify_placed(order=order, units=sum(item.quantity for item in items))
    return _Written(order=order, items=items)


def _stock_take(*, written: _Written, user) -> None:
    """The second half of checkout, and the only part that holds stock rows.

    Runs last in the transaction so that a popular product's row stays locked for
    a few statements and the commit, not for the whole order: every checkout of
    that product queues on it. Re-checks every line under the locks and raises
    InsufficientStock, rolling back the whole order, if another buyer got there
    first.
    """
    items = written.items
    if len(items) == 1:  # one row: lock it and take the units in one statement
        _stock_take_one(item=items[0], written=written, user=user)
        return
    records = lock_stock_records(product_ids=[item.product_id for item in items])
    for item in items:
        record = records.get(item.product_id)
        available = record.quantity if record is not None else 0
        if item.quantity > available:
            raise InsufficientStock(product_id=item.product_id, available=available)
    stock_apply_many_locked(
        deltas=[(records[item.product_id], -item.quantity) for item in items],
        reason=StockAdjustment.Reason.ORDER,
        actor=user,
        note=written.order.number,
    )


def _stock_take_one(*, item: CartLine, written: _Written, user) -> None:
    adjustment = StockAdjustment(
        reason=StockAdjustment.Reason.ORDER, actor=user, note=written.order.number
    )
    record = lock_stock_record_taking(
        product_id=item.product_id, quantity=item.quantity, adjustment=adjustment
    )
    if record is None:  # fewer units now than the line wants; nothing was taken
        available = (
            StockRecord.objects.filter(product_id=item.product_id)
            .values_list("quantity", flat=True)
            .first()
        )
        raise InsufficientStock(product_id=item.product_id, available=available or 0)
    stock_taken_record(record=record, taken=item.quantity)


def _place_in_transaction(*, user) -> Order:
    """The body of checkout; the caller holds the transaction."""
    written = _order_write(user=user)
    _stock_take(written=written, user=user)
    return written.order


def _notify_placed(*, order: Order, units: int) -> None:
    data = {
        "order_id": order.pk,
        "number": order.number,
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "item_count": units,
    }
    notification_send(
        user=order.user,
        kind=NotificationKind.ORDER_PLACED,
        title=f"Order {order.number} placed",
        body=f"We have your order of {units} item(s), "
        f"{order.total} {order.currency} in all.",
        data=data,
    )
    notification_send_staff(
        kind=NotificationKind.NEW_ORDER,
        title=f"New order {order.number}",
        body=f"{order.email} ordered {units} item(s) for "
        f"{order.total} {order.currency}.",
        data=data,
    )


def order_place(*, user) -> Order:
    """Check out the user's whole cart in one transaction.

    Locks: the user's Cart row, then the StockRecord rows of its products in
    primary-key order. Re-checks availability and stock under those locks, creates
    the order with a snapshot of each line, decrements stock, empties the cart and
    records the customer and staff notifications. Raises CartEmpty,
    ProductUnavailable or InsufficientStock with nothing changed.
    """

    refused = _refused_at_a_glance(user=user, key=None)
    if refused is not None:
        raise refused

    def place() -> Order:
        with transaction.atomic():
            return _place_in_transaction(user=user)

    return _with_number_retry(place)


class IdempotentCheckout(NamedTuple):
    """What `order_place_idempotent` did.

    `replayed` is False when this request placed `order`, True when an earlier
    request with the key did. `first_response` is the body the placing request
    answered, stored with the key (None only for keys stored without one).
    """

    order: Order
    replayed: bool
    first_response: dict | None = None


def _key_claim(*, user_id: int, key: str, request_hash: str, now) -> int | None:
    """Store the (user, key) row unless one is stored; the new row's id, or None.

    The caller holds the transaction. Like a plain insert, ON CONFLICT waits for a
    concurrent transaction that inserted the same (user, key) to end, then skips
    the row if that one committed; unlike it, a conflict is no error, so no
    savepoint (two more round trips on every checkout) is needed around it.
    """
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - the table name is our own
            '(user_id, "key", request_hash, created_at, expires_at) '
            "VALUES (%s, %s, %s, %s, %s) "
            'ON CONFLICT (user_id, "key") DO NOTHING RETURNING id',
            [
                user_id,
                key,
                request_hash,
                connection.ops.adapt_datetimefield_value(now),
                connection.ops.adapt_datetimefield_value(now + IDEMPOTENCY_TTL),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def order_place_idempotent(
    *, user, key: str, request_hash: str, render: Callable[[Order], dict]
) -> IdempotentCheckout:
    """Checkout guarded by an Idempotency-Key: one order per (user, key).

    Locks: the (user, key) entry of the unique index, by inserting the key row in
    the same transaction as the order; a concurrent request with that key waits on
    the index until this one commits (then replays its order) or rolls back (then
    tries itself). After that, the locks of `order_place`. A failed checkout stores
    nothing, so the client may fix the cart and retry with the same key.

    `render` turns the new order (its lines attached, so it costs no query) into
    the response body; that body is stored with the key in the same transaction,
    so every replay answers exactly what the first request did.
    Raises IdempotencyConflict when the key was used with another request.
    """

    refused = _refused_at_a_glance(user=user, key=key)
    if refused is not None:
        raise refused

    def place() -> IdempotentCheckout:
        for _ in range(3):
            with transaction.atomic():
                now = timezone.now()
                claim = _key_claim(
                    user_id=user.pk, key=key, request_hash=request_hash, now=now
                )
                if claim is None:
                    existing = (
                        IdempotencyKey.objects.select_related("order")
                        .filter(user=user, key=key)
                        .first()
                    )
                    if existing is None:
                        continue  # purged between our insert and read: claim again
                    if existing.expires_at <= now:
                        IdempotencyKey.objects.filter(pk=existing.pk).delete()
                        continue
                    if existing.request_hash != request_hash:
                        raise IdempotencyConflict()
                    return IdempotentCheckout(
                        order=existing.order,
                        replayed=True,
                        first_response=existing.response_body,
                    )
                written = _order_write(user=user)
                body = render(written.order)
                update_one(
                    IdempotencyKey,
                    claim,
                    order=written.order,
                    response_status=201,
                    response_body=body,
                )
                _stock_take(written=written, user=user)
                return IdempotentCheckout(
                    order=written.order, replayed=False, first_response=body
                )
        raise IdempotencyConflict("This Idempotency-Key is busy; retry shortly.")

    return _with_number_retry(place)


def idempotency_keys_purge(*, now=None) -> int:
    """Delete keys past their 24 hours; returns how many. Takes no locks."""
    deleted, _ = IdempotencyKey.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted
