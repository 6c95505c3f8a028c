"""The only place catalog pages are locked, so two writers queue, not race."""

from wagtail.models import Page

from cms.models import ProductPage


def lock_product(*, product_id: int) -> ProductPage | None:
    """Lock one product's page row; must run inside `transaction.atomic`."""
    return ProductPage.objects.select_for_update().filter(pk=product_id).first()


def lock_pages(*, page_ids: list[int]) -> dict[int, Page]:
    """Lock these page rows in primary-key order (so two lockers queue, never
    deadlock); must run inside `transaction.atomic`. Returns them by id."""
    rows = Page.objects.select_for_update().filter(pk__in=page_ids).order_by("pk")
    return {row.pk: row for row in rows}
