"""Reviews as the API gives them, and the bounded inputs shoppers and staff send."""

from rest_framework import serializers

from .models import STARS, ReviewStatus
from .selectors import ORDERINGS
from .services import plain_text

MAX_ID = 2**31 - 1


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(help_text="Plain text; show it as text, not HTML.")
    body = serializers.CharField(help_text="Plain text; show it as text, not HTML.")
    author_name = serializers.CharField(
        help_text="First name and last initial; never the email."
    )
    verified = serializers.SerializerMethodField(
        help_text="Always true: only customers who bought the product review it."
    )
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    helpful_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_verified(self, review) -> bool:
        return review.order_line_id is not None


class HistogramSerializer(serializers.Serializer):
    """Approved reviews per number of stars."""

    def get_fields(self):
        return {str(stars): serializers.IntegerField() for stars in STARS}


class ReviewSummarySerializer(serializers.Serializer):
    average = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        allow_null=True,
        help_text="Mean of the approved ratings; null before the first.",
    )
    count = serializers.IntegerField(help_text="Approved reviews.")
    histogram = HistogramSerializer()


class _Text(serializers.CharField):
    """A CharField whose value is stored as plain text: markup is dropped, and
    what is left must meet the bounds."""

    def to_internal_value(self, data):
        value = plain_text(super().to_internal_value(data))
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


class ReviewWriteSerializer(serializers.Serializer):
    """A new review (all fields), or an edit (any of them)."""

    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = _Text(max_length=120)
    body = _Text(max_length=5000, allow_blank=True, required=False, default="")


class ReviewEditSerializer(ReviewWriteSerializer):
    body = _Text(max_length=5000, allow_blank=True, required=False)


class ReviewListQuerySerializer(serializers.Serializer):
    ordering = serializers.ChoiceField(
        required=False,
        choices=list(ORDERINGS),
        help_text="`-created_at` (newest first, the default), `-helpful` (most "
        "helpful first), `-rating` or `rating`.",
    )


class ModerationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[ReviewStatus.APPROVED, ReviewStatus.REJECTED]
    )


class HelpfulSerializer(serializers.Serializer):
    review_id = serializers.IntegerField()
    helpful_count = serializers.IntegerField()
    voted = serializers.BooleanField()
