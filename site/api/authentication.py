"""Bearer-token authentication of the API: SimpleJWT's, with the user read by a
statement compiled once per process."""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from nexus.db import CompiledQuery

# The user id the statement is compiled with, replaced by the token's.
_USER_ID = -1_000_004


class JWTAuthentication(authentication.JWTAuthentication):
    """SimpleJWT's authentication with the same checks and refusals: the user is
    read from the database on every request, so a deactivated user's token (or,
    with CHECK_REVOKE_TOKEN, one issued before a password change) is refused at
    once. Only the lookup differs: `User.objects.get` compiled its query anew on
    every request (about a third of the CPU of authenticating); the same SELECT
    is built once and the user made from its row as the ORM would."""

    def get_user(self, validated_token: Token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(
                _("Token contained no recognizable user identification")
            ) from e

        user = user_by_id(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")

        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")

        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


def user_by_id(user_id):
    """The user whose USER_ID_FIELD is `user_id` with every field loaded (the
    object `User.objects.get` returns), or None."""
    model = get_user_model()
    value = model._meta.get_field(api_settings.USER_ID_FIELD).get_db_prep_value(
        user_id, connection
    )
    query, names = _user_query()
    rows = query.rows(user_id=value)
    if len(rows) != 1:
        return None
    return model.from_db(connection.alias, names, rows[0])


@functools.cache
def _user_query() -> tuple[CompiledQuery, list[str]]:
    """The compiled SELECT and the attribute each of its columns fills."""
    users = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: _USER_ID})
    query = CompiledQuery(users, {_USER_ID: "user_id"})
    return query, [column.target.attname for column in query.columns]


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the class above: SimpleJWT's own (`jwtAuth`);
    drf-spectacular matches extensions by exact class."""

    target_class = "nexus.api.authentication.JWTAuthentication"
