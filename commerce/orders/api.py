"""Order endpoints: checkout, history, cancellation and status changes."""

import functools
import hashlib
import json

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.permissions import IsAdminRole
from nexus.api.schema import api_operation

from . import checkout, services
from .models import Order
from .selectors import order_get_visible, orders_visible_to
from .serializers import (
    OrderListQuerySerializer,
    OrderSerializer,
    OrderStatusSerializer,
    validate_idempotency_key,
)


def render_order(order) -> dict:
    """The order's JSON body (its lines attached or prefetched: no query)."""
    return _order_serializer().to_representation(order)


@functools.cache
def _order_serializer() -> OrderSerializer:
    # Each serializer instance deep-copies its fields, the nested lines' too: one
    # instance, only ever read from, renders every order.
    return OrderSerializer()


def request_fingerprint(request: Request) -> str:
    """sha256 of method, path and the body in canonical JSON form."""
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict from a form body
        data = dict(data.lists())
    body = json.dumps(data or {}, sort_keys=True, separators=(",", ":"), default=str)
    raw = f"{request.method}\n{request.path}\n{body}".encode()
    return hashlib.sha256(raw).hexdigest()


class CheckoutView(APIView):
    """POST: place an order from the caller's cart (the work is in checkout.py)."""

    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Check out the cart",
        description="Places an order for everything in the signed-in user's cart, "
        "in one transaction: prices are copied into the order, stock is taken and "
        "the cart is emptied; the order starts `pending`. If any line cannot be "
        "served, nothing changes. With an `Idempotency-Key` header a retry is "
        "safe: the same key with the same request within 24 hours answers the "
        "first order (200) and never places a second. No body.",
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                {"type": "string", "minLength": 1, "maxLength": 255},
                OpenApiParameter.HEADER,
                description="Any unique printable string of yours, e.g. a UUID; "
                "kept 24 hours.",
            )
        ],
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(
                OrderSerializer,
                description="A repeat of an earlier checkout with this "
                "Idempotency-Key: its order, as first answered.",
            ),
        },
        errors=[400, 401, 409, 429],
        bad_request=["CartEmpty"],
        conflicts=["InsufficientStock", "ProductUnavailable", "IdempotencyConflict"],
        notes={
            400: "`cart_empty`: nothing to check out; or a field map refusing an "
            "empty, overlong or non-printable `Idempotency-Key`.",
            409: "`insufficient_stock` (with `product_id` and `available`) or "
            "`product_unavailable` for a line that cannot be served; "
            "`idempotency_conflict` when the key was used with another request or "
            "its first request is still running. Nothing was changed.",
        },
    )
    def post(self, request: Request) -> Response:
        key = validate_idempotency_key(request.headers.get("Idempotency-Key"))
        if key is None:
            # The new order comes back with its lines: rendering it costs no query.
            order = checkout.order_place(user=request.user)
            return Response(render_order(order), status=status.HTTP_201_CREATED)
        placed = checkout.order_place_idempotent(
            user=request.user,
            key=key,
            request_hash=request_fingerprint(request),
            render=render_order,
        )
        if not placed.replayed:
            return Response(placed.first_response, status=status.HTTP_201_CREATED)
        body = placed.first_response
        if body is None:  # a key stored without its response: the order as it is
            body = render_order(
                order_get_visible(user=request.user, order_id=placed.order.pk)
            )
        return Response(body, status=status.HTTP_200_OK)


@extend_schema_view(
    get=api_operation(
        summary="List orders",
        description="The signed-in user's orders, newest first; shop "
        "administrators see every customer's. Filter by `status`. Paginated.",
        parameters=[OrderListQuerySerializer],
        responses={200: OrderSerializer(many=True)},
        errors=[400, 401, 404, 429],
        notes={
            400: "A field map: an unknown `status`, or a `page_size` below 1.",
            404: "No such page (`not_found`).",
        },
    )
)
class OrderListView(generics.ListAPIView):
    """GET: the caller's orders, newest first (every order for staff)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Order.objects.none()
        query = OrderListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return orders_visible_to(
            user=self.request.user, status=query.validated_data.get("status")
        )


# Django routes a path to one view, so /orders/ joins the list and checkout views.
class OrdersView(OrderListView, CheckoutView):
    """GET: the caller's orders (all orders for staff). POST: check out the cart."""


class OrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Get an order",
        description="One order with its lines, totals and status. Its owner and "
        "shop administrators may read it; to anyone else it does not exist (404).",
        responses={200: OrderSerializer},
        errors=[401, 404, 429],
        notes={404: "No order with this id that the caller may see (`not_found`)."},
    )
    def get(self, request: Request, order_id: int) -> Response:
        order = order_get_visible(user=request.user, order_id=order_id)
        return Response(render_order(order))


class OrderCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Cancel an order",
        description="Its owner or a shop administrator cancels a `pending` or "
        "`paid` order; its units go back to stock, once. No body.",
        request=None,
        responses={200: OrderSerializer},
        errors=[401, 404, 409, 429],
        conflicts=["InvalidTransition"],
        notes={
            404: "No order with this id that the caller may see (`not_found`).",
            409: "The order is past cancelling (shipped, delivered, refunded or "
            "already cancelled).",
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        order_get_visible(user=request.user, order_id=order_id)  # 404 if not theirs
        order = services.order_cancel(order_id=order_id, actor=request.user)
        return Response(render_order(order))


class OrderStatusView(APIView):
    permission_classes = [IsAdminRole]

    @api_operation(
        summary="Move an order to another status (staff)",
        description="Shop administrators only. Statuses run `pending` -> `paid` -> "
        "`shipped` -> `delivered`; `pending` or `paid` -> `cancelled` (stock "
        "restored); `paid`, `shipped` or `delivered` -> `refunded`. An optional "
        "`note` is kept in the order's history. The customer is notified.",
        request=OrderStatusSerializer,
        responses={200: OrderSerializer},
        errors=[400, 401, 403, 404, 409, 413, 429],
        conflicts=["InvalidTransition"],
        notes={
            400: "A field map: an unknown `status` or a `note` over 255 characters.",
            403: "Signed in, but not a shop administrator (`permission_denied`).",
            404: "No order with this id (`not_found`).",
            409: "The order cannot move from its status to the one asked for.",
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        serializer = OrderStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_transition(
            order_id=order_id,
            to_status=serializer.validated_data["status"],
            actor=request.user,
            note=serializer.validated_data["note"],
        )
        return Response(render_order(order))
