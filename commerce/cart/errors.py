"""Cart errors: requests a cart can never satisfy as sent (the API's 400s)."""

from nexus.errors import InvalidRequest


class CartEmpty(InvalidRequest):
    code = "cart_empty"
    default_detail = "The cart is empty."


class QuantityTooLarge(InvalidRequest):
    code = "quantity_too_large"
    default_detail = "That quantity is more than one cart line may hold."

    def __init__(self, *, maximum: int):
        super().__init__(
            f"Ensure this value is less than or equal to {maximum}.",
            quantity=[f"Ensure this value is less than or equal to {maximum}."],
            maximum=maximum,
        )
