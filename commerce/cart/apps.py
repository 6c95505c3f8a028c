"""App config for cart."""

from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "commerce.cart"
    label = "cart"
    verbose_name = "Cart"
