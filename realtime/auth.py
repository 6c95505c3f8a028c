"""Who a websocket belongs to: an access JWT (?token=) or a single-use ?ticket=."""

import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

TICKET_TTL_SECONDS = 30
TICKET_PREFIX = "ws-ticket:"
# A query-string credential longer than this is not ours; refuse before decoding it.
MAX_CREDENTIAL_LENGTH = 4096


@dataclass(frozen=True)
class SocketIdentity:
    user_id: int
    is_staff: bool
    # Unix time at which the credential behind this socket expires.
    expires_at: float


def ticket_issue(*, user, token_exp: float | None) -> tuple[str, int]:
    """Store a random single-use ticket for `user`; returns (ticket, expires_in).

    The socket it opens closes when the access token that asked for it expires.
    """
    ticket = secrets.token_urlsafe(32)
    cache.set(
        TICKET_PREFIX + ticket,
        {"user_id": user.pk, "exp": token_exp or time.time() + TICKET_TTL_SECONDS},
        timeout=TICKET_TTL_SECONDS,
    )
    return ticket, TICKET_TTL_SECONDS


def ticket_consume(ticket: str) -> dict | None:
    """The ticket's claims, once: only the caller whose DELETE removed the key wins."""
    key = TICKET_PREFIX + ticket
    claims = cache.get(key)
    if claims is None or not cache.delete(key):
        return None
    return claims


def _active_user(user_id):
    User = get_user_model()
    return (
        User.objects.filter(pk=user_id, is_active=True).only("pk", "is_staff").first()
    )


def identify(query_string: bytes) -> SocketIdentity | None:
    """The socket's user from its query string, or None when it must be refused."""
    try:
        params = parse_qs(query_string.decode("latin-1"), max_num_fields=10)
    except ValueError:
        return None
    token = (params.get("token") or [""])[0]
    ticket = (params.get("ticket") or [""])[0]
    if ticket and len(ticket) <= MAX_CREDENTIAL_LENGTH:
        claims = ticket_consume(ticket)
        if claims is None:
            return None
        user_id, exp = claims["user_id"], float(claims["exp"])
    elif token and len(token) <= MAX_CREDENTIAL_LENGTH:
        try:
            access = AccessToken(token)
        except TokenError:
            return None
        user_id, exp = access.get(jwt_settings.USER_ID_CLAIM), float(access["exp"])
    else:
        return None
    if exp <= time.time():
        return None
    user = _active_user(user_id)
    if user is None:
        return None
    return SocketIdentity(user_id=user.pk, is_staff=user.is_staff, expires_at=exp)
