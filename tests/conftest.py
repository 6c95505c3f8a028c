"""Suite-wide fixtures: the real services must be up, API clients, users."""

import os
import socket
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

SERVICE_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect "
    "$(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
    '--save "" --appendonly no',
    "RabbitMQ": "rabbitmq-server -detached",
}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    services = {
        "PostgreSQL": (f"postgres://{db.get('HOST')}:{db.get('PORT') or 5432}", 5432),
        "Redis": (settings.REDIS_URL, 6379),
        "RabbitMQ": (settings.CELERY_BROKER_URL, 5672),
    }
    down = [
        f"{name} is not reachable at {url} — start it with: {SERVICE_HINTS[name]}"
        for name, (url, port) in services.items()
        if not _reachable(url, port)
    ]
    if down:
        pytest.exit(
            "The test suite needs the machine's services:\n" + "\n".join(down), 3
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every transactional test the data that migrations wrote.

    A transactional test ends with a flush of every table, which takes the Wagtail
    page tree, the default Site, the root collection and the locale with it, so any
    later one (pytest-django runs them last) would start without a home page.
    serialized_rollback restores the post-migration contents before each of them.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses_live_server = "live_server" in getattr(item, "fixturenames", ())
        if marker is None and not uses_live_server:
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        if not (kwargs.get("transaction") or uses_live_server):
            continue
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """Name the test database per checkout, so two suites can run side by side."""
    from django.conf import settings

    suffix = os.environ.get("NEXUS_TEST_DB_SUFFIX")
    if suffix:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
            f"test_nexus_{suffix}"
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached pages never leak from one test into the next."""
    from tests.cache import cache_clear_own

    cache_clear_own()
    yield


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Undo a Celery race that leaks from threaded tests into later ones.

    An eager `Task.apply` saves, sets and restores a process-global "joining would
    block" flag; two threads running eager tasks at once (the checkout concurrency
    tests) can restore it in the wrong order and leave it set, after which any
    `result.get()` raises "Never call result.get() within a task!".
    """
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True)


def client_for(user) -> APIClient:
    """An API client carrying a fresh access token for `user`."""
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    token = RefreshToken.for_user(user).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def admin_login(user):
    """A browser session in the Wagtail admin for `user` (given admin access)."""
    from django.contrib.auth.models import Permission
    from django.test import Client

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer_client(customer) -> APIClient:
    return client_for(customer)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return client_for(admin_user)
