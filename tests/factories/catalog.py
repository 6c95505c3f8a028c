"""Catalog pages and stock, created through Wagtail's tree like an editor would."""

import itertools
from decimal import Decimal

from wagtail.models import Site

from cms.models import CategoryPage, ProductPage
from commerce.inventory.models import StockRecord

_counter = itertools.count(1)


def home_page():
    return Site.objects.get(is_default_site=True).root_page.specific


def create_category(title: str | None = None, slug: str | None = None) -> CategoryPage:
    n = next(_counter)
    title = title or f"Category {n}"
    category = CategoryPage(title=title, slug=slug or f"category-{n}")
    home_page().add_child(instance=category)
    category.save_revision().publish()
    return category


def create_product(
    *,
    category: CategoryPage | None = None,
    title: str | None = None,
    sku: str | None = None,
    price: Decimal | str = "19.99",
    stock: int = 10,
    live: bool = True,
    description: str = "",
) -> ProductPage:
    """A published product (unless live=False) with its stock record."""
    n = next(_counter)
    category = category or create_category()
    product = ProductPage(
        title=title or f"Product {n}",
        slug=f"product-{n}",
        sku=sku or f"SKU-{n:06d}",
        price=Decimal(str(price)),
        description=description,
        live=live,
    )
    category.add_child(instance=product)
    # Stock first, so publishing files the product in the listing with it.
    StockRecord.objects.create(product=product, quantity=stock)
    revision = product.save_revision()
    if live:
        revision.publish()
    return product


def schedule_revision(product: ProductPage, *, go_live_at, user=None, **changes):
    """A revision of `product` with `changes`, approved to go live at `go_live_at`,
    as an editor's "Publish" with a go-live date in the future leaves it."""
    page = ProductPage.objects.get(pk=product.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.go_live_at = go_live_at
    revision = page.save_revision(user=user)
    revision.publish(user=user)
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None, "not scheduled"
    return revision


def make_due(revision) -> None:
    """Move a scheduled revision's go-live time into the past (time passing)."""
    from datetime import timedelta

    from django.utils import timezone

    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
