"""Wagtail admin: email dead letters, so an admin sees which mails never went out."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import EmailDeadLetter


class DeadLetterPermissionPolicy(ModelPermissionPolicy):
    """The email worker writes dead letters; an admin reads or dismisses them."""

    def user_has_permission(self, user, action):
        if action in {"add", "change"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


dead_letter_permission_policy = DeadLetterPermissionPolicy(EmailDeadLetter)
register_permission_policy(EmailDeadLetter, dead_letter_permission_policy)


class EmailDeadLetterViewSet(ModelViewSet):
    model = EmailDeadLetter
    icon = "warning"
    menu_label = "Undelivered emails"
    menu_name = "email-dead-letters"
    add_to_admin_menu = True
    url_prefix = "notifications/dead-letters"
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["recipient", "kind", "attempts", "error", "created_at"]
    list_filter = ["kind"]
    search_fields = ["recipient", "error"]
    inspect_view_fields = [
        "notification",
        "recipient",
        "kind",
        "attempts",
        "error",
        "created_at",
    ]
    form_fields: list[str] = []

    @property
    def permission_policy(self):
        return dead_letter_permission_policy


@hooks.register("register_admin_viewset")
def register_dead_letter_viewset():
    return EmailDeadLetterViewSet("email_dead_letters")
