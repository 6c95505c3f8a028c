"""Wishlist endpoints: the signed-in customer's own list, never anyone else's."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.catalog.serializers import product_payloads
from nexus.api.parsers import JSONParser
from nexus.api.schema import api_operation

from . import selectors, services
from .serializers import WishlistAddSerializer, WishlistSerializer


def render_wishlist(request: Request) -> dict:
    entries = selectors.wishlist_of(user=request.user)
    payloads = product_payloads([card for _, card in entries], request=request)
    items = []
    for (item, _), payload in zip(entries, payloads, strict=True):
        product = {
            key: payload[key]
            for key in ("id", "sku", "title", "slug", "price", "currency", "stock")
        }
        product["in_stock"] = payload["in_stock"]
        product["image"] = payload["images"][0]["url"] if payload["images"] else None
        items.append({"product": product, "added_at": item.added_at})
    return WishlistSerializer({"items": items}).data


class WishlistView(APIView):
    permission_classes = [IsAuthenticated]
    # JSON only, as the contract says: a form body has no business here.
    parser_classes = [JSONParser]

    @api_operation(
        summary="Your wishlist",
        description="The signed-in customer's wished-for products, most recently "
        "added first, each with its price and whether it is in stock. A product "
        "withdrawn from sale is left out while it is withdrawn and shows again "
        "when it returns. When a product here comes back in stock you get one "
        "`back_in_stock` notification (live and by email).",
        responses={200: WishlistSerializer},
        errors=[401, 429],
    )
    def get(self, request: Request) -> Response:
        return Response(render_wishlist(request))

    @api_operation(
        summary="Add a product to your wishlist",
        description="Adds a product on sale: 201 with the wishlist; adding one "
        "already there answers 200 and changes nothing.",
        request=WishlistAddSerializer,
        responses={
            201: WishlistSerializer,
            200: OpenApiResponse(
                WishlistSerializer, description="Already on your wishlist."
            ),
        },
        errors=[400, 401, 409, 413, 429],
        conflicts=["ProductUnavailable", "WishlistFull"],
        notes={
            400: "A field map: a missing, malformed or unknown `product_id`.",
            409: "`product_unavailable`: the product is not on sale; "
            "`wishlist_full`: remove a product first.",
        },
    )
    def post(self, request: Request) -> Response:
        serializer = WishlistAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, created = services.wishlist_add(
            user=request.user, product_id=serializer.validated_data["product_id"]
        )
        return Response(
            render_wishlist(request),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class WishlistItemView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Remove a product from your wishlist",
        description="Removes the product from the signed-in customer's wishlist.",
        responses={204: None},
        errors=[401, 404, 429],
        notes={404: "This product is not on your wishlist (`not_found`)."},
    )
    def delete(self, request: Request, product_id: int) -> Response:
        services.wishlist_remove(user=request.user, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
