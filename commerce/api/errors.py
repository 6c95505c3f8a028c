"""Domain errors and the one handler that turns every API failure into JSON.

Apps raise subclasses of `DomainError` from their services (see each app's
`errors.py`); the handler renders them as `{"detail", "code", ...extra}` with the
status the contract gives (409 for conflicts, 400 for `cart_empty`).
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the request; nothing was changed."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, **extra: Any):
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)

    def as_body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_body(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        response.data.setdefault("code", getattr(exc.detail, "code", exc.default_code))
    return response


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(
            {"detail": "Internal server error.", "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
