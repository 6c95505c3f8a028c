"""App config for wishlist."""

from django.apps import AppConfig


class WishlistConfig(AppConfig):
    name = "commerce.wishlist"
    label = "wishlist"
    verbose_name = "Wishlist"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
