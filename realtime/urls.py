"""/api/v1/ routes of notifications."""

from django.urls import path

from . import api

urlpatterns: list = [
    path(
        "notifications/",
        api.NotificationListView.as_view(),
        name="notification-list",
    ),
    path(
        "notifications/read-all/",
        api.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/ws-ticket/",
        api.WebsocketTicketView.as_view(),
        name="notification-ws-ticket",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        api.NotificationReadView.as_view(),
        name="notification-read",
    ),
]
