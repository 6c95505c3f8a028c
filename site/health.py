"""Liveness and readiness answered ahead of every other middleware.

They sit first so that probes reach them without a valid Host header (Kubernetes
probes use the pod address) and without the HTTPS redirect.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    from kombu import Connection

    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


def check_search() -> None:
    """The search engine answers its root; basic auth from SEARCH_URL is sent."""
    import base64
    import urllib.request
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(settings.WAGTAILSEARCH_BACKENDS["engine"]["URLS"][0])
    netloc = url.hostname + (f":{url.port}" if url.port else "")
    root = urlunsplit((url.scheme, netloc, "/", "", ""))  # http(s): from our settings
    request = urllib.request.Request(root)  # noqa: S310
    if url.username:
        token = f"{url.username}:{url.password or ''}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
    with urllib.request.urlopen(request, timeout=CHECK_TIMEOUT_SECONDS) as response:  # noqa: S310 - our own setting
        response.read(1024)


# Services the app works without, more slowly: their failure is reported as
# "degraded", and readiness stays 200 so the pod keeps serving.
OPTIONAL = {"search": "degraded: searching the database instead"}


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every configured check; a service the settings do not use is skipped."""
    checks: dict[str, Callable[[], None] | None] = {
        "database": check_database,
        "redis": check_redis if settings.REDIS_URL else None,
        "broker": None
        if settings.CELERY_BROKER_URL.startswith("memory://")
        else check_broker,
        "search": check_search if "engine" in settings.WAGTAILSEARCH_BACKENDS else None,
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        if check is None:
            results[name] = "not configured"
            continue
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            if name in OPTIONAL:
                results[name] = f"{OPTIONAL[name]} ({type(exc).__name__}: {exc})"[:300]
            else:
                results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        else:
            results[name] = "ok"
    ready = all(not r.startswith("error") for r in results.values())
    return ready, results


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            ready, results = readiness()
            degraded = [n for n, r in results.items() if r.startswith("degraded")]
            if ready and degraded:
                return JsonResponse(
                    {"status": "degraded", "degraded": degraded, "checks": results}
                )
            if ready:
                return JsonResponse({"status": "ok", "checks": results})
            failed = [name for name, r in results.items() if r.startswith("error")]
            return JsonResponse(
                {"status": "unavailable", "failed": failed, "checks": results},
                status=503,
            )
        return self.get_response(request)
