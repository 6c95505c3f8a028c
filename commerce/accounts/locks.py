"""The only place user rows are locked, so two password writes queue, not race."""

from .models import User


def lock_user(*, user_id: int) -> User | None:
    """Lock one user's row; must run inside `transaction.atomic`."""
    return User.objects.select_for_update().filter(pk=user_id).first()
