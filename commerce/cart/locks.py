"""The only place cart rows are locked."""

import functools

from nexus.db import CompiledQuery

from .models import Cart

# The user id the lock statement is compiled with, replaced by the caller's.
_USER_ID = -1_000_003


def lock_cart(*, user_id: int) -> Cart | None:
    """Lock a user's cart row so that edits and checkouts of that cart queue.

    Must run inside `transaction.atomic`. Returns None when the user has no cart.
    """
    return Cart.objects.select_for_update().filter(user_id=user_id).first()


def lock_cart_id(*, user_id: int) -> int | None:
    """`lock_cart` for a caller that needs only the cart's id (checkout): the same
    row locked by the same statement, compiled once per process instead of per
    call, and no Cart object built. Must run inside `transaction.atomic`."""
    rows = _lock_query().rows(user_id=user_id)
    return rows[0][0] if rows else None


@functools.cache
def _lock_query() -> CompiledQuery:
    rows = (
        Cart.objects.select_for_update()
        .filter(user_id=_USER_ID)
        .order_by("pk")
        .values_list("pk")[:1]
    )
    return CompiledQuery(rows, {_USER_ID: "user_id"})
