"""Cart endpoints: thin views over the cart services and selectors."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.schema import api_operation

from . import services
from .selectors import cart_get_for_display
from .serializers import (
    CartItemAddSerializer,
    CartItemUpdateSerializer,
    CartSerializer,
)


def cart_response(request: Request, status_code: int = status.HTTP_200_OK) -> Response:
    cart = cart_get_for_display(user=request.user)
    return Response(
        CartSerializer(cart, context={"request": request}).data, status=status_code
    )


class CartView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "delete", "head", "options"]

    @api_operation(
        summary="Get the cart",
        description="The signed-in shopper's one cart, kept on the server across "
        "devices: lines with their product, quantity, current unit price and line "
        "total, `item_count` (units) and `subtotal`. A shopper who never added "
        "anything gets an empty cart.",
        responses={200: CartSerializer},
        errors=[401, 429],
    )
    def get(self, request: Request) -> Response:
        services.cart_get_or_create(user=request.user)
        return cart_response(request)

    @api_operation(
        summary="Empty the cart",
        description="Removes every line; the cart itself stays.",
        responses={204: OpenApiResponse(description="Cart emptied.")},
        errors=[401, 429],
    )
    def delete(self, request: Request) -> Response:
        services.cart_clear(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemsView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "options"]

    @api_operation(
        summary="Add a product to the cart",
        description="Adds `quantity` (1 unless given) units of a product. A product "
        "already in the cart gets its line's quantity raised, up to 1,000 units a "
        "line. Stock is checked now but not held: checkout checks it again. "
        "Answers the whole cart.",
        request=CartItemAddSerializer,
        responses={201: CartSerializer},
        errors=[400, 401, 409, 413, 429],
        bad_request=["QuantityTooLarge"],
        conflicts=["InsufficientStock", "ProductUnavailable"],
        notes={
            400: "A field map: no product has this `product_id`, or `quantity` is "
            "out of 1-1,000; or `quantity_too_large` when the line would pass "
            "1,000 units.",
            409: "`insufficient_stock`: the line would hold more than is in stock "
            "(`available`); `product_unavailable`: the product was withdrawn from "
            "sale. The cart is unchanged.",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = CartItemAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_add(user=request.user, **serializer.validated_data)
        return cart_response(request, status.HTTP_201_CREATED)


class CartItemView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["patch", "delete", "options"]
    partial_patch = False  # PATCH sets the quantity, which it needs (schema.py)

    @api_operation(
        summary="Set a cart line's quantity",
        description="Replaces the line's quantity (1-1,000) after checking stock; "
        "to remove a line, delete it. Answers the whole cart.",
        request=CartItemUpdateSerializer,
        responses={200: CartSerializer},
        errors=[400, 401, 404, 409, 413, 429],
        conflicts=["InsufficientStock", "ProductUnavailable"],
        notes={
            400: "A field map: `quantity` missing or out of 1-1,000.",
            404: "No line with this id in the shopper's cart (`not_found`).",
            409: "`insufficient_stock`: more than is in stock (`available`); "
            "`product_unavailable`: the product was withdrawn from sale. The line "
            "is unchanged.",
        },
    )
    def patch(self, request: Request, item_id: int) -> Response:
        serializer = CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_update(
            user=request.user, item_id=item_id, **serializer.validated_data
        )
        return cart_response(request)

    @api_operation(
        summary="Remove a cart line",
        description="Deletes one line of the shopper's cart.",
        responses={204: OpenApiResponse(description="Line removed.")},
        errors=[401, 404, 429],
        notes={404: "No line with this id in the shopper's cart (`not_found`)."},
    )
    def delete(self, request: Request, item_id: int) -> Response:
        services.cart_item_remove(user=request.user, item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
