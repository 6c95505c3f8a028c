"""Every write to reviews: create, edit, delete, moderate, and helpful votes.

The product's rating (`ProductRating`) counts approved reviews only; each service
that moves a review in or out of `approved` changes it by exactly that review, under
the locks of `locks.py` (reviews by primary key, then ratings by primary key), and
copies the new average into the catalog's listing in the same transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags

from commerce.catalog.listing import listing_rating_set
from commerce.orders.models import OrderLine
from realtime.models import NotificationKind
from realtime.services import notification_send

from .errors import AlreadyReviewed, InvalidReviewTransition, OwnReview
from .locks import lock_product_ratings, lock_reviews
from .models import (
    MODERATION_SOURCES,
    ProductRating,
    Review,
    ReviewHelpfulVote,
    ReviewStatus,
)
from .selectors import VERIFYING_STATUSES


def plain_text(value: str) -> str:
    """What a review may hold: text without markup, so no HTML ever passes through
    to a page that shows it ("I <3 it" stays, "<b>" goes)."""
    return strip_tags(value).strip()


def _rate(ratings: dict[int, ProductRating], review: Review, sign: int) -> None:
    ratings[review.product_id].add(review.rating, sign)


def _save_ratings(ratings: dict[int, ProductRating]) -> None:
    for rating in ratings.values():
        rating.save()
        listing_rating_set(
            product_id=rating.pk, average=rating.average, count=rating.count
        )


def review_create(
    *, author, order_line: OrderLine, rating: int, title: str, body: str
) -> Review:
    """A verified buyer's review of the product of `order_line`, pending moderation.

    Raises PermissionDenied unless the line is the author's and its order is paid
    or later (not cancelled or refunded); AlreadyReviewed for a second review of
    the product, also when two arrive at once (the unique index decides). Takes no
    locks: a pending review does not count in the rating.
    """
    if (
        order_line.order.user_id != author.pk
        or order_line.order.status not in VERIFYING_STATUSES
    ):
        raise PermissionDenied("Only customers who bought this product may review it.")
    existing = (
        Review.objects.filter(author=author, product_id=order_line.product_id)
        .values_list("pk", flat=True)
        .first()
    )
    if existing:
        raise AlreadyReviewed(review_id=existing)
    try:
        with transaction.atomic():
            return Review.objects.create(
                product_id=order_line.product_id,
                author=author,
                order_line=order_line,
                rating=rating,
                title=plain_text(title),
                body=plain_text(body),
            )
    except IntegrityError as exc:
        if "reviews_review_once_per_product" in str(exc):
            raise AlreadyReviewed() from exc
        raise


def review_edit(
    *,
    author,
    review_id: int,
    rating: int | None = None,
    title: str | None = None,
    body: str | None = None,
) -> Review:
    """The author changes a pending or approved review; it goes back to pending.

    An approved review leaves the product's rating until it is approved again.
    Locks: the review, then the product's rating. Raises Http404 for a review
    that is not the author's; InvalidReviewTransition for a rejected one.
    """
    with transaction.atomic():
        review = lock_reviews(review_ids=[review_id]).get(review_id)
        if review is None or review.author_id != author.pk:
            raise Http404("No such review.")
        if review.status == ReviewStatus.REJECTED:
            raise InvalidReviewTransition(
                current=review.status, requested=ReviewStatus.PENDING
            )
        if review.status == ReviewStatus.APPROVED:
            ratings = lock_product_ratings(product_ids=[review.product_id])
            _rate(ratings, review, -1)
            _save_ratings(ratings)
        if rating is not None:
            review.rating = rating
        if title is not None:
            review.title = plain_text(title)
        if body is not None:
            review.body = plain_text(body)
        review.status = ReviewStatus.PENDING
        review.moderated_by, review.moderated_at = None, None
        # Named fields: a helpful vote's `+ 1` may land right after this commits.
        review.save(
            update_fields=[
                "rating",
                "title",
                "body",
                "status",
                "moderated_by",
                "moderated_at",
                "updated_at",
            ]
        )
    return review


def review_delete(*, author, review_id: int) -> None:
    """The author deletes their review; an approved one leaves the rating.

    Locks: the review, then the product's rating. Http404 for anyone else's.
    """
    with transaction.atomic():
        review = lock_reviews(review_ids=[review_id]).get(review_id)
        if review is None or review.author_id != author.pk:
            raise Http404("No such review.")
        if review.status == ReviewStatus.APPROVED:
            ratings = lock_product_ratings(product_ids=[review.product_id])
            _rate(ratings, review, -1)
            _save_ratings(ratings)
        review.delete()


def review_moderate(*, review_id: int, status: str, moderator) -> Review:
    """Approve or reject one review (see `reviews_moderate`). Http404 if unknown;
    InvalidReviewTransition when it already has that status."""
    moderated = reviews_moderate(
        review_ids=[review_id], status=status, moderator=moderator
    )
    if not moderated:
        raise Http404("No such review.")
    return moderated[0]


def reviews_moderate(
    *, review_ids: list[int], status: str, moderator, skip_invalid: bool = False
) -> list[Review]:
    """Approve or reject reviews (the API's one, the admin queue's many).

    Each review entering `approved` adds its rating to its product's, each leaving
    it subtracts it; the author gets one `review_moderated` notification per
    decision, delivered after commit. Locks: the reviews in primary-key order, then
    their products' ratings in primary-key order. A review already in `status`
    raises InvalidReviewTransition, or with `skip_invalid` is left out.
    """
    if status not in MODERATION_SOURCES:
        raise ValueError(f"not a decision: {status}")
    now = timezone.now()
    with transaction.atomic():
        reviews = lock_reviews(review_ids=review_ids)
        decided = []
        for review in reviews.values():
            if review.status not in MODERATION_SOURCES[status]:
                if skip_invalid:
                    continue
                raise InvalidReviewTransition(current=review.status, requested=status)
            decided.append(review)
        touching = [
            review
            for review in decided
            if ReviewStatus.APPROVED in (review.status, status)
        ]
        if touching:
            ratings = lock_product_ratings(
                product_ids=[review.product_id for review in touching]
            )
            for review in touching:
                _rate(ratings, review, 1 if status == ReviewStatus.APPROVED else -1)
            _save_ratings(ratings)
        for review in decided:
            review.status = status
            review.moderated_by, review.moderated_at = moderator, now
            review.save(
                update_fields=["status", "moderated_by", "moderated_at", "updated_at"]
            )
            _notify_author(review)
    return decided


def _notify_author(review: Review) -> None:
    verdict = "approved" if review.status == ReviewStatus.APPROVED else "not published"
    notification_send(
        user=review.author,
        kind=NotificationKind.REVIEW_MODERATED,
        title=f"Your review “{review.title[:80]}” was {verdict}",
        body=(
            "It now shows on the product's page."
            if review.status == ReviewStatus.APPROVED
            else "It did not meet our review guidelines; you may edit it and "
            "send it again."
        ),
        data={
            "review_id": review.pk,
            "product_id": review.product_id,
            "status": review.status,
        },
    )


def review_helpful_vote(*, user, review_id: int) -> tuple[Review, bool]:
    """Count the user's vote for an approved review, once; returns the review and
    whether this call added the vote. Http404 for a review shoppers cannot see;
    OwnReview for the author's own. Takes no locks: the unique index admits one
    vote, and the count moves by a single UPDATE."""
    review = (
        Review.objects.filter(pk=review_id, status=ReviewStatus.APPROVED)
        .select_related("author")
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    if review.author_id == user.pk:
        raise OwnReview()
    try:
        with transaction.atomic():
            ReviewHelpfulVote.objects.create(review=review, user=user)
            Review.objects.filter(pk=review.pk).update(
                helpful_count=F("helpful_count") + 1
            )
    except IntegrityError:
        created = False  # voted before: the unique index admits one vote
    else:
        created = True
    review.refresh_from_db(fields=["helpful_count"])
    return review, created


def review_helpful_unvote(*, user, review_id: int) -> None:
    """Take back the user's vote, if any; the count drops by one. Takes no locks."""
    with transaction.atomic():
        removed, _ = ReviewHelpfulVote.objects.filter(
            review_id=review_id, user=user
        ).delete()
        if removed:
            Review.objects.filter(pk=review_id).update(
                helpful_count=F("helpful_count") - 1
            )
