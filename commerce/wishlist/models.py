"""Wishlists, restocks of wished-for products, and the alert each fan got."""

from django.conf import settings
from django.db import models

from cms.models import ProductPage


class WishlistItem(models.Model):
    """A product a customer wants; kept while the product is archived, so it
    comes back if the product does."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist"
    )
    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="wishlisted"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        indexes = [
            # The alert task walks a product's fans in user order, a page at a time.
            models.Index(fields=["product", "user"], name="wishlist_product_fans"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], name="wishlist_item_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} wants {self.product_id}"


class Restock(models.Model):
    """A wished-for product's stock went from 0 to more: its fans are told once.

    Written under the stock row's lock by the transaction that restocked, so
    exactly one row per 0 → more transition; the alert task walks the fans
    and records how far it got.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Alerting"
        DONE = "done", "Every fan alerted"
        SOLD_OUT = "sold_out", "Stopped: sold out again"
        WITHDRAWN = "withdrawn", "Stopped: product withdrawn"
        SUPERSEDED = "superseded", "Stopped: a later restock alerts"

    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="restocks"
    )
    quantity = models.IntegerField(help_text="Stock right after the restock.")
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING
    )
    # The last fan (user id) a batch alerted: a retried task starts after it.
    cursor = models.BigIntegerField(default=0)
    alerted = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(state="pending"),
                name="wishlist_restock_pending",
            )
        ]

    def __str__(self) -> str:
        return f"restock of {self.product_id} ({self.state})"


class RestockAlert(models.Model):
    """One fan was told of one restock: the unique pair makes it exactly once,
    however many tasks run for the restock."""

    restock = models.ForeignKey(Restock, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["restock", "user"], name="wishlist_alert_once_per_restock"
            )
        ]

    def __str__(self) -> str:
        return f"restock {self.restock_id} told user {self.user_id}"
