"""The only place wishlist rows are locked."""

from .models import Restock


def lock_restock(*, restock_id: int) -> Restock | None:
    """Lock one restock while a batch of its fans is alerted, so two tasks for
    the same restock take turns batch by batch. Inside `atomic` only."""
    return Restock.objects.select_for_update().filter(pk=restock_id).first()
