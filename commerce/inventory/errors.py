"""Stock errors, conflicts with the current state (the API's 409s)."""

from nexus.errors import DomainError


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    default_detail = "Not enough stock."

    def __init__(self, *, product_id: int, available: int, detail: str | None = None):
        super().__init__(
            detail or f"Only {available} left in stock.",
            product_id=product_id,
            available=available,
        )
        self.product_id = product_id
        self.available = available
