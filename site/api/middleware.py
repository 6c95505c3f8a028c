"""Refuses API requests that no database could store, before any view runs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import too_large


class ApiRequestGuardMiddleware:
    """NUL bytes in a query string reach PostgreSQL as an error, never as data.

    A body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused from its
    Content-Length alone: DRF's parsers would otherwise read it all into memory
    first. (A body without one, chunked, is bounded by the JSON parser as it reads.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if (
            "\x00" in request.META.get("QUERY_STRING", "")
            or "%00" in request.META.get("QUERY_STRING", "")
            or "\x00" in request.path
        ):
            return JsonResponse(
                {"detail": "Null characters are not allowed.", "code": "invalid"},
                status=400,
            )
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and declared_length(request) > limit:
            return too_large(request)
        return self.get_response(request)


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
