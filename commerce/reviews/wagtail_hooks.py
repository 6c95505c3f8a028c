"""Registers the review moderation queue and its bulk decisions in Wagtail."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin_views import (
    ApproveBulkAction,
    RejectBulkAction,
    ReviewViewSet,
    review_permission_policy,
)
from .models import Review

register_permission_policy(Review, review_permission_policy)
register_snippet(ReviewViewSet)
hooks.register("register_bulk_action", ApproveBulkAction)
hooks.register("register_bulk_action", RejectBulkAction)
