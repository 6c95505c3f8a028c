"""Review errors: conflicts with the current state (the API's 409s)."""

from nexus.errors import DomainError


class AlreadyReviewed(DomainError):
    code = "already_reviewed"
    default_detail = "You have already reviewed this product; edit that review."

    def __init__(self, *, review_id: int | None = None):
        super().__init__(**({"review_id": review_id} if review_id else {}))


class InvalidReviewTransition(DomainError):
    code = "invalid_transition"
    default_detail = "The review cannot move to that status."

    def __init__(self, *, current: str, requested: str):
        super().__init__(
            f"A review that is {current} cannot become {requested}.",
            status=current,
            requested=requested,
        )


class OwnReview(DomainError):
    code = "own_review"
    default_detail = "You cannot vote for your own review."
