"""The one handler that turns every API failure into JSON.

Services raise `nexus.errors.DomainError` subclasses (see each app's `errors.py`),
which know nothing of HTTP; here they become `{"detail", "code", ...extra}` with the
status the contract gives: 400 for an `InvalidRequest` (`cart_empty`), 409 for every
other conflict with the current state, or the `http_status` an error names (402,
503). Outside DRF's views, the 404/500 handlers and the catch-all route of unknown
/api/ paths answer in the same JSON shape.
"""

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from nexus.errors import DomainError, InvalidRequest


def domain_error_status(error: DomainError) -> int:
    # A few errors carry a status of their own (402 payment_declined, 503
    # provider_unavailable); the rest are 400 or 409.
    explicit = getattr(error, "http_status", None)
    if explicit:
        return explicit
    if isinstance(error, InvalidRequest):
        return status.HTTP_400_BAD_REQUEST
    return status.HTTP_409_CONFLICT


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_body(), status=domain_error_status(exc))
    # Django's own limits on a body it parses (multipart, forms): a 400 HTML page
    # unless they are turned into API errors here.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc) or None)
    elif isinstance(exc, Http404):
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


def too_large(request: HttpRequest) -> HttpResponse:
    body = {"detail": RequestTooLarge.default_detail, "code": "too_large"}
    return JsonResponse(body, status=413)


@csrf_exempt
def unknown_api_path(request: HttpRequest) -> HttpResponse:
    """The route of every /api/ path no API view has, whatever the method.

    Without it a POST fell through to Wagtail's pages and met the CSRF check: an HTML
    403. It takes over CommonMiddleware's redirect to the path with its slash, which no
    longer sees a 404, for reads; a write is told, as a redirect would lose its body.
    """
    path = request.path_info
    if settings.APPEND_SLASH and not path.endswith("/") and _is_api_view(path + "/"):
        if request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING", "")
            location = request.path + "/" + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(location)
        return JsonResponse(
            {
                "detail": f"Not found. Did you mean {request.path}/ ?",
                "code": "not_found",
            },
            status=404,
        )
    return not_found(request)


def _is_api_view(path: str) -> bool:
    try:
        return resolve(path).func is not unknown_api_path
    except Resolver404:
        return False


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(
            {"detail": "Bad request.", "code": "bad_request"}, status=400
        )
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(
            {"detail": "Internal server error.", "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
