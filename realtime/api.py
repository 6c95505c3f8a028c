"""Notification endpoints: the user's list, mark read, read all, websocket ticket."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import PageNumberPagination

from . import selectors, services
from .auth import ticket_issue
from .serializers import (
    NotificationListQuerySerializer,
    NotificationSerializer,
    ReadAllSerializer,
    TicketSerializer,
)


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, required=False)],
        responses={200: NotificationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.notification_list(
            user=request.user, unread=query.validated_data["unread"]
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            NotificationSerializer(page, many=True).data
        )


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, notification_id: int) -> Response:
        notification = selectors.notification_get(
            user=request.user, notification_id=notification_id
        )
        if notification is None:
            raise NotFound()
        notification = services.notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ReadAllSerializer})
    def post(self, request: Request) -> Response:
        updated = services.notification_mark_all_read(user=request.user)
        return Response({"updated": updated})


class WebsocketTicketView(APIView):
    """A single-use ticket for /ws/notifications/?ticket=, valid a few seconds.

    For clients that would rather not put the access token in a URL (proxy logs).
    """

    permission_classes = [IsAuthenticated]
    # Stricter than `user`: a ticket per websocket connect is all a client needs.
    throttle_scope = "ws_ticket"

    @extend_schema(request=None, responses={201: TicketSerializer})
    def post(self, request: Request) -> Response:
        token_exp = request.auth.get("exp") if request.auth is not None else None
        ticket, expires_in = ticket_issue(user=request.user, token_exp=token_exp)
        return Response(
            {"ticket": ticket, "expires_in": expires_in},
            status=status.HTTP_201_CREATED,
        )
