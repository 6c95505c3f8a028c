"""Order errors, conflicts with the current state (the API's 409s)."""

from nexus.errors import DomainError, InvalidRequest


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_detail = "The order cannot move to that status."

    def __init__(self, *, order_id: int, current: str, requested: str):
        super().__init__(
            f"An order that is {current} cannot become {requested}.",
            status=current,
            requested=requested,
        )
        self.order_id = order_id


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    default_detail = "This Idempotency-Key was already used with a different request."


class InvalidNote(InvalidRequest):
    code = "invalid_note"
    default_detail = "A note needs some text, up to 2,000 characters."
