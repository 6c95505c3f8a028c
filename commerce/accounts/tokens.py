"""Password reset links: the user's uid, the single-use token and the storefront URL.

Django's PasswordResetTokenGenerator signs the user's password hash and last login
into the token, so it dies as soon as the password changes (or the user logs in), and
after PASSWORD_RESET_TIMEOUT seconds. Nothing is stored server-side.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User

password_reset_tokens = PasswordResetTokenGenerator()

# A bigint primary key; anything larger is not a user and must not reach the database.
_MAX_PK = 2**63 - 1


def encode_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def decode_uid(uid: str) -> int | None:
    """The primary key a uid names, or None when it is not one of ours."""
    try:
        raw = urlsafe_base64_decode(uid).decode("ascii")
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if not raw.isdigit() or not 0 < int(raw) <= _MAX_PK:
        return None
    return int(raw)


def password_reset_link(user: User) -> str:
    """The storefront page that asks for the new password, with a fresh token."""
    return settings.PASSWORD_RESET_URL.format(
        uid=encode_uid(user), token=password_reset_tokens.make_token(user)
    )
