"""Notifications: one row per user and event, with delivery state per channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    ORDER_PLACED = "order_placed", "Order placed"
    ORDER_STATUS_CHANGED = "order_status_changed", "Order status changed"
    PAYMENT_SUCCEEDED = "payment_succeeded", "Payment succeeded"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    REFUND_ISSUED = "refund_issued", "Refund issued"
    BACK_IN_STOCK = "back_in_stock", "Back in stock"
    REVIEW_MODERATED = "review_moderated", "Review moderated"
    NEW_ORDER = "new_order", "New order (staff)"
    LOW_STOCK = "low_stock", "Low stock (staff)"
    # Money that needs a person: an amount that does not match its order, a payment
    # captured for an order that was cancelled meanwhile.
    PAYMENT_ALERT = "payment_alert", "Payment needs attention (staff)"


# Kinds a user expects in their mailbox as well as live; the others are in-app only
# (a review verdict or every new order by mail would be noise).
EMAIL_KINDS = frozenset(
    {
        NotificationKind.ORDER_PLACED,
        NotificationKind.ORDER_STATUS_CHANGED,
        NotificationKind.PAYMENT_SUCCEEDED,
        NotificationKind.PAYMENT_FAILED,
        NotificationKind.REFUND_ISSUED,
        NotificationKind.BACK_IN_STOCK,
        NotificationKind.LOW_STOCK,
        NotificationKind.PAYMENT_ALERT,
    }
)


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    # An email worker has claimed the row and may be talking to SMTP right now.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Notification(models.Model):
    """Something that happened to a user; also the outbox its deliveries run from."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    read = models.BooleanField(default=False)
    # Not auto_now_add: one staff broadcast stamps all its rows with the same time.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    push_state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    push_sent_at = models.DateTimeField(null=True, blank=True)

    email_state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    email_attempts = models.PositiveIntegerField(default=0)
    # Who holds the claim (a Celery task id) and since when: a stale claim, or one
    # held by this very task's earlier delivery, means a worker died mid-send.
    email_claimed_by = models.CharField(max_length=64, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    # Not before this time: a task retrying with backoff is not the relay's business.
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notif_user_recent"),
            models.Index(
                fields=["user"],
                condition=models.Q(read=False),
                name="notif_user_unread",
            ),
            # The relay scans only undelivered mail.
            models.Index(
                fields=["email_next_attempt_at"],
                condition=models.Q(email_state__in=["pending", "sending"]),
                name="notif_email_outbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}: {self.title}"


class EmailDeadLetter(models.Model):
    """An email that exhausted its retries: an admin reads why and can resend."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="dead_letter"
    )
    recipient = models.EmailField(max_length=254)
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    attempts = models.PositiveIntegerField()
    error = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}: {self.error[:60]}"
