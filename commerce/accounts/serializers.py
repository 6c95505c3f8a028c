"""Request and response shapes of the auth API."""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import (
    PasswordField,
    TokenObtainPairSerializer,
)
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .models import User


class UserSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role"]
        read_only_fields = ["id", "email", "role"]


class RegisterSerializer(serializers.Serializer):
    # Only these fields are read; `role`, `is_staff` and anything else are ignored.
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False
    )
    first_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    last_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )


class ProfileSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class TokenPairSerializer(TokenObtainPairSerializer):
    """email + password -> access and refresh; email matched case-insensitively."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # simplejwt's fields have no bound: a megabyte email was a database lookup
        # and a megabyte password a hash before the 401. The bounds are register's.
        self.fields[self.username_field] = serializers.CharField(
            write_only=True, max_length=254
        )
        self.fields["password"] = PasswordField(max_length=128)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        if isinstance(attrs.get("email"), str):
            attrs["email"] = attrs["email"].strip().lower()
        return super().validate(attrs)


class TokensSerializer(serializers.Serializer):
    """What sign-in and refresh answer (documents the OpenAPI schema)."""

    access = serializers.CharField(
        read_only=True,
        help_text="Access JWT for `Authorization: Bearer`; valid 15 minutes.",
    )
    refresh = serializers.CharField(
        read_only=True,
        help_text="Refresh JWT, valid 7 days and usable once: trade it at "
        "/api/v1/auth/token/refresh/ for a new pair.",
    )


class RotatingRefreshSerializer(serializers.Serializer):
    """Trade a refresh token for a new pair; a refresh token works exactly once.

    simplejwt checks the blacklist and then blacklists, so two concurrent refreshes
    of one token could both pass. Here blacklisting is the claim: whoever creates the
    blacklist row wins, the other is refused as a reused token.
    """

    refresh = serializers.CharField(max_length=4096)
    access = serializers.CharField(read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            refresh = RefreshToken(attrs["refresh"])
        except TokenError as exc:
            raise InvalidToken(str(exc)) from exc
        user_id = refresh.payload.get(jwt_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or not user.is_active:
            raise AuthenticationFailed(
                "No active account found for the given token.", "no_active_account"
            )
        _, claimed = refresh.blacklist()
        if not claimed:
            raise InvalidToken("Token is blacklisted")
        new_refresh = RefreshToken.for_user(user)
        return {"access": str(new_refresh.access_token), "refresh": str(new_refresh)}


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)

    def validate_refresh(self, value: str) -> RefreshToken:
        try:
            return RefreshToken(value)
        except TokenError as exc:
            raise InvalidToken(str(exc)) from exc


def _password_field() -> serializers.CharField:
    # Bounded like register's: hashing a megabyte password per request would be an
    # easy denial of service.
    return serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = _password_field()
    new_password = _password_field()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetAcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class PasswordResetConfirmSerializer(serializers.Serializer):
    # A base64 bigint is at most 12 characters; Django's tokens are about 40.
    uid = serializers.CharField(max_length=32)
    token = serializers.CharField(max_length=128)
    new_password = _password_field()
