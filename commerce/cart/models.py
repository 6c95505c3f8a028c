"""The cart: one per user, one line per product, each with a positive quantity."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from cms.models import ProductPage

CENT = Decimal("0.01")


class Cart(models.Model):
    """A shopper's persistent cart; prices are read live, never stored here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart of {self.user_id}"

    @property
    def item_count(self) -> int:
        """Units in the cart (what a cart badge shows), not the number of lines."""
        return sum(item.quantity for item in self.items.all())

    @property
    def subtotal(self) -> Decimal:
        return sum((item.line_total for item in self.items.all()), Decimal("0.00"))


class CartItem(models.Model):
    """How many units of one product the shopper means to buy."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="cart_items"
    )
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product"], name="cart_cartitem_one_line_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="cart_cartitem_quantity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"

    @property
    def unit_price(self) -> Decimal:
        """Today's published price: a cart never freezes a price, checkout does."""
        return self.product.price

    @property
    def line_total(self) -> Decimal:
        return (self.product.price * self.quantity).quantize(CENT)
