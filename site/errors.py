"""The base of every domain error: a business rule refused the request.

It knows nothing of HTTP. Services raise subclasses from their app's `errors.py`;
`nexus.api.errors` is the one place that turns them into responses.
"""

from typing import Any


class DomainError(Exception):
    """A business rule refused the request; nothing was changed.

    `code` is the machine-readable name clients switch on; keyword arguments become
    extra fields of the error body (`available`, `product_id`, …).
    """

    code = "conflict"
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, **extra: Any):
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)

    def as_body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class InvalidRequest(DomainError):
    """The request can never succeed as sent (an empty cart checked out, a quantity
    no cart line may hold), as opposed to a conflict with the current state."""

    code = "invalid"
    default_detail = "The request is not valid."
