"""Reviews by verified buyers, helpful votes and each product's running rating."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models

from cms.models import ProductPage
from commerce.orders.models import OrderLine

STARS = (1, 2, 3, 4, 5)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# Decision -> the statuses it may be taken from. An editor may take down an approved
# review or reconsider a rejected one; deciding what is already decided is a 409.
MODERATION_SOURCES: dict[str, tuple[str, ...]] = {
    ReviewStatus.APPROVED: (ReviewStatus.PENDING, ReviewStatus.REJECTED),
    ReviewStatus.REJECTED: (ReviewStatus.PENDING, ReviewStatus.APPROVED),
}


class Review(models.Model):
    """One customer's verdict on a product they bought, as plain text.

    `order_line` is the purchase that makes the author a verified buyer; a review
    counts in the product's rating only while it is approved.
    """

    product = models.ForeignKey(
        ProductPage, on_delete=models.PROTECT, related_name="reviews"
    )
    # PROTECT: a review leaves only through `review_delete`, which keeps the
    # product's rating exact; orders already keep their users and lines.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=5000, blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    helpful_count = models.PositiveIntegerField(default=0)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["product", "-created_at", "-id"],
                condition=models.Q(status="approved"),
                name="reviews_product_newest",
            ),
            models.Index(
                fields=["product", "-helpful_count", "-id"],
                condition=models.Q(status="approved"),
                name="reviews_product_helpful",
            ),
            models.Index(fields=["status", "-created_at"], name="reviews_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "product"], name="reviews_review_once_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="reviews_review_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title}"

    @property
    def author_name(self) -> str:
        """What shoppers see: first name and last initial, never the email."""
        first = (self.author.first_name or "").strip()
        last = (self.author.last_name or "").strip()
        if not first:
            return "Verified buyer"
        return f"{first} {last[0]}." if last else first


class ReviewHelpfulVote(models.Model):
    """A shopper found a review helpful; one vote per shopper and review."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"], name="reviews_helpfulvote_once"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} on review {self.review_id}"


class ProductRating(models.Model):
    """The approved reviews of one product, summed as they change.

    Kept by the moderation, edit and delete services under this row's lock
    (`locks.py`), one review at a time, never recomputed from all reviews.
    """

    product = models.OneToOneField(
        ProductPage, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0, help_text="Sum of the ratings.")
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    count=models.F("stars_1")
                    + models.F("stars_2")
                    + models.F("stars_3")
                    + models.F("stars_4")
                    + models.F("stars_5")
                ),
                name="reviews_productrating_histogram_sums_to_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.average} of {self.count}"

    @property
    def average(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / self.count).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def histogram(self) -> dict[str, int]:
        return {str(stars): getattr(self, f"stars_{stars}") for stars in STARS}

    def add(self, rating: int, sign: int) -> None:
        """Count a rating in (`sign` 1) or out (-1)."""
        column = f"stars_{rating}"
        self.count += sign
        self.total += sign * rating
        setattr(self, column, getattr(self, column) + sign)
