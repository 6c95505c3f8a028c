"""Archive and restore in the Wagtail admin: one pair of confirm views, their menu
entries (page listing "more" menu, page header, editor's action menu) and the guard
that keeps the editor's Publish from putting an archived product back on sale.

Both views call the same services as the API (`product_archive`,
`product_restore`), so the page, the API, carts and search agree afterwards.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.admin import messages
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.locks import BasicLock

from cms.models import ProductPage

from . import services
from .selectors import PendingPublication, product_pending_publication


def _next_url(request, product: ProductPage) -> str:
    return get_valid_next_url_from_request(request) or reverse(
        "wagtailadmin_explore", args=[product.get_parent().pk]
    )


def _with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _product_for(request, page_id: int) -> ProductPage:
    """The product, if this user may publish it: archiving and restoring change
    what is on sale, so they take the publish permission (not the unpublish one,
    which a scheduled page's lock withholds)."""
    product = get_object_or_404(ProductPage, pk=page_id)
    if not product.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return product


def _locked_by_someone_else(product: ProductPage, user) -> bool:
    return product.locked and BasicLock(product).for_user(user)


def _pending_text(pending: PendingPublication) -> str:
    parts = []
    if pending.scheduled_for is not None:
        when = timezone.localtime(pending.scheduled_for).strftime("%Y-%m-%d %H:%M %Z")
        parts.append(f"its publication scheduled for {when}")
    if pending.workflow:
        parts.append(f"its “{pending.workflow}” moderation in progress")
    return " and ".join(parts)


def archive_product_view(request, page_id: int):
    """GET: what archiving does (and what pending publication it cancels);
    POST: archive through the catalog service."""
    product = _product_for(request, page_id)
    next_url = _next_url(request, product)
    if product.archived_at is not None:
        messages.info(request, f"“{product.title}” is already archived.")
        return redirect(next_url)
    if _locked_by_someone_else(product, request.user):
        messages.error(
            request,
            f"“{product.title}” is locked by {product.locked_by}: "
            "ask them to unlock it, then archive it.",
        )
        return redirect(next_url)
    pending = product_pending_publication(product=product)
    if request.method != "POST":
        return TemplateResponse(
            request,
            "catalog/admin/confirm_archive.html",
            {
                "page": product,
                "pending": _pending_text(pending),
                "next": next_url,
                "action_url": _with_next(
                    reverse("catalog_product_archive", args=[product.pk]),
                    get_valid_next_url_from_request(request),
                ),
            },
        )
    services.product_archive(product_id=product.pk, actor=request.user)
    cancelled = _pending_text(pending)
    message = f"“{product.title}” is archived: hidden from the shop, kept for orders."
    if cancelled:
        message += f" Cancelled {cancelled}, which would have published it again."
    messages.success(
        request,
        message,
        buttons=[
            messages.button(
                reverse("catalog_product_restore", args=[product.pk]), "Restore"
            )
        ],
    )
    return redirect(next_url)


def restore_product_view(request, page_id: int):
    """GET: confirm; POST: restore through the catalog service, which publishes
    the latest revision (an editor's saved draft included)."""
    product = _product_for(request, page_id)
    next_url = _next_url(request, product)
    if product.archived_at is None:
        messages.info(request, f"“{product.title}” is not archived.")
        return redirect(next_url)
    if request.method != "POST":
        return TemplateResponse(
            request,
            "catalog/admin/confirm_restore.html",
            {
                "page": product,
                "next": next_url,
                "action_url": _with_next(
                    reverse("catalog_product_restore", args=[product.pk]),
                    get_valid_next_url_from_request(request),
                ),
            },
        )
    try:
        services.product_restore(product_id=product.pk, actor=request.user)
    except ValidationError as error:
        missing = ", ".join(error.message_dict)
        messages.error(
            request,
            f"“{product.title}” was not restored: its latest version has no "
            f"{missing}. Add it in the editor and save, then restore.",
        )
        return redirect("wagtailadmin_pages:edit", product.pk)
    messages.success(request, f"“{product.title}” is restored and on sale again.")
    return redirect(next_url)


class ArchiveMenuItem(MenuItem):
    """ "Archive" in a product's "more" menu (listings) and header (editor)."""

    def __init__(self, page: ProductPage, next_url: str | None, priority: int):
        super().__init__(
            "Archive",
            _with_next(reverse("catalog_product_archive", args=[page.pk]), next_url),
            icon_name="folder-inverse",
            priority=priority,
        )
        self.page = page

    def is_shown(self, user) -> bool:
        return (
            self.page.archived_at is None
            and self.page.permissions_for_user(user).can_publish()
        )


class RestoreMenuItem(ArchiveMenuItem):
    def __init__(self, page: ProductPage, next_url: str | None, priority: int):
        super().__init__(page, next_url, priority)
        self.label = "Restore"
        self.icon_name = "undo"
        self.url = _with_next(
            reverse("catalog_product_restore", args=[page.pk]), next_url
        )

    def is_shown(self, user) -> bool:
        return (
            self.page.archived_at is not None
            and self.page.permissions_for_user(user).can_publish()
        )


def product_menu_items(page, next_url=None, priority=35):
    """The archive/restore pair for a product page; nothing for other pages."""
    if not isinstance(page, ProductPage):
        return []
    return [
        ArchiveMenuItem(page, next_url, priority),
        RestoreMenuItem(page, next_url, priority),
    ]


class RestoreActionMenuItem(ActionMenuItem):
    """In an archived product's editor, Restore takes the place of Publish."""

    label = "Restore…"
    name = "action-restore"
    icon_name = "undo"
    order = 30

    def is_shown(self, context) -> bool:
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page, ProductPage)
            and page.archived_at is not None
            and self.get_user_page_permissions_tester(context).can_publish()
        )

    def get_url(self, parent_context):
        return reverse("catalog_product_restore", args=[parent_context["page"].pk])


def hide_publish_for_archived(menu_items, request, context) -> None:
    page = context.get("page")
    if isinstance(page, ProductPage) and page.archived_at is not None:
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


def refuse_publishing_archived(request, page):
    """The editor's Publish on an archived product (a form opened before it was
    archived, say): the changes are already saved as a draft; nothing goes live,
    and the editor is told why and where Restore is."""
    if not isinstance(page, ProductPage):
        return None
    if not ProductPage.objects.filter(pk=page.pk, archived_at__isnull=False).exists():
        return None
    messages.error(
        request,
        f"“{page.title}” is archived, so it was not published. Your changes are "
        "saved as a draft; restore the product to put it on sale with them.",
        buttons=[
            messages.button(
                reverse("catalog_product_restore", args=[page.pk]), "Restore"
            )
        ],
    )
    return redirect("wagtailadmin_pages:edit", page.pk)
