"""Notification endpoints: the user's list, mark read, read all, websocket ticket."""

from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import PageNumberPagination
from nexus.api.schema import api_operation

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
    pagination_class = PageNumberPagination

    @api_operation(
        summary="List notifications",
        description="The signed-in user's notifications, newest first; "
        "`unread=true` keeps the unread ones. Kinds: `order_placed`, "
        "`order_status_changed`, `payment_succeeded`, `payment_failed`, "
        "`back_in_stock`, `review_moderated`, and for staff `new_order` and "
        "`low_stock`. Each is also pushed live over the websocket "
        "`/ws/notifications/` as it happens. Paginated.",
        parameters=[NotificationListQuerySerializer],
        responses={200: NotificationSerializer(many=True)},
        errors=[400, 401, 404, 429],
        notes={
            400: "A field map: `unread` that is not a boolean, or a `page_size` "
            "below 1.",
            404: "No such page (`not_found`).",
        },
    )
    def get(self, request: Request) -> Response:
        query = NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.notification_list(
            user=request.user, unread=query.validated_data["unread"]
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            NotificationSerializer(page, many=True).data
        )


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Mark a notification read",
        description="Marks one of the signed-in user's notifications read (again "
        "is fine) and answers it. No body.",
        request=None,
        responses={200: NotificationSerializer},
        errors=[401, 404, 429],
        notes={404: "No notification with this id for this user (`not_found`)."},
    )
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

    @api_operation(
        summary="Mark every notification read",
        description="Marks all of the signed-in user's unread notifications read "
        "and answers how many changed, `{updated: N}`. No body.",
        request=None,
        responses={200: ReadAllSerializer},
        errors=[401, 429],
    )
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

    @api_operation(
        summary="Get a websocket ticket",
        description="A single-use ticket to open `/ws/notifications/?ticket=...` "
        "within `expires_in` seconds, for clients that would rather not put the "
        "access token in a URL (proxy logs keep URLs). The socket closes when the "
        "access token that asked for it expires. No body.",
        request=None,
        responses={201: TicketSerializer},
        errors=[401, 429],
    )
    def post(self, request: Request) -> Response:
        token_exp = request.auth.get("exp") if request.auth is not None else None
        ticket, expires_in = ticket_issue(user=request.user, token_exp=token_exp)
        return Response(
            {"ticket": ticket, "expires_in": expires_in},
            status=status.HTTP_201_CREATED,
        )
