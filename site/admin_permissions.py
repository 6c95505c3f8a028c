"""The Wagtail admin permission policy every app uses: some actions refused to all."""

from collections.abc import Callable, Iterable

from wagtail.permission_policies.base import ModelPermissionPolicy


def is_active_staff(user) -> bool:
    """The admin role: an active staff member or superuser."""
    return bool(user.is_active and (user.is_staff or user.is_superuser))


class RefusingPermissionPolicy(ModelPermissionPolicy):
    """A model's admin permissions with some actions shut for everyone.

    `refused` names actions nobody may take; `allowed`, when given, names the only
    actions anybody may take. Whoever asks for an action left open gets it if
    `grant(user)` says so (e.g. `is_active_staff`: a role, not per-model permissions)
    or, without `grant`, if they hold the model's Django permission for it.
    """

    def __init__(
        self,
        model,
        *,
        refused: Iterable[str] = (),
        allowed: Iterable[str] | None = None,
        grant: Callable[..., bool] | None = None,
    ):
        super().__init__(model)
        self.refused = frozenset(refused)
        self.allowed = None if allowed is None else frozenset(allowed)
        self.grant = grant

    def action_open(self, action: str) -> bool:
        if action in self.refused:
            return False
        return self.allowed is None or action in self.allowed

    def user_has_permission(self, user, action):
        if not self.action_open(action):
            return False
        if self.grant is not None:
            return self.grant(user)
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
