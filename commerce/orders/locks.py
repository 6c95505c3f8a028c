"""Lock order for checkout: the (user, key) idempotency slot, the user's cart, then
stock rows by primary key (commerce/inventory/locks.py). Lifecycle changes lock the
order row with a conditional UPDATE, then its stock rows. No path takes them in
another order, so no two of them can deadlock."""

from commerce.cart.locks import lock_cart
from commerce.inventory.locks import lock_stock_records

__all__ = ["lock_cart", "lock_stock_records"]
