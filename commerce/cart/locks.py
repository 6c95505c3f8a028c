"""The only place cart rows are locked."""

from .models import Cart


def lock_cart(*, user_id: int) -> Cart | None:
    """Lock a user's cart row so that edits and checkouts of that cart queue.

    Must run inside `transaction.atomic`. Returns None when the user has no cart.
    """
    return Cart.objects.select_for_update().filter(user_id=user_id).first()
