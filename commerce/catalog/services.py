"""Every write to the catalog: products as new page revisions, stock via inventory.

Content changes are saved as a Wagtail revision and published, so an editor sees
API edits in the page's history; stock never rides in a revision.

Callers check who may act (the API's admin role, the admin's page permissions);
the services then act with Wagtail's own permission checks skipped, so a shop
administrator without page-level Wagtail permissions can still manage products.
"""

import html
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.actions.move_page import MovePageAction
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Page

from cms.models import CategoryPage, ProductGalleryImage, ProductImage, ProductPage
from cms.uploads import ImageFacts, validate_image_upload
from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import stock_set

from .errors import DuplicateSku, ProductUnavailable
from .listing import listing_sync
from .locks import lock_product
from .richtext import rich_text_clean

CONTENT_FIELDS = ("title", "sku", "price", "description")

_PRODUCT_TABLE = ProductPage._meta.db_table
# ProductPage.sku is `unique=True`, created inline by cms.0001: PostgreSQL names
# that constraint <table>_<column>_key; SQLite names the column in its message.
_SKU_CONSTRAINT = f"{_PRODUCT_TABLE}_sku_key"
_SQLITE_SKU_CLASH = f"UNIQUE constraint failed: {_PRODUCT_TABLE}.sku"


def _is_sku_clash(error: IntegrityError) -> bool:
    """Whether the database refused the write for a SKU another product holds.

    Any other refusal (a slug, a stock row) is a bug and must not read as a 400.
    """
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None:
        return diag.constraint_name == _SKU_CONSTRAINT
    return _SQLITE_SKU_CLASH in str(error)


def _description_html(text: str) -> str:
    """Staff may send HTML or plain text; plain text becomes escaped paragraphs.

    HTML keeps only what the admin's editor allows in the description, so no
    script or event handler reaches the storefronts that render it.
    """
    if "<" in text and ">" in text:
        features = ProductPage._meta.get_field("description").features
        return rich_text_clean(text, features=features)
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part)}</p>" for part in paragraphs)


def _free_slug(*, parent: Page, title: str, sku: str, exclude_pk=None) -> str:
    base = slugify(title)[:200] or slugify(sku)[:200] or "product"
    siblings = Page.objects.child_of(parent)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    taken = set(siblings.filter(slug__startswith=base).values_list("slug", flat=True))
    candidates = [base, f"{base}-{slugify(sku)}"[:255]]
    candidates += [f"{base}-{n}" for n in range(2, len(taken) + 3)]
    return next(slug for slug in candidates if slug not in taken)


def _publish(page: ProductPage, *, actor) -> ProductPage:
    """Save the page's state as a revision; publish it unless archived.

    A draft made in the admin may lack SKU or price; a staff change that leaves
    them missing is refused as a field map, before anything is saved."""
    missing = {
        field: ["A product needs this before it goes on sale."]
        for field in ("sku", "price")
        if getattr(page, field) in (None, "")
    }
    if missing:
        raise ValidationError(missing)
    revision = page.save_revision(user=actor, log_action=True)
    if page.archived_at is None:
        revision.publish(user=actor, skip_permission_checks=True)
    return page


def _locked_product(product_id: int) -> ProductPage:
    """Lock the product's page row; ProductUnavailable if there is no such product."""
    product = lock_product(product_id=product_id)
    if product is None:
        raise ProductUnavailable(product_id=product_id)
    return product


def _version_to_change(current: ProductPage) -> ProductPage:
    """What a staff change builds on: the live row shoppers see, not an editor's
    unpublished draft, so the API never publishes their work; archiving belongs to
    the product, not to a revision."""
    page = current if current.live else current.get_latest_revision_as_object()
    page.archived_at = current.archived_at
    return page


def product_create(
    *,
    title: str,
    sku: str,
    price: Decimal,
    stock: int,
    category: CategoryPage,
    description: str = "",
    actor=None,
) -> ProductPage:
    """Create a product under its category, publish it and give it stock."""
    try:
        with transaction.atomic():
            product = ProductPage(
                title=title,
                slug=_free_slug(parent=category, title=title, sku=sku),
                sku=sku,
                price=price,
                description=_description_html(description),
                owner=actor,
            )
            category.add_child(instance=product)
            _publish(product, actor=actor)
            # Gives the product its stock row; records an adjustment only if stock > 0.
            stock_set(
                product_id=product.pk,
                quantity=stock,
                reason=StockAdjustment.Reason.INITIAL,
                actor=actor,
            )
    except IntegrityError as error:
        if not _is_sku_clash(error):
            raise
        raise DuplicateSku(sku) from error
    return product


def product_update(*, product_id: int, actor=None, **changes) -> ProductPage:
    """Apply staff changes as a new published revision; stock through inventory.

    Locks: the product's page row, then (for stock) its StockRecord.
    """
    try:
        with transaction.atomic():
            current = _locked_product(product_id)
            category = changes.get("category")
            if category is not None and category.pk != current.get_parent().pk:
                _move_to_category(current, category=category, actor=actor)
                current = lock_product(product_id=product_id)
            page = _version_to_change(current)
            content = {key: changes[key] for key in CONTENT_FIELDS if key in changes}
            if "description" in content:
                content["description"] = _description_html(content["description"])
            for field, value in content.items():
                setattr(page, field, value)
            if content or category is not None:
                _publish(page, actor=actor)
            if "stock" in changes:
                stock_set(
                    product_id=product_id,
                    quantity=changes["stock"],
                    reason=StockAdjustment.Reason.CORRECTION,
                    actor=actor,
                    note="Set through the API",
                )
    except IntegrityError as error:
        if not _is_sku_clash(error):
            raise
        raise DuplicateSku(changes.get("sku", "")) from error
    return page


