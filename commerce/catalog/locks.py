"""The only place product pages are locked, so two staff edits queue, not race."""

from cms.models import ProductPage


def lock_product(*, product_id: int) -> ProductPage | None:
    """Lock one product's page row; must run inside `transaction.atomic`."""
    return ProductPage.objects.select_for_update().filter(pk=product_id).first()
