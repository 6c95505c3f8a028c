"""Writes to accounts: registration, profile changes, logout, passwords."""

from functools import partial

from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken

from .errors import EmailAlreadyRegistered, InvalidResetLink, WrongPassword
from .locks import lock_user
from .models import User
from .tasks import enqueue_password_reset_email
from .tokens import decode_uid, password_reset_tokens


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


def user_refresh_tokens_revoke(*, user: User) -> int:
    """Blacklist every refresh token issued to the user; returns how many were live.

    Access tokens are not stored and stay valid until they expire (minutes).
    """
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=token) for token in live.order_by("pk")]
    # A concurrent logout or refresh may blacklist one of them first; that is fine.
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _set_password(*, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    user_refresh_tokens_revoke(user=user)


def user_password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Replace the password and end every session (refresh token) of the user.

    Raises WrongPassword, or Django's ValidationError for a weak new password.
    """
    with transaction.atomic():
        # Locked, so two concurrent changes cannot both pass the old-password check.
        locked = lock_user(user_id=user.pk)
        if locked is None or not locked.check_password(old_password):
            raise WrongPassword()
        validate_password(new_password, user=locked)
        _set_password(user=locked, password=new_password)
    user.password = locked.password


def user_password_reset_request(*, email: str) -> None:
    """Mail a reset link if an active account has this address; silent otherwise.

    The caller answers the same either way. Both paths run the same lookup; only an
    existing account queues a mail, after commit.
    """
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    transaction.on_commit(partial(enqueue_password_reset_email, user.pk))


def user_password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the password a reset link allows; the link dies with the old password.

    Raises InvalidResetLink, or Django's ValidationError for a weak new password
    (the link then stays usable).
    """
    user_id = decode_uid(uid)
    if user_id is None:
        raise InvalidResetLink()
    with transaction.atomic():
        # The token is checked on the locked row: of two concurrent uses of one
        # link, the second sees the new password hash and is refused.
        user = lock_user(user_id=user_id)
        if (
            user is None
            or not user.is_active
            or not password_reset_tokens.check_token(user, token)
        ):
            raise InvalidResetLink()
        validate_password(new_password, user=user)
        _set_password(user=user, password=new_password)
    return user
