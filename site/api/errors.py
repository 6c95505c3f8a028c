"""The one handler that turns every API failure into JSON.

Services raise `nexus.errors.DomainError` subclasses (see each app's `errors.py`),
which know nothing of HTTP; here they become `{"detail", "code", ...extra}` with the
status the contract gives: 400 for an `InvalidRequest` (`cart_empty`), 409 for every
other conflict with the current state.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from nexus.errors import DomainError, InvalidRequest


def domain_error_status(error: DomainError) -> int:
    if isinstance(error, InvalidRequest):
        return status.HTTP_400_BAD_REQUEST
    return status.HTTP_409_CONFLICT


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_body(), status=domain_error_status(exc))
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
