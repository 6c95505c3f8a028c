"""Auth endpoints: register, token pair, refresh, logout, me, passwords."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from nexus.api.schema import api_operation
from nexus.api.throttles import (
    AtomicRateThrottle,
    ClientAndAccountThrottle,
    CountsLoginFailures,
    LoginThrottle,
    RegisterThrottle,
    RequestRateThrottle,
)

from . import services
from .errors import EmailAlreadyRegistered, InvalidResetLink, WrongPassword
from .serializers import (
    LogoutSerializer,
    PasswordChangeSerializer,
    PasswordResetAcceptedSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    ProfileSerializer,
    RegisterSerializer,
    RotatingRefreshSerializer,
    TokenPairSerializer,
    TokensSerializer,
    UserSerializer,
)


class TokenEndpoint(APIView):
    """Endpoints that take credentials in the body, not in an Authorization header.

    With no authenticators DRF would turn a 401 into a 403, so they still name the
    Bearer challenge that a failed token check answers with.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class RegisterView(TokenEndpoint):
    throttle_classes = [RegisterThrottle]

    @api_operation(
        summary="Create a customer account",
        description="Anyone may register. The new account is a `customer`; `role`, "
        "`is_staff` or any other field in the body is ignored. The email is stored "
        "in lower case and must not be registered already; the password must pass "
        "the password rules (at least 8 characters, not common, not all digits, "
        "not like the email or names). Registering does not sign in: ask "
        "`POST /api/v1/auth/token/` for tokens next.",
        request=RegisterSerializer,
        responses={201: UserSerializer},
        errors=[400, 413, 429],
        notes={
            400: "A field map: a malformed or already registered `email`, or a "
            "`password` the password rules refuse (each rule's message).",
            429: "Too many registrations from this address or for this email "
            "(`throttled`); wait the seconds `Retry-After` gives.",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.user_register(**serializer.validated_data)
        except EmailAlreadyRegistered as exc:
            raise ValidationError(
                {"email": ["A user with this email already exists."]}
            ) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"password": list(exc.messages)}) from exc
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=api_operation(
        summary="Sign in: an access and a refresh token",
        description="Trade an email (any case) and password for a token pair. Send "
        "the access token as `Authorization: Bearer <access>`; when it expires, "
        "trade the refresh token at `POST /api/v1/auth/token/refresh/`. Failed "
        "attempts are counted per address and per account: past the limit the "
        "address that failed gets 429, while the owner signing in from elsewhere "
        "is not locked out.",
        request=TokenPairSerializer,
        responses={200: TokensSerializer},
        errors=[400, 401, 413, 429],
        notes={
            400: "A field map: `email` or `password` missing or too long.",
            401: "Wrong email or password, or an inactive account "
            "(`no_active_account`).",
            429: "Too many sign-in attempts (`throttled`); wait the seconds "
            "`Retry-After` gives.",
        },
    )
)
class TokenView(CountsLoginFailures, TokenObtainPairView):
    serializer_class = TokenPairSerializer
    throttle_classes = [RequestRateThrottle, LoginThrottle]


