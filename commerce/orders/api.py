"""Order endpoints: checkout, history, cancellation and status changes."""

import hashlib
import json

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.permissions import IsAdminRole

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
    return OrderSerializer(order).data


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

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Repeat a checkout safely for 24 hours.",
            )
        ],
        responses={201: OrderSerializer, 200: OrderSerializer},
    )
    def post(self, request: Request) -> Response:
        key = validate_idempotency_key(request.headers.get("Idempotency-Key"))
        if key is None:
            order = checkout.order_place(user=request.user)
            return Response(self.body_for(order), status=status.HTTP_201_CREATED)
        placed = checkout.order_place_idempotent(
            user=request.user, key=key, request_hash=request_fingerprint(request)
        )
        if placed.replayed:
            # The first request commits its order before it records its response;
            # a repeat arriving in between gets that order as it is now.
            body = placed.first_response
            if body is None:
                body = self.body_for(placed.order)
            return Response(body, status=status.HTTP_200_OK)
        body = self.body_for(placed.order)
        checkout.idempotency_key_record_response(
            user=request.user,
            key=key,
            order_id=placed.order.pk,
            status=status.HTTP_201_CREATED,
            body=body,
        )
        return Response(body, status=status.HTTP_201_CREATED)

    def body_for(self, order: Order) -> dict:
        return render_order(
            order_get_visible(user=self.request.user, order_id=order.pk)
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

    @extend_schema(responses={200: OrderSerializer})
    def get(self, request: Request, order_id: int) -> Response:
        order = order_get_visible(user=request.user, order_id=order_id)
        return Response(render_order(order))


class OrderCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OrderSerializer})
    def post(self, request: Request, order_id: int) -> Response:
        order_get_visible(user=request.user, order_id=order_id)  # 404 if not theirs
        order = services.order_cancel(order_id=order_id, actor=request.user)
        return Response(render_order(order))


class OrderStatusView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(request=OrderStatusSerializer, responses={200: OrderSerializer})
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
