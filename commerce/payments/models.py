"""Payments, their refunds and the inbox of provider events (webhooks)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from commerce.orders.models import Order


class Provider(models.TextChoices):
    DUMMY = "dummy", "Dummy (no network)"
    STRIPE = "stripe", "Stripe"
    PAYPAL = "paypal", "PayPal"


class PaymentStatus(models.TextChoices):
    REQUIRES_ACTION = "requires_action", "Requires action"
    FAILED = "failed", "Failed"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    CANCELED = "canceled", "Canceled"


# How far along each status is: a payment only ever moves to a higher rank. `failed`
# ranks below `succeeded` because money captured later (a second attempt on the same
# Stripe intent) is the truth; `canceled` ends everything.
STATUS_RANK = {
    PaymentStatus.REQUIRES_ACTION: 0,
    PaymentStatus.FAILED: 1,
    PaymentStatus.SUCCEEDED: 2,
    PaymentStatus.PARTIALLY_REFUNDED: 3,
    PaymentStatus.REFUNDED: 4,
    PaymentStatus.CANCELED: 5,
}
CAPTURED_STATUSES = (
    PaymentStatus.SUCCEEDED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
)


class Payment(models.Model):
    """One attempt to take an order's total through a provider."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.REQUIRES_ACTION,
    )
    # Sum of refunds requested or made (pending and succeeded), kept under the
    # payment's row lock; the CHECK below is the database's own guard.
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    provider_reference = models.CharField(max_length=255, blank=True)
    # PayPal refunds a capture, not an order: the capture's id once captured.
    capture_reference = models.CharField(max_length=255, blank=True)
    # Sent with every create call; written (and committed) before the first call,
    # so a retry after a timeout asks for the same object.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True)
    client_secret = models.CharField(max_length=255, blank=True)
    approval_url = models.URLField(max_length=1000, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0)
                & Q(amount_refunded__lte=models.F("amount")),
                name="payments_payment_refunds_within_amount",
            ),
            # A repeat pay call returns the open payment: never two intents at once.
            models.UniqueConstraint(
                fields=["order", "provider"],
                condition=Q(status="requires_action"),
                name="payments_payment_one_open_per_provider",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payments_payment_provider_reference",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "updated_at"], name="payments_payment_status_age"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == PaymentStatus.REQUIRES_ACTION

    @property
    def refundable(self) -> Decimal:
        if self.status not in CAPTURED_STATUSES:
            return Decimal("0.00")
        return self.amount - self.amount_refunded


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    """Money given back on a payment: requested here, or made at the provider."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True)
    reason = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    failure_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_refund_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["payment", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payments_refund_provider_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} ({self.status})"


class PaymentEvent(models.Model):
    """The inbox: every verified webhook delivery, stored once per provider event id.

    Applied by a task after the webhook has answered; `applied_at` set means done,
    `error` set (and no `applied_at`) means it failed and staff may replay it.
    """

    provider = models.CharField(max_length=16, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # What applying it did, for the inbox screen ("order paid", "ignored: ...").
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payments_event_once_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"

    @property
    def state(self) -> str:
        if self.applied_at:
            return "applied"
        return "failed" if self.error else "pending"