class RefreshView(TokenEndpoint):
    throttle_scope = "refresh"

    @api_operation(
        summary="Trade a refresh token for a new pair",
        description="Answers a new access token and a new refresh token. A refresh "
        "token works once: the one sent is revoked, and sending it again is a 401, "
        "so keep the new one. Logging out, changing or resetting the password also "
        "revoke refresh tokens.",
        request=RotatingRefreshSerializer,
        responses={200: TokensSerializer},
        errors=[400, 401, 413, 429],
        notes={
            400: "A field map: `refresh` missing or too long.",
            401: "The refresh token is malformed, expired, already used or revoked "
            "(`token_not_valid`), or its account is inactive (`no_active_account`).",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = RotatingRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class LogoutView(TokenEndpoint):
    @api_operation(
        summary="Log out: revoke a refresh token",
        description="Revokes the refresh token in the body, so it can never mint "
        "another access token. Needs no access token. Access tokens already issued "
        "stay valid until they expire (minutes): drop them on the client.",
        request=LogoutSerializer,
        responses={204: OpenApiResponse(description="Revoked.")},
        errors=[400, 401, 413, 429],
        notes={
            400: "A field map: `refresh` missing or too long.",
            401: "Not a valid refresh token: malformed, expired or already revoked "
            "(`token_not_valid`).",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    @api_operation(
        summary="The signed-in user",
        description="The account behind the access token: id, email, names and "
        "`role` (`customer`, or `admin` for shop staff).",
        responses={200: UserSerializer},
        errors=[401, 429],
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @api_operation(
        summary="Change the signed-in user's names",
        description="Sets `first_name` and/or `last_name` (up to 150 characters, "
        "blank allowed). `email`, `role` and `is_staff` cannot be changed here and "
        "are ignored if sent.",
        request=ProfileSerializer,
        responses={200: UserSerializer},
        errors=[400, 401, 413, 429],
        notes={400: "A field map: a name longer than 150 characters."},
    )
    def patch(self, request: Request) -> Response:
        serializer = ProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(
            user=request.user, **serializer.validated_data
        )
        return Response(UserSerializer(user).data)


class PasswordResetThrottle(ClientAndAccountThrottle):
    """Reset mails per address and per email asked for: no mail bombing one inbox."""

    scope = "password_reset"


class PasswordResetConfirmThrottle(ClientAndAccountThrottle):
    """Attempts to use a reset link, per address and per account (`uid`)."""

    scope = "password_change"
    account_field = "uid"


class PasswordChangeThrottle(AtomicRateThrottle):
    """Guesses at the current password, per address and per signed-in user."""

    scope = "password_change"

    def get_idents(self, request: Request, view) -> list[str]:
        return [f"ip:{self.get_ident(request)}", f"user:{request.user.pk}"]


RESET_ACCEPTED = {
    "detail": "If an account uses this email, a link to reset its password is on "
    "its way."
}
INVALID_RESET_LINK = "This password reset link is invalid, expired or already used."


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [PasswordChangeThrottle]

    @api_operation(
        summary="Change the signed-in user's password",
        description="Needs the current password. On success every refresh token of "
        "the user is revoked (all devices must sign in again); access tokens die "
        "within their lifetime. Attempts are limited per address and per user.",
        request=PasswordChangeSerializer,
        responses={204: OpenApiResponse(description="Changed; sign in again.")},
        errors=[400, 401, 413, 429],
        notes={
            400: "A field map: `old_password` is not the current password, or "
            "`new_password` fails the password rules.",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.user_password_change(
                user=request.user, **serializer.validated_data
            )
        except WrongPassword as exc:
            raise ValidationError(
                {"old_password": ["The current password is not correct."]}
            ) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"new_password": list(exc.messages)}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(TokenEndpoint):
    throttle_classes = [PasswordResetThrottle]

    @api_operation(
        summary="Ask for a password reset email",
        description="Answers 202 with the same body whether or not an account uses "
        "the email, so it tells nobody which emails are registered. An active "
        "account is mailed a link (a `uid` and a `token`) that works once, for one "
        "hour; confirm it at `POST /api/v1/auth/password/reset/confirm/`.",
        request=PasswordResetSerializer,
        responses={202: PasswordResetAcceptedSerializer},
        errors=[400, 413, 429],
        notes={
            400: "A field map: `email` missing, malformed or too long.",
            429: "Too many reset requests from this address or for this email "
            "(`throttled`); wait the seconds `Retry-After` gives.",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_reset_request(email=serializer.validated_data["email"])
        # The same answer whether or not the account exists.
        return Response(RESET_ACCEPTED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(TokenEndpoint):
    throttle_classes = [PasswordResetConfirmThrottle]

    @api_operation(
        summary="Set a new password from a reset email",
        description="Takes the `uid` and `token` of the mailed link and the new "
        "password. On success the link is spent and every refresh token of the "
        "account is revoked; sign in with the new password.",
        request=PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse(description="Password set; sign in.")},
        errors=[400, 413, 429],
        notes={
            400: "A field map: the link is invalid, expired or already used "
            "(`token`), or `new_password` fails the password rules.",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.user_password_reset_confirm(**serializer.validated_data)
        except InvalidResetLink as exc:
            raise ValidationError({"token": [INVALID_RESET_LINK]}) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"new_password": list(exc.messages)}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
