"""Writes to accounts: registration, profile changes, logout."""

from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.tokens import RefreshToken

from .errors import EmailAlreadyRegistered
from .models import User


def user_register(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create a customer.

    Raises EmailAlreadyRegistered, or Django's ValidationError for a weak password.
    """
    email = User.objects.normalize_email(email).lower()
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    validate_password(password, user=candidate)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailAlreadyRegistered(email)
    try:
        with transaction.atomic():
            # The case-insensitive unique constraint settles a race between two
            # registrations of one address; the check above only gives a clear error.
            return User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
    except IntegrityError as exc:
        raise EmailAlreadyRegistered(email) from exc


def user_update_profile(
    *, user: User, first_name: str | None = None, last_name: str | None = None
) -> User:
    changed = []
    if first_name is not None:
        user.first_name = first_name
        changed.append("first_name")
    if last_name is not None:
        user.last_name = last_name
        changed.append("last_name")
    if changed:
        user.save(update_fields=changed)
    return user


def user_logout(*, refresh: RefreshToken) -> None:
    """Blacklist the refresh token so it can never mint another access token."""
    refresh.blacklist()
