"""Refuses API requests that no database could store, before any view runs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiRequestGuardMiddleware:
    """NUL bytes in a query string reach PostgreSQL as an error, never as data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and (
            "\x00" in request.META.get("QUERY_STRING", "")
            or "%00" in request.META.get("QUERY_STRING", "")
            or "\x00" in request.path
        ):
            return JsonResponse(
                {"detail": "Null characters are not allowed.", "code": "invalid"},
                status=400,
            )
        return self.get_response(request)
