"""Reviews, written through the same services a verified buyer's requests use."""

from commerce.reviews.models import Review
from commerce.reviews.selectors import purchase_line_for
from commerce.reviews.services import review_create, reviews_moderate
from tests.factories import UserFactory
from tests.factories.orders import bought


def review_of(
    product, *, rating: int = 4, author=None, approve: bool = False
) -> Review:
    """A review by a (new, unless given) buyer of `product`; approved if asked."""
    author = author or UserFactory()
    bought(author, product)
    review = review_create(
        author=author,
        order_line=purchase_line_for(user=author, product_id=product.pk),
        rating=rating,
        title=f"{rating} stars",
        body="Does what it says.",
    )
    if approve:
        reviews_moderate(review_ids=[review.pk], status="approved", moderator=None)
        review.refresh_from_db()
    return review
