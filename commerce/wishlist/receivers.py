"""Hears inventory's `stock_changed`: a wished-for product back in stock.

Connected in `WishlistConfig.ready`. Runs inside the stock transaction, under the
stock rows' locks, so it does O(1) work per product however many fans it has: it
records the restock and queues one alert task once the stock change commits.
"""

from functools import partial

from django.db import transaction

from commerce.inventory.signals import stock_changed

from .services import restock_record
from .tasks import queue_restock_alerts


def _stock_changed(sender, changes: dict[int, tuple[int, int]], **kwargs) -> None:
    for product_id, (before, after) in sorted(changes.items()):
        if before <= 0 < after:
            restock = restock_record(product_id=product_id, quantity=after)
            if restock is not None:
                transaction.on_commit(partial(queue_restock_alerts, restock.pk))


def connect() -> None:
    stock_changed.connect(_stock_changed, dispatch_uid="wishlist-back-in-stock")
