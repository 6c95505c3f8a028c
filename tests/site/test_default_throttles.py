"""Every endpoint is throttled at the documented rates: anon, user, refresh, ws_ticket.

The rates are the real defaults of `nexus.settings.env`, not test values; the clock is
held inside one window so a run that straddles a minute cannot see a counter reset.
"""

import pytest
from django.conf import settings
from django.test import override_settings

from nexus.api import throttles
from nexus.settings.env import DEFAULT_THROTTLE_RATES, throttle_rates
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("real_rates_in_one_window"),
]


def limit_of(scope: str) -> int:
    return throttles.parse_rate(DEFAULT_THROTTLE_RATES[scope])[0]


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "detail" in response.json()
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_the_new_scopes_are_documented_and_stricter():
    assert limit_of("refresh") < limit_of("anon")
    assert limit_of("ws_ticket") < limit_of("user")
    text = (settings.BASE_DIR / "docs" / "configuration.md").read_text()
    for scope in ("anon", "user", "refresh", "ws_ticket"):
        assert f"{scope}={DEFAULT_THROTTLE_RATES[scope]}" in text


def test_anonymous_requests_are_limited_per_address(api_client):
    limit = limit_of("anon")
    codes = [
        api_client.get("/api/v1/categories/", REMOTE_ADDR="10.1.0.1").status_code
        for _ in range(limit)
    ]
    assert set(codes) == {200}
    assert_throttled(api_client.get("/api/v1/categories/", REMOTE_ADDR="10.1.0.1"))
    # Another address has a budget of its own.
    assert (
        api_client.get("/api/v1/categories/", REMOTE_ADDR="10.1.0.2").status_code == 200
    )


def test_signed_in_requests_are_limited_per_user():
    user, other = UserFactory(), UserFactory()
    client = client_for(user)
    limit = limit_of("user")
    codes = {client.get("/api/v1/auth/me/").status_code for _ in range(limit)}
    assert codes == {200}
    assert_throttled(client.get("/api/v1/auth/me/"))
    # Per user, not per address: another user on the same address is not refused.
    assert client_for(other).get("/api/v1/auth/me/").status_code == 200


def test_websocket_tickets_have_a_stricter_limit_per_user():
    user = UserFactory()
    client = client_for(user)
    limit = limit_of("ws_ticket")
    codes = {
        client.post("/api/v1/notifications/ws-ticket/").status_code
        for _ in range(limit)
    }
    assert codes == {201}
    assert_throttled(client.post("/api/v1/notifications/ws-ticket/"))
    # The user's other endpoints are still open: only the ticket scope is spent.
    assert client.get("/api/v1/auth/me/").status_code == 200


def test_token_refresh_has_a_stricter_limit_per_address(api_client):
    limit = limit_of("refresh")
    codes = {
        api_client.post(
            "/api/v1/auth/token/refresh/",
            {"refresh": "not-a-token"},
            format="json",
            REMOTE_ADDR="10.1.1.1",
        ).status_code
        for _ in range(limit)
    }
    assert codes == {401}
    assert_throttled(
        api_client.post(
            "/api/v1/auth/token/refresh/",
            {"refresh": "not-a-token"},
            format="json",
            REMOTE_ADDR="10.1.1.1",
        )
    )


def test_throttle_rates_off_turns_every_scope_off(api_client):
    off = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": throttle_rates("off")}
    user = UserFactory()
    client = client_for(user)
    with override_settings(REST_FRAMEWORK=off):
        tickets = {
            client.post("/api/v1/notifications/ws-ticket/").status_code
            for _ in range(limit_of("ws_ticket") + 5)
        }
        refreshes = {
            api_client.post(
                "/api/v1/auth/token/refresh/", {"refresh": "x"}, format="json"
            ).status_code
            for _ in range(limit_of("refresh") + 5)
        }
    assert tickets == {201}
    assert refreshes == {401}


def test_throttle_rates_variable_sets_the_new_scopes():
    rates = throttle_rates("refresh=5/min,ws_ticket=2/min")
    assert rates["refresh"] == "5/min"
    assert rates["ws_ticket"] == "2/min"
    assert rates["anon"] == DEFAULT_THROTTLE_RATES["anon"]


def test_without_the_cache_requests_are_served_uncounted():
    client = client_for(UserFactory())
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        assert client.get("/api/v1/auth/me/").status_code == 200
