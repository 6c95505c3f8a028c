"""Cart endpoints: thin views over the cart services and selectors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .selectors import cart_get_for_display
from .serializers import (
    CartItemAddSerializer,
    CartItemUpdateSerializer,
    CartSerializer,
)


def cart_response(user, status_code: int = status.HTTP_200_OK) -> Response:
    cart = cart_get_for_display(user=user)
    return Response(CartSerializer(cart).data, status=status_code)


class CartView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "delete", "head", "options"]

    @extend_schema(responses={200: CartSerializer})
    def get(self, request: Request) -> Response:
        services.cart_get_or_create(user=request.user)
        return cart_response(request.user)

    @extend_schema(responses={204: OpenApiResponse(description="Cart emptied.")})
    def delete(self, request: Request) -> Response:
        services.cart_clear(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemsView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "options"]

    @extend_schema(request=CartItemAddSerializer, responses={201: CartSerializer})
    def post(self, request: Request) -> Response:
        serializer = CartItemAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_add(user=request.user, **serializer.validated_data)
        return cart_response(request.user, status.HTTP_201_CREATED)


class CartItemView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["patch", "delete", "options"]

    @extend_schema(request=CartItemUpdateSerializer, responses={200: CartSerializer})
    def patch(self, request: Request, item_id: int) -> Response:
        serializer = CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_update(
            user=request.user, item_id=item_id, **serializer.validated_data
        )
        return cart_response(request.user)

    @extend_schema(responses={204: OpenApiResponse(description="Line removed.")})
    def delete(self, request: Request, item_id: int) -> Response:
        services.cart_item_remove(user=request.user, item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
