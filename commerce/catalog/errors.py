"""Catalog errors, conflicts with the current state (the API's 409s)."""

from nexus.errors import DomainError


class ProductUnavailable(DomainError):
    code = "product_unavailable"
    default_detail = "This product is not available."

    def __init__(self, *, product_id: int, detail: str | None = None):
        super().__init__(detail, product_id=product_id)
        self.product_id = product_id
