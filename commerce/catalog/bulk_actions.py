"""Bulk actions on products (Wagtail's bulk actions API): publish, archive, restore
and move to another category, each product through the catalog services.

Registered for `cms.ProductPage`, so they appear in the product listings (a
category's products and the all-products listing), whose footer names that model.
A product an action does not apply to is listed on the confirmation with the
reason, instead of a bare "you do not have permission".
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.admin.views.bulk_action import BulkAction

from cms.models import CategoryPage, ProductPage

from . import services
from .errors import ProductUnavailable


class ProductBulkAction(BulkAction):
    """What the product actions share."""

    models = [ProductPage]
    template_name = "catalog/admin/bulk_confirm.html"
    question = ""
    explanation = ""
    button_text = ""
    done = ""

    @classmethod
    def get_queryset(cls, model, object_ids):
        return list(ProductPage.objects.filter(pk__in=object_ids).order_by("title"))

    def get_all_objects_in_listing_query(self, parent_id):
        products = ProductPage.objects.all()
        if parent_id is not None:
            products = products.child_of(CategoryPage.objects.get(pk=parent_id))
        return products.values_list("pk", flat=True)

    def check_perm(self, obj) -> bool:
        return obj.permissions_for_user(self.request.user).can_publish()

    def skip_reason(self, product: ProductPage) -> str | None:
        """Why this action leaves the product as it is, or None to act on it."""
        return None

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        acting, skipped = [], []
        for product in objects:
            reason = self.skip_reason(product)
            if reason is None:
                acting.append(product)
            else:
                skipped.append({"item": product, "reason": reason})
        return acting, {**extra, "items_skipped": skipped}

    def object_context(self, obj):
        return {"item": obj}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            question=self.question,
            explanation=self.explanation,
            button_text=self.button_text,
            heading=self.display_name,
        )
        return context

    def get_execution_context(self):
        return {"user": self.request.user, "refusals": self.refusals}

    def get_success_message(self, num_parent_objects, num_child_objects):
        noun = "product" if num_parent_objects == 1 else "products"
        message = f"{num_parent_objects} {noun} {self.done}."
        if self.refusals:
            message += " Not changed: " + "; ".join(self.refusals) + "."
        return message

    def form_valid(self, form):
        self.refusals: list[str] = []
        return super().form_valid(form)


def _each(objects, act, refusals: list[str]) -> int:
    """Act on each product in its own transaction (savepoint), so one refusal
    leaves the others done and is reported by name."""
    done = 0
    for product in objects:
        try:
            with transaction.atomic():
                act(product)
        except (ProductUnavailable, ValidationError) as error:
            refusals.append(f"“{product.title}”: {_reason(error)}")
        else:
            done += 1
    return done


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "no " + " or ".join(error.message_dict) + " yet"
    return str(getattr(error, "detail", error))


class PublishProducts(ProductBulkAction):
    display_name = "Publish"
    action_type = "publish"
    aria_label = "Publish selected products"
    action_priority = 10
    question = "Publish the latest version of these products?"
    explanation = "Each goes on sale with its latest saved version."
    button_text = "Yes, publish"
    done = "published"

    def skip_reason(self, product):
        if product.archived_at is not None:
            return "archived: restore it instead"
        return None

    @classmethod
    def execute_action(cls, objects, user=None, refusals=None, **kwargs):
        count = _each(
            objects,
            lambda p: services.product_publish(product_id=p.pk, actor=user),
            refusals,
        )
        return count, 0


class ArchiveProducts(ProductBulkAction):
    display_name = "Archive"
    action_type = "archive"
    aria_label = "Archive selected products"
    action_priority = 20
    question = "Archive these products?"
    explanation = (
        "They leave the shop (page, API, carts, search) and are kept for "
        "orders; a scheduled publication or moderation in progress is cancelled."
    )
    button_text = "Yes, archive"
    done = "archived"

    def skip_reason(self, product):
        return "already archived" if product.archived_at is not None else None

    @classmethod
    def execute_action(cls, objects, user=None, refusals=None, **kwargs):
        count = _each(
            objects,
            lambda p: services.product_archive(product_id=p.pk, actor=user),
            refusals,
        )
        return count, 0


class RestoreProducts(ProductBulkAction):
    display_name = "Restore"
    action_type = "restore"
    aria_label = "Restore selected products"
    action_priority = 30
    question = "Restore these products?"
    explanation = "Each is published with its latest version and on sale again."
    button_text = "Yes, restore"
    done = "restored"

    def skip_reason(self, product):
        return "not archived" if product.archived_at is None else None

    @classmethod
    def execute_action(cls, objects, user=None, refusals=None, **kwargs):
        count = _each(
            objects,
            lambda p: services.product_restore(product_id=p.pk, actor=user),
            refusals,
        )
        return count, 0


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=CategoryPage.objects.order_by("title"),
        label="New category",
        help_text="Products move with their live version and drafts; "
        "nothing is published.",
    )


class MoveProducts(ProductBulkAction):
    display_name = "Move to category"
    action_type = "move_category"
    aria_label = "Move selected products to another category"
    action_priority = 40
    form_class = CategoryForm
    question = "Move these products to another category?"
    button_text = "Yes, move"
    done = "moved"

    def check_perm(self, obj):
        return obj.permissions_for_user(self.request.user).can_move()

    def get_execution_context(self):
        return {
            **super().get_execution_context(),
            "category": self.cleaned_form.cleaned_data["category"],
        }

    @classmethod
    def execute_action(cls, objects, user=None, refusals=None, category=None, **kwargs):
        count = _each(
            objects,
            lambda p: services.product_move(
                product_id=p.pk, category=category, actor=user
            ),
            refusals,
        )
        return count, 0


PRODUCT_BULK_ACTIONS = [PublishProducts, ArchiveProducts, RestoreProducts, MoveProducts]
