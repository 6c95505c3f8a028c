"""Catalog errors: conflicts with the current state (409s) and refused writes (400s)."""

from nexus.errors import DomainError, InvalidRequest


class ProductUnavailable(DomainError):
    code = "product_unavailable"
    default_detail = "This product is not available."

    def __init__(self, *, product_id: int, detail: str | None = None):
        super().__init__(detail, product_id=product_id)
        self.product_id = product_id


class DuplicateSku(InvalidRequest):
    """Another product took this SKU while we were saving.

    The catalog API answers it as the serializer's own check would, a field map
    `{"sku": [detail]}`, so a lost race reads like the usual refusal.
    """

    code = "duplicate_sku"
    default_detail = "Another product has this SKU."
    field = "sku"

    def __init__(self, sku: str, detail: str | None = None):
        super().__init__(detail)
        self.sku = sku
