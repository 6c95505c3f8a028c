"""Websocket routes served by daphne through Channels."""

from django.urls import path

from .consumers import NotificationConsumer

websocket_urlpatterns: list = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
