"""Password change and reset of the API (issue "Accounts and hardening", item 3)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from commerce.accounts import services, tasks
from commerce.accounts.tokens import encode_uid, password_reset_tokens
from nexus.settings.env import password_reset_url
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-passphrase-77"
CHANGE = "/api/v1/auth/password/change/"
RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
LINK = re.compile(r"http://127\.0\.0\.1:8000/reset-password\?uid=([^&\s]+)&token=(\S+)")


def rates(**overrides):
    from django.conf import settings

    current = settings.REST_FRAMEWORK
    return {
        **current,
        "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **overrides},
    }


def obtain(client, email, password=DEFAULT_PASSWORD):
    return client.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )


def refresh_with(client, refresh):
    return client.post(
        "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
    )


def request_reset(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, format="json")


def link_in(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


class TestChange:
    def test_change_revokes_every_refresh_token_and_the_new_password_works(
        self, api_client, customer
    ):
        first = obtain(api_client, customer.email).json()["refresh"]
        second = obtain(api_client, customer.email).json()["refresh"]
        response = client_for(customer).post(
            CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW}, "json"
        )
        assert response.status_code == 204
        assert refresh_with(api_client, first).status_code == 401
        assert refresh_with(api_client, second).status_code == 401
        assert obtain(api_client, customer.email).status_code == 401
        fresh = obtain(api_client, customer.email, NEW)
        assert fresh.status_code == 200
        assert refresh_with(api_client, fresh.json()["refresh"]).status_code == 200

    def test_wrong_old_password_is_400_and_changes_nothing(self, api_client, customer):
        refresh = obtain(api_client, customer.email).json()["refresh"]
        response = client_for(customer).post(
            CHANGE, {"old_password": "not-my-password", "new_password": NEW}, "json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"old_password"}
        assert obtain(api_client, customer.email).status_code == 200
        assert refresh_with(api_client, refresh).status_code == 200

    @pytest.mark.parametrize("weak", ["short", "password123", "12345678901"])
    def test_weak_new_password_is_400(self, api_client, customer, weak):
        response = client_for(customer).post(
            CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": weak}, "json"
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"new_password"}
        assert body["new_password"] and all(
            isinstance(m, str) for m in body["new_password"]
        )
        assert obtain(api_client, customer.email).status_code == 200

    def test_anonymous_is_401(self, api_client, db):
        response = api_client.post(
            CHANGE, {"old_password": "x", "new_password": NEW}, format="json"
        )
        assert response.status_code == 401

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"old_password": DEFAULT_PASSWORD},
            {"old_password": ["a"], "new_password": NEW},
            {"old_password": DEFAULT_PASSWORD, "new_password": "x" * 129},
        ],
    )
    def test_malformed_bodies_are_400(self, customer, body):
        response = client_for(customer).post(CHANGE, body, format="json")
        assert response.status_code == 400


class TestResetRequest:
    def test_same_answer_for_known_and_unknown_email_one_mail_only(
        self, api_client, customer, django_capture_on_commit_callbacks
    ):
        known = request_reset(
            api_client, customer.email.upper(), django_capture_on_commit_callbacks
        )
        unknown = request_reset(
            api_client, "nobody@example.com", django_capture_on_commit_callbacks
        )
        assert known.status_code == unknown.status_code == 202
        assert known.json() == unknown.json()
        assert known.content == unknown.content
        assert len(mail.outbox) == 1
        (message,) = mail.outbox
        assert message.to == [customer.email]
        link_in(message)
        html, _ = message.alternatives[0]
        assert "reset-password?uid=" in html

    def test_inactive_account_gets_no_mail(
        self, api_client, django_capture_on_commit_callbacks
    ):
        user = UserFactory(is_active=False)
        response = request_reset(
            api_client, user.email, django_capture_on_commit_callbacks
        )
        assert response.status_code == 202
        assert mail.outbox == []

    def test_link_follows_the_password_reset_url_setting(
        self, api_client, customer, settings, django_capture_on_commit_callbacks
    ):
        settings.PASSWORD_RESET_URL = "https://shop.example/r/{uid}/{token}/"
        request_reset(api_client, customer.email, django_capture_on_commit_callbacks)
        (message,) = mail.outbox
        assert f"https://shop.example/r/{encode_uid(customer)}/" in message.body

    def test_a_broker_that_refuses_the_task_still_answers_202(
        self, api_client, customer, monkeypatch, django_capture_on_commit_callbacks
    ):
        def refuse(*args, **kwargs):
            raise ConnectionRefusedError("broker down")

        monkeypatch.setattr(tasks.password_reset_email_send, "apply_async", refuse)
        response = request_reset(
            api_client, customer.email, django_capture_on_commit_callbacks
        )
        assert response.status_code == 202
        assert mail.outbox == []

    def test_a_failing_smtp_server_is_logged_not_raised_inline(
        self, customer, monkeypatch
    ):
        def fail(self, fail_silently=False):
            raise OSError("smtp down")

        monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
        result = tasks.password_reset_email_send.apply(args=[customer.pk])
        assert result.get() == "failed"

    def test_requests_per_email_are_throttled_across_addresses(
        self, api_client, customer, settings, django_capture_on_commit_callbacks
    ):
        settings.REST_FRAMEWORK = rates(password_reset="3/hour")
        codes = [
            api_client.post(
                RESET, {"email": customer.email}, "json", REMOTE_ADDR=f"10.0.2.{i}"
            ).status_code
            for i in range(5)
        ]
        assert codes == [202] * 3 + [429] * 2


class TestResetConfirm:
    def test_the_mailed_link_sets_the_password_once_and_revokes_tokens(
        self, api_client, customer, django_capture_on_commit_callbacks
    ):
        # Logging in moves last_login, which kills earlier links: log in first.
        refresh = obtain(api_client, customer.email).json()["refresh"]
        request_reset(api_client, customer.email, django_capture_on_commit_callbacks)
        uid, token = link_in(mail.outbox[0])
        body = {"uid": uid, "token": token, "new_password": NEW}
        assert api_client.post(CONFIRM, body, format="json").status_code == 204
        assert refresh_with(api_client, refresh).status_code == 401
        assert obtain(api_client, customer.email).status_code == 401
        assert obtain(api_client, customer.email, NEW).status_code == 200
        again = api_client.post(
            CONFIRM, {**body, "new_password": "yet-another-passphrase-3"}, "json"
        )
        assert again.status_code == 400
        assert set(again.json()) == {"token"}
        assert obtain(api_client, customer.email, NEW).status_code == 200

    def test_a_token_older_than_an_hour_is_400(self, api_client, customer, monkeypatch):
        token = password_reset_tokens.make_token(customer)
        made_at = password_reset_tokens._now()
        monkeypatch.setattr(
            PasswordResetTokenGenerator,
            "_now",
            lambda self: made_at + timedelta(seconds=3601),
        )
        response = api_client.post(
            CONFIRM,
            {"uid": encode_uid(customer), "token": token, "new_password": NEW},
            format="json",
        )
        assert response.status_code == 400
        assert obtain(api_client, customer.email).status_code == 200

    def test_a_token_within_the_hour_still_works(
        self, api_client, customer, monkeypatch
    ):
        token = password_reset_tokens.make_token(customer)
        made_at = password_reset_tokens._now()
        monkeypatch.setattr(
            PasswordResetTokenGenerator,
            "_now",
            lambda self: made_at + timedelta(seconds=3500),
        )
        response = api_client.post(
            CONFIRM,
            {"uid": encode_uid(customer), "token": token, "new_password": NEW},
            format="json",
        )
        assert response.status_code == 204

    def test_weak_password_is_400_and_keeps_the_link_usable(self, api_client, customer):
        body = {
            "uid": encode_uid(customer),
            "token": password_reset_tokens.make_token(customer),
        }
        weak = api_client.post(CONFIRM, {**body, "new_password": "123"}, "json")
        assert weak.status_code == 400
        assert set(weak.json()) == {"new_password"}
        ok = api_client.post(CONFIRM, {**body, "new_password": NEW}, "json")
        assert ok.status_code == 204

    def test_another_users_uid_with_my_token_is_400(self, api_client, customer):
        other = UserFactory()
        body = {
            "uid": encode_uid(other),
            "token": password_reset_tokens.make_token(customer),
            "new_password": NEW,
        }
        assert api_client.post(CONFIRM, body, format="json").status_code == 400

    @pytest.mark.parametrize(
        ("uid", "token"),
        [
            ("", ""),
            ("!!", "x"),
            ("OTk5OTk5OTk5", "abc-def"),  # base64 of a pk that does not exist
            ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "abc-def"),  # beyond bigint
            ("YWJj", "abc-def"),  # base64 of "abc"
            ("__", "abc-def"),
        ],
    )
    def test_bad_uid_or_token_is_400(self, api_client, customer, uid, token):
        response = api_client.post(
            CONFIRM, {"uid": uid, "token": token, "new_password": NEW}, format="json"
        )
        assert response.status_code == 400
        assert obtain(api_client, customer.email).status_code == 200


class TestThrottles:
    def test_password_change_guesses_are_limited_per_user(self, customer, settings):
        settings.REST_FRAMEWORK = rates(password_change="3/hour")
        codes = [
            client_for(customer)
            .post(
                CHANGE,
                {"old_password": f"guess-{i}", "new_password": NEW},
                "json",
                REMOTE_ADDR=f"10.0.3.{i}",
            )
            .status_code
            for i in range(5)
        ]
        assert codes == [400] * 3 + [429] * 2

    def test_reset_confirm_attempts_are_limited_per_address(
        self, api_client, customer, settings
    ):
        settings.REST_FRAMEWORK = rates(password_change="3/hour")
        codes = [
            api_client.post(
                CONFIRM,
                {"uid": f"uid{i}", "token": "x", "new_password": NEW},
                format="json",
            ).status_code
            for i in range(5)
        ]
        assert codes == [400] * 3 + [429] * 2


class TestRevoke:
    def test_revoke_blacklists_only_that_users_tokens(self, api_client, customer):
        other = UserFactory()
        mine = [obtain(api_client, customer.email).json()["refresh"] for _ in range(3)]
        theirs = obtain(api_client, other.email).json()["refresh"]
        assert services.user_refresh_tokens_revoke(user=customer) == 3
        assert services.user_refresh_tokens_revoke(user=customer) == 0
        assert all(refresh_with(api_client, r).status_code == 401 for r in mine)
        assert refresh_with(api_client, theirs).status_code == 200
        assert OutstandingToken.objects.filter(user=customer).count() == 3


@pytest.mark.parametrize(
    "template",
    [
        "https://shop.example/reset",
        "https://shop.example/reset?uid={uid}",
        "https://shop.example/reset?uid={uid}&token={token}&x={other}",
    ],
)
def test_a_password_reset_url_without_uid_and_token_is_refused(template):
    with pytest.raises(ValueError, match="PASSWORD_RESET_URL"):
        password_reset_url(template)
