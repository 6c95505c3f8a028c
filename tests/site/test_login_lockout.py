"""A stranger cannot lock an owner out of login; one address guessing is stopped.

Failures count per account and per account and address; the account-wide count only
stops addresses that have failed for that account themselves. Real rates, one window.
"""

import pytest
from django.test import override_settings

from nexus.api.throttles import parse_rate
from nexus.settings.env import DEFAULT_THROTTLE_RATES
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("real_rates_in_one_window"),
]

LIMIT = parse_rate(DEFAULT_THROTTLE_RATES["login"])[0]


def login(client, email, password="wrong-password", address="10.2.0.1", **extra):
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **extra,
    )


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(api_client):
    owner = UserFactory()
    stranger = [
        login(api_client, owner.email, address=f"10.2.0.{i}").status_code
        for i in range(2 * LIMIT)
    ]
    assert stranger.count(429) >= LIMIT  # the stranger is refused ...
    mine = login(api_client, owner.email, DEFAULT_PASSWORD, address="10.2.9.9")
    assert mine.status_code == 200, mine.content  # ... the owner is not
    assert "access" in mine.json()


def test_a_strangers_guesses_from_many_addresses_are_stopped_after_one_each(
    api_client,
):
    owner = UserFactory()
    for i in range(LIMIT):
        login(api_client, owner.email, address=f"10.2.1.{i}")
    # The account is over its limit: an address that already failed is refused, even
    # with the right password; a clean one is heard once, and refused if wrong.
    assert (
        login(api_client, owner.email, DEFAULT_PASSWORD, "10.2.1.0").status_code == 429
    )
    assert login(api_client, owner.email, address="10.2.1.200").status_code == 429
    assert (
        login(api_client, owner.email, DEFAULT_PASSWORD, "10.2.1.200").status_code
        == 429
    )
    assert (
        login(api_client, owner.email, DEFAULT_PASSWORD, "10.2.1.201").status_code
        == 200
    )


def test_one_address_guessing_is_stopped_even_at_the_right_password(api_client):
    owner = UserFactory()
    codes = [
        login(api_client, owner.email, address="10.2.2.1").status_code
        for _ in range(LIMIT)
    ]
    assert codes == [401] * LIMIT
    refused = login(api_client, owner.email, DEFAULT_PASSWORD, address="10.2.2.1")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) >= 1


def test_successful_logins_are_not_failures(api_client):
    owner = UserFactory()
    for i in range(2 * LIMIT):
        assert (
            login(api_client, owner.email, DEFAULT_PASSWORD, f"10.2.3.{i}").status_code
            == 200
        )
    # Twenty logins of the owner leave the account with no failure against it.
    assert login(api_client, owner.email, address="10.2.3.250").status_code == 401


def test_an_owners_typo_is_forgiven_by_a_correct_login(api_client):
    owner = UserFactory()
    assert login(api_client, owner.email, address="10.2.4.1").status_code == 401
    assert (
        login(api_client, owner.email, DEFAULT_PASSWORD, "10.2.4.1").status_code == 200
    )
    for i in range(2 * LIMIT):
        login(api_client, owner.email, address=f"10.2.4.{i + 10}")
    # The typo before the success no longer marks this address as a guesser.
    assert (
        login(api_client, owner.email, DEFAULT_PASSWORD, "10.2.4.1").status_code == 200
    )


def test_a_spoofed_forwarded_for_does_not_reset_the_address_limit(api_client):
    """On the default (dev) settings the socket address counts, not X-Forwarded-For."""
    from django.conf import settings

    from nexus.settings import base

    default = {
        **base.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    }
    with override_settings(REST_FRAMEWORK=default):
        codes = [
            login(
                api_client,
                f"someone{i}@example.com",
                address="10.2.5.1",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
            ).status_code
            for i in range(LIMIT + 3)
        ]
    assert codes == [401] * LIMIT + [429] * 3
