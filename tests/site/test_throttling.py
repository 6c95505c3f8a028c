"""Login and register are throttled per client address and per account."""

import threading

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from nexus.settings.env import throttle_rates
from tests.factories import UserFactory

RATES = {"login": "5/min", "register": "3/hour", "anon": None, "user": None}


def rest_framework_with(rates):
    from django.conf import settings

    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def login(client, email, password="wrong-password", address="10.0.0.1"):
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_sixth_login_within_a_minute_is_429_with_retry_after(api_client):
    user = UserFactory()
    with override_settings(REST_FRAMEWORK=rest_framework_with(RATES)):
        codes = [login(api_client, user.email).status_code for _ in range(5)]
        refused = login(api_client, user.email)
    assert codes == [401] * 5
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60


@pytest.mark.django_db
def test_one_account_is_protected_across_many_addresses(api_client):
    user = UserFactory()
    with override_settings(REST_FRAMEWORK=rest_framework_with(RATES)):
        codes = [
            login(api_client, user.email, address=f"10.0.1.{i}").status_code
            for i in range(8)
        ]
    assert codes.count(429) == 3


@pytest.mark.django_db
def test_one_address_is_limited_across_many_accounts(api_client):
    with override_settings(REST_FRAMEWORK=rest_framework_with(RATES)):
        codes = [
            login(api_client, f"user{i}@example.com").status_code for i in range(8)
        ]
    assert codes.count(429) == 3


@pytest.mark.django_db
def test_register_is_throttled_per_address(api_client):
    with override_settings(REST_FRAMEWORK=rest_framework_with(RATES)):
        codes = [
            api_client.post(
                "/api/v1/auth/register/",
                {"email": f"new{i}@example.com", "password": "a-long-passphrase-9"},
                format="json",
                REMOTE_ADDR="10.0.2.1",
            ).status_code
            for i in range(5)
        ]
    assert codes == [201, 201, 201, 429, 429]


@pytest.mark.django_db(transaction=True)
def test_concurrent_login_attempts_cannot_slip_past_the_limit():
    user = UserFactory()
    attempts = 40
    codes: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(attempts)

    def attempt():
        client = APIClient()
        start.wait()
        try:
            code = login(client, user.email).status_code
        finally:
            connection.close()
        with lock:
            codes.append(code)

    with override_settings(REST_FRAMEWORK=rest_framework_with(RATES)):
        threads = [threading.Thread(target=attempt) for _ in range(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    from collections import Counter

    assert Counter(codes) == {401: 5, 429: attempts - 5}


def test_throttle_rates_variable_overrides_and_turns_off():
    assert throttle_rates("login=2/min")["login"] == "2/min"
    assert throttle_rates("login=2/min")["register"] == "20/hour"
    assert set(throttle_rates("off").values()) == {None}
    with pytest.raises(ValueError):
        throttle_rates("login")


@pytest.mark.django_db
def test_throttle_rates_off_lets_every_attempt_through(api_client):
    user = UserFactory()
    with override_settings(REST_FRAMEWORK=rest_framework_with(throttle_rates("off"))):
        codes = {login(api_client, user.email).status_code for _ in range(15)}
    assert codes == {401}


def _login_attempt_in_a_process(barrier, results):
    """One process, one login attempt: as separate daphne workers would see it."""
    from django.test import RequestFactory
    from rest_framework.parsers import JSONParser
    from rest_framework.request import Request

    from nexus.api.throttles import LoginThrottle

    raw = RequestFactory().post(
        "/api/v1/auth/token/",
        data='{"email": "target@example.com"}',
        content_type="application/json",
        REMOTE_ADDR="10.0.3.1",
    )
    request = Request(raw, parsers=[JSONParser()])
    barrier.wait()
    results.put(LoginThrottle().allow_request(request, None))


def test_the_limit_holds_across_processes_sharing_redis():
    """Threads share a process; workers do not. Only Redis can keep this exact."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    attempts = 24
    barrier = context.Barrier(attempts)
    results = context.Queue()
    with override_settings(REST_FRAMEWORK=rest_framework_with(RATES)):
        processes = [
            context.Process(target=_login_attempt_in_a_process, args=(barrier, results))
            for _ in range(attempts)
        ]
        for process in processes:
            process.start()
        allowed = [results.get(timeout=60) for _ in range(attempts)]
        for process in processes:
            process.join(timeout=30)
    assert allowed.count(True) == 5
