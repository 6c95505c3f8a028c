"""Wishlist errors: conflicts with the current state (the API's 409s)."""

from nexus.errors import DomainError


class WishlistFull(DomainError):
    code = "wishlist_full"
    default_detail = "Your wishlist is full; remove a product to add another."

    def __init__(self, *, maximum: int):
        super().__init__(maximum=maximum)
