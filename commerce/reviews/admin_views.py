"""The review moderation queue in Wagtail's admin: filters, inspect, bulk decisions.

Reviews are never edited as forms: approving and rejecting, one at a time from the
inspect view or many at once from the listing's bulk actions, go through
`reviews_moderate`, so the product's rating and the author's notification follow
the same rules as the API.
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet

from cms.models import ProductPage
from nexus.admin_permissions import RefusingPermissionPolicy, is_active_staff
from nexus.errors import DomainError

from .models import MODERATION_SOURCES, STARS, Review, ReviewStatus
from .services import reviews_moderate


class ReviewPermissionPolicy(RefusingPermissionPolicy):
    """Staff moderate. Nobody adds, edits or deletes a review through a form (an
    edit would bypass the rating): only "view" is open, and decisions go through
    the moderation views, which ask `user_may_moderate`."""

    def user_may_moderate(self, user) -> bool:
        return is_active_staff(user)


review_permission_policy = ReviewPermissionPolicy(
    Review, allowed={"view"}, grant=is_active_staff
)


class ReviewFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReviewStatus.choices, empty_label="All"
    )
    rating = django_filters.ChoiceFilter(
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in STARS],
        empty_label="Any",
    )
    product = django_filters.ModelChoiceFilter(
        queryset=ProductPage.objects.filter(reviews__isnull=False)
        .distinct()
        .order_by("title")
    )

    class Meta:
        model = Review
        fields = ["status", "rating", "product"]


class ReviewInspectView(InspectView):
    template_name = "reviews/admin/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Review.objects.select_related(
                "product", "author", "order_line__order", "moderated_by"
            ),
            pk=self.pk,
        )

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                label,
                url=reverse(f"reviews:{status}", args=[self.object.pk]),
                icon_name=icon,
            )
            for status, label, icon in DECISIONS
            if self.object.status in MODERATION_SOURCES[status]
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object.order_line
        context.update(
            review=self.object,
            product=self.object.product,
            line=line,
            order=line.order,
            order_url=reverse("orders:inspect", args=[line.order_id]),
            product_url=reverse("wagtailadmin_pages:edit", args=[line.product_id]),
        )
        return context


DECISIONS = [
    (ReviewStatus.APPROVED, "Approve", "tick"),
    (ReviewStatus.REJECTED, "Reject", "cross"),
]


class ReviewDecisionView(View):
    """POST: approve or reject one review from its inspect view."""

    status = ""

    def post(self, request, pk: int):
        if not review_permission_policy.user_may_moderate(request.user):
            raise PermissionDenied
        review = get_object_or_404(Review, pk=pk)
        try:
            reviews_moderate(
                review_ids=[review.pk], status=self.status, moderator=request.user
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, f"Review “{review.title}” is now {self.status}.")
        return redirect(reverse("reviews:inspect", args=[review.pk]))


class ReviewViewSet(SnippetViewSet):
    model = Review
    url_prefix = "reviews"
    url_namespace = "reviews"
    icon = "comment"
    menu_label = "Reviews"
    add_to_admin_menu = True
    menu_order = 250
    permission_policy = review_permission_policy
    inspect_view_class = ReviewInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    filterset_class = ReviewFilterSet
    list_display = ["title", "rating", "status", "product", "author", "created_at"]
    search_fields = ["title", "body", "author__email", "product__title"]
    search_backend_name = None
    form_fields = ["status"]  # a viewset needs a form; the policy refuses edits

    def get_queryset(self, request):
        # Newest first, with what the listing shows in the same query.
        return Review.objects.select_related("product", "author").order_by(
            "-created_at", "-id"
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                f"{status}/<int:pk>/",
                type(
                    f"{label}View", (ReviewDecisionView,), {"status": status}
                ).as_view(),
                name=status,
            )
            for status, label, _ in DECISIONS
        ]


class ModerateBulkAction(SnippetBulkAction):
    """Approve or reject the reviews ticked in the queue, in one transaction."""

    models = [Review]
    status = ""
    template_name = "reviews/admin/confirm_bulk_moderate.html"

    def check_perm(self, review):
        return review_permission_policy.user_may_moderate(self.request.user)

    @classmethod
    def execute_action(cls, objects, **kwargs):
        decided = reviews_moderate(
            review_ids=[review.pk for review in objects],
            status=cls.status,
            moderator=kwargs["user"],
            skip_invalid=True,
        )
        return len(decided), 0

    def get_execution_context(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "decision": self.status}

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d review %(status)s.",
            "%(count)d reviews %(status)s.",
            num_parent_objects,
        ) % {"count": num_parent_objects, "status": self.status}


class ApproveBulkAction(ModerateBulkAction):
    display_name = "Approve"
    action_type = "approve_reviews"
    aria_label = "Approve the selected reviews"
    action_priority = 10
    status = ReviewStatus.APPROVED


class RejectBulkAction(ModerateBulkAction):
    display_name = "Reject"
    action_type = "reject_reviews"
    aria_label = "Reject the selected reviews"
    action_priority = 20
    status = ReviewStatus.REJECTED
