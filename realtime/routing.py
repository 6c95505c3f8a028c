"""Websocket routes served by daphne through Channels."""

websocket_urlpatterns: list = []
