"""The auth endpoints of the API: register, token, refresh, logout, me."""

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG = "a-long-enough-passphrase-42"


def register(client, **body):
    return client.post("/api/v1/auth/register/", body, format="json")


def obtain(client, email, password=DEFAULT_PASSWORD):
    return client.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )


class TestRegister:
    def test_register_creates_a_customer(self, api_client):
        response = register(
            api_client, email="Ada@Example.com", password=STRONG, first_name="Ada"
        )
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "email", "first_name", "last_name", "role"}
        assert body["email"] == "ada@example.com"
        assert body["role"] == "customer"

    def test_role_and_staff_flags_in_the_body_are_ignored(self, api_client):
        response = register(
            api_client,
            email="mallory@example.com",
            password=STRONG,
            role="admin",
            is_staff=True,
            is_superuser=True,
        )
        assert response.status_code == 201
        assert response.json()["role"] == "customer"
        user = User.objects.get(email="mallory@example.com")
        assert not user.is_staff and not user.is_superuser

    def test_duplicate_email_is_refused_whatever_its_case(self, api_client):
        UserFactory(email="taken@example.com")
        response = register(api_client, email="TAKEN@example.com", password=STRONG)
        assert response.status_code == 400
        assert "email" in response.json()
        assert User.objects.filter(email__iexact="taken@example.com").count() == 1

    @pytest.mark.parametrize("password", ["short", "password123", "12345678901"])
    def test_weak_password_is_refused(self, api_client, password):
        response = register(api_client, email="weak@example.com", password=password)
        assert response.status_code == 400
        assert "password" in response.json()
        assert not User.objects.filter(email="weak@example.com").exists()

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"email": "not-an-email", "password": STRONG},
            {"email": ["a@example.com"], "password": STRONG},
            {"email": "a@example.com", "password": {"nested": 1}},
            {"email": "a@example.com" * 100, "password": STRONG},
        ],
    )
    def test_malformed_bodies_get_field_errors(self, api_client, body):
        response = api_client.post("/api/v1/auth/register/", body, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict)


class TestToken:
    def test_valid_credentials_return_a_token_pair(self, api_client, customer):
        response = obtain(api_client, customer.email.upper())
        assert response.status_code == 200
        assert set(response.json()) == {"access", "refresh"}

    def test_wrong_password_is_401(self, api_client, customer):
        assert obtain(api_client, customer.email, "wrong-password").status_code == 401

    def test_unknown_email_is_401(self, api_client, db):
        assert obtain(api_client, "nobody@example.com").status_code == 401

    def test_deactivated_user_cannot_log_in(self, api_client):
        user = UserFactory(is_active=False)
        assert obtain(api_client, user.email).status_code == 401

    def test_access_token_opens_me(self, api_client, customer):
        access = obtain(api_client, customer.email).json()["access"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        assert api_client.get("/api/v1/auth/me/").json()["email"] == customer.email


class TestRefreshAndLogout:
    def test_refresh_rotates_and_the_used_token_is_refused(self, api_client, customer):
        refresh = obtain(api_client, customer.email).json()["refresh"]
        first = api_client.post(
            "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
        )
        assert first.status_code == 200
        assert set(first.json()) == {"access", "refresh"}
        assert first.json()["refresh"] != refresh
        again = api_client.post(
            "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
        )
        assert again.status_code == 401
        rotated = api_client.post(
            "/api/v1/auth/token/refresh/",
            {"refresh": first.json()["refresh"]},
            format="json",
        )
        assert rotated.status_code == 200

    def test_garbage_refresh_token_is_401(self, api_client, db):
        response = api_client.post(
            "/api/v1/auth/token/refresh/", {"refresh": "not.a.jwt"}, format="json"
        )
        assert response.status_code == 401

    def test_logout_refuses_that_refresh_token_from_then_on(self, api_client, customer):
        refresh = obtain(api_client, customer.email).json()["refresh"]
        response = api_client.post(
            "/api/v1/auth/logout/", {"refresh": refresh}, format="json"
        )
        assert response.status_code == 204
        again = api_client.post(
            "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
        )
        assert again.status_code == 401

    def test_deactivated_users_tokens_stop_working(self, api_client, customer):
        pair = obtain(api_client, customer.email).json()
        customer.is_active = False
        customer.save()
        client = client_for(customer)
        assert client.get("/api/v1/auth/me/").status_code == 401
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        assert api_client.get("/api/v1/auth/me/").status_code == 401
        api_client.credentials()
        refreshed = api_client.post(
            "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
        )
        assert refreshed.status_code == 401

    def test_deleted_users_refresh_token_is_401_not_500(self, api_client):
        user = UserFactory()
        refresh = obtain(api_client, user.email).json()["refresh"]
        user.delete()
        response = api_client.post(
            "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
        )
        assert response.status_code == 401


class TestMe:
    def test_anonymous_is_401(self, api_client, db):
        assert api_client.get("/api/v1/auth/me/").status_code == 401

    def test_patch_changes_names_but_never_role_email_or_staff(self, customer):
        client = client_for(customer)
        response = client.patch(
            "/api/v1/auth/me/",
            {
                "first_name": "Grace",
                "last_name": "Hopper",
                "role": "admin",
                "email": "other@example.com",
                "is_staff": True,
            },
            format="json",
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["first_name"], body["last_name"]) == ("Grace", "Hopper")
        assert body["role"] == "customer"
        customer.refresh_from_db()
        assert customer.email == body["email"] != "other@example.com"
        assert not customer.is_staff

    def test_admin_role_is_reported_for_staff(self, admin_user):
        assert client_for(admin_user).get("/api/v1/auth/me/").json()["role"] == "admin"
