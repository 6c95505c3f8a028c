"""What checkout reads of a cart: each line with its product's sellable facts and its
stock as last committed, in one statement compiled once per process."""

import functools
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists

from commerce.cart.models import CartItem
from commerce.catalog.errors import ProductUnavailable
from commerce.inventory.errors import InsufficientStock
from nexus.db import CompiledQuery
from nexus.errors import DomainError

from .models import IdempotencyKey


class CartLine(NamedTuple):
    """One cart item as checkout needs it (no page objects built)."""

    product_id: int
    quantity: int
    sku: str
    title: str
    price: Decimal
    live: bool
    archived: bool
    committed_stock: int


FIELDS = (
    "product_id",
    "quantity",
    "product__sku",
    "product__title",
    "product__price",
    "product__live",
    "product__archived_at",
    "product__stock_record__quantity",
)

# The values the statements are compiled with, each replaced by the caller's own.
_CART_ID = -1_000_001
_USER_ID = -1_000_002
_KEY = "\x00idempotency-key"
_STAND_INS = {_CART_ID: "cart_id", _USER_ID: "user_id", _KEY: "key"}


@functools.cache
def _query(by: str) -> CompiledQuery:
    """The read by "cart", "user" or "user+key" (the lines plus, as a last column,
    whether the user's key is stored), compiled once per process: for this
    five-table join, compiling costs about as much CPU as the round trip."""
    if by == "cart":
        rows = CartItem.objects.filter(cart_id=_CART_ID)
    else:
        rows = CartItem.objects.filter(cart__user_id=_USER_ID)
    fields = FIELDS
    if by == "user+key":
        stored = IdempotencyKey.objects.filter(user_id=_USER_ID, key=_KEY)
        rows = rows.annotate(key_stored=Exists(stored))
        fields = (*FIELDS, "key_stored")
    return CompiledQuery(rows.order_by("product_id").values_list(*fields), _STAND_INS)


def _lines(rows) -> list[CartLine]:
    return [
        CartLine(pid, qty, sku, title, price, live, archived_at is not None, stock or 0)
        for pid, qty, sku, title, price, live, archived_at, stock in rows
    ]


def cart_lines(*, cart_id: int) -> list[CartLine]:
    """The cart's lines in product order."""
    return _lines(_query("cart").rows(cart_id=cart_id))


def user_cart_lines(*, user_id: int) -> list[CartLine]:
    """The lines of the user's cart in product order (none without a cart)."""
    return _lines(_query("user").rows(user_id=user_id))


def user_cart_lines_and_key(*, user_id: int, key: str) -> tuple[list[CartLine], bool]:
    """The user's cart lines and whether (user, key) is stored, from one statement
    and so one snapshot; the key is reported False when the cart has no lines."""
    rows = _query("user+key").rows(user_id=user_id, key=key)
    return _lines(row[:-1] for row in rows), bool(rows and rows[0][-1])


def refusal(lines: list[CartLine]) -> DomainError | None:
    """Why these lines cannot be ordered from the stock as last committed, if so.

    Lines are in product order, so the same cart always names the same product
    first. Available means what ProductPage.is_available says: live, not archived.
    """
    for line in lines:
        if not line.live or line.archived:
            return ProductUnavailable(product_id=line.product_id)
        if line.quantity > line.committed_stock:
            return InsufficientStock(
                product_id=line.product_id, available=line.committed_stock
            )
    return None
