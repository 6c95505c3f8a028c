"""Auth endpoints: register, token pair, refresh, logout, me, passwords."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

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

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
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


class TokenView(CountsLoginFailures, TokenObtainPairView):
    serializer_class = TokenPairSerializer
    throttle_classes = [RequestRateThrottle, LoginThrottle]


class RefreshView(TokenEndpoint):
    throttle_scope = "refresh"

    @extend_schema(
        request=RotatingRefreshSerializer, responses={200: RotatingRefreshSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = RotatingRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class LogoutView(TokenEndpoint):
    @extend_schema(request=LogoutSerializer, responses={204: OpenApiResponse()})
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(responses={200: UserSerializer})
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=ProfileSerializer, responses={200: UserSerializer})
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

    @extend_schema(request=PasswordChangeSerializer, responses={204: OpenApiResponse()})
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

    @extend_schema(
        request=PasswordResetSerializer,
        responses={202: PasswordResetAcceptedSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_reset_request(email=serializer.validated_data["email"])
        # The same answer whether or not the account exists.
        return Response(RESET_ACCEPTED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(TokenEndpoint):
    throttle_classes = [PasswordResetConfirmThrottle]

    @extend_schema(
        request=PasswordResetConfirmSerializer, responses={204: OpenApiResponse()}
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
