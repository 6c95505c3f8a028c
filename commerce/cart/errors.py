"""Cart errors, rendered by the API's exception handler."""

from rest_framework import status

from commerce.api.errors import DomainError


class CartEmpty(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "cart_empty"
    default_detail = "The cart is empty."


class QuantityTooLarge(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "quantity_too_large"
    default_detail = "That quantity is more than one cart line may hold."

    def __init__(self, *, maximum: int):
        super().__init__(
            f"Ensure this value is less than or equal to {maximum}.",
            quantity=[f"Ensure this value is less than or equal to {maximum}."],
            maximum=maximum,
        )