def _move_to_category(page: ProductPage, *, category: CategoryPage, actor) -> None:
    """Move the page, first renaming its slug if the new shelf already uses it."""
    slug = _free_slug(
        parent=category, title=page.title, sku=page.sku, exclude_pk=page.pk
    )
    if Page.objects.child_of(category).filter(slug=page.slug).exists():
        page.slug = slug
        page.save(update_fields=["slug"])
    MovePageAction(page, category, pos="last-child", user=actor).execute(
        skip_permission_checks=True
    )


def _withdraw_pending(product: ProductPage, *, actor) -> None:
    """Cancel what would put an archived product back on sale behind the staff's
    back: a scheduled publication and a moderation workflow in progress (its
    approval would publish it); `selectors.product_pending` names them first."""
    scheduled = product.scheduled_revision
    if scheduled is not None:
        scheduled.approved_go_live_at = None
        # Revision.save with a user logs "wagtail.schedule.cancel" in the history.
        scheduled.save(user=actor, update_fields=["approved_go_live_at"])
        product.revisions.exclude(pk=scheduled.pk).update(approved_go_live_at=None)
    workflow_state = product.current_workflow_state
    if workflow_state is not None:
        workflow_state.cancel(user=actor)


def product_archive(*, product_id: int, actor=None) -> ProductPage:
    """Soft delete: unpublish and mark archived, keeping the page and its history.

    Carts refuse it (`ProductPage.objects.available()` excludes it) and order lines
    still point at it. A pending scheduled publication and a workflow in progress
    are cancelled, since either would publish it again. Locks: the page row.
    """
    with transaction.atomic():
        product = _locked_product(product_id)
        if product.archived_at is None:
            _withdraw_pending(product, actor=actor)
            if product.live:
                UnpublishPageAction(product, user=actor, log_action=True).execute(
                    skip_permission_checks=True
                )
            product.archived_at = timezone.now()
            ProductPage.objects.filter(pk=product_id).update(
                archived_at=product.archived_at
            )
            listing_sync(product_ids=[product_id])
    return product


def _publishable_revision(product: ProductPage, *, actor):
    """The latest revision, refused as a field map if it lacks a SKU or price (a
    draft saved half-filled): a product never goes on sale without them."""
    revision = product.get_latest_revision()
    if revision is None:
        revision = product.save_revision(user=actor, log_action=True)
    missing = {
        field: ["A product needs this before it goes on sale."]
        for field in ("sku", "price")
        if revision.content.get(field) in (None, "")
    }
    if missing:
        raise ValidationError(missing)
    return revision


def product_restore(*, product_id: int, actor=None) -> ProductPage:
    """Undo archiving: clear archived_at and publish the latest revision.

    Raises ValidationError (a field map) if that revision has no SKU or price.
    Locks: the product's page row.
    """
    with transaction.atomic():
        product = _locked_product(product_id)
        ProductPage.objects.filter(pk=product_id).update(archived_at=None)
        product.archived_at = None
        revision = _publishable_revision(product, actor=actor)
        revision.publish(user=actor, skip_permission_checks=True)
        listing_sync(product_ids=[product_id])
    return product


def product_publish(*, product_id: int, actor=None) -> ProductPage:
    """Publish the product's latest revision (an editor's draft included).

    Raises ProductUnavailable for an archived product (restore it instead) and
    ValidationError if the revision has no SKU or price. Locks: the page row.
    """
    with transaction.atomic():
        product = _locked_product(product_id)
        if product.archived_at is not None:
            raise ProductUnavailable(
                product_id=product_id,
                detail=f"“{product.title}” is archived: restore it to publish it.",
            )
        _publishable_revision(product, actor=actor).publish(
            user=actor, skip_permission_checks=True
        )
    return product


def product_move(*, product_id: int, category: CategoryPage, actor=None) -> ProductPage:
    """Move the product to another category without publishing anything: its
    live version and drafts move with the page. Locks: the product's page row."""
    with transaction.atomic():
        product = _locked_product(product_id)
        if product.get_parent().pk != category.pk:
            # post_page_move refreshes the listing row's category.
            _move_to_category(product, category=category, actor=actor)
    return product


def product_image_add(
    *, product_id: int, upload, alt: str = "", actor=None
) -> ProductGalleryImage:
    """Store an uploaded photo as a Wagtail image and append it to the gallery.

    The upload is checked by its bytes (type, size, pixels) before anything is
    stored; the gallery change is a new revision, published unless archived.
    """
    facts: ImageFacts = validate_image_upload(upload)
    with transaction.atomic():
        current = _locked_product(product_id)
        upload.seek(0)
        image = ProductImage(
            title=(alt or current.title)[:255],
            alt_text=alt,
            uploaded_by_user=actor,
            file=ImageFile(upload, name=f"{uuid.uuid4().hex}.{facts.extension}"),
        )
        image._set_image_file_metadata()
        image.save()
        page = _version_to_change(current)
        entry = ProductGalleryImage(image=image, alt=alt)
        page.gallery_images.add(entry)
        _publish(page, actor=actor)
    saved = (
        ProductGalleryImage.objects.filter(page_id=product_id, image=image)
        .select_related("image", "page")
        .first()
    )
    return saved or entry
