"""Wagtail admin: email dead letters, so an admin sees which mails never went out."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from nexus.admin_permissions import RefusingPermissionPolicy

from .models import EmailDeadLetter

# The email worker writes dead letters; an admin reads or dismisses them.
dead_letter_permission_policy = RefusingPermissionPolicy(
    EmailDeadLetter, refused={"add", "change"}
)
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
