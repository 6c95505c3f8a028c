"""Stock kept apart from page revisions: publishing a page never rewrites stock."""

from django.conf import settings
from django.db import models

from cms.models import ProductPage


class StockRecord(models.Model):
    """How many units of a product the shop can sell right now."""

    product = models.OneToOneField(
        ProductPage, on_delete=models.CASCADE, related_name="stock_record"
    )
    quantity = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(
        default=5, help_text="Staff are alerted when stock falls below this."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0),
                name="inventory_stockrecord_quantity_non_negative",
            )
        ]

    def __str__(self) -> str:
        # Names the product in the admin's titles ("Editing stock of …").
        return f"stock of {self.product.title}"

    @property
    def is_low(self) -> bool:
        return self.quantity < self.low_stock_threshold


class StockAdjustment(models.Model):
    """A change to stock: who made it, by how much and why."""

    class Reason(models.TextChoices):
        RESTOCK = "restock", "Restock"
        CORRECTION = "correction", "Stock count correction"
        DAMAGE = "damage", "Damaged or lost"
        ORDER = "order", "Sold in an order"
        CANCELLATION = "cancellation", "Order cancelled"
        INITIAL = "initial", "Initial stock"

    stock_record = models.ForeignKey(
        StockRecord, on_delete=models.CASCADE, related_name="adjustments"
    )
    delta = models.IntegerField()
    quantity_after = models.IntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delta:+d} ({self.reason})"
