"""Orders: a snapshot of what was bought, its lifecycle history, staff notes and
checkout keys."""

from django.conf import settings
from django.db import models

from cms.models import ProductPage


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending payment"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


# Target status -> the statuses it may be reached from (the API's status machine).
TRANSITION_SOURCES: dict[str, tuple[str, ...]] = {
    OrderStatus.PAID: (OrderStatus.PENDING,),
    OrderStatus.SHIPPED: (OrderStatus.PAID,),
    OrderStatus.DELIVERED: (OrderStatus.SHIPPED,),
    OrderStatus.CANCELLED: (OrderStatus.PENDING, OrderStatus.PAID),
    OrderStatus.REFUNDED: (
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ),
}


class Order(models.Model):
    """What a customer bought at checkout, at the prices of that moment."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    email = models.EmailField(
        max_length=254, help_text="The customer's address when the order was placed."
    )
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    # No shipping or tax yet: total equals subtotal (see docs/orders.md).
    total = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="orders_user_newest"),
            models.Index(fields=["status", "-created_at"], name="orders_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0) & models.Q(total__gte=0),
                name="orders_order_amounts_non_negative",
            )
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One product of an order; sku, title and price are copied, never looked up."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # PROTECT: a product that was sold can be archived but never hard-deleted.
    product = models.ForeignKey(
        ProductPage, on_delete=models.PROTECT, related_name="order_lines"
    )
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=255)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="orders_orderline_quantity_positive",
            ),
            models.UniqueConstraint(
                fields=["order", "product"], name="orders_orderline_one_per_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderEvent(models.Model):
    """A change of an order's status: who made it, when, from what to what."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class OrderNote(models.Model):
    """A staff member's note on an order, for the desk only (customers never see it)."""

    MAX_LENGTH = 2000

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(body=""), name="orders_ordernote_body_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.body[:40]}"


class IdempotencyKey(models.Model):
    """A checkout request a client may repeat: the first response is kept 24 hours.

    The row is inserted in the same transaction that places the order, so it exists
    only if the order does; a concurrent request with the same key waits on the
    unique index until that transaction ends.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="orders_idempotencykey_user_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
