"""Realtime fixtures: a private channel-layer namespace on the real Redis, sockets."""

import copy
import uuid

import pytest
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from nexus.asgi import application

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def private_channel_layer(settings):
    """A channel-layer prefix unique to this test, so parallel runs never cross."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    assert layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    layers["default"]["CONFIG"]["prefix"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = layers
    yield layers


def token_for(user, **lifetime) -> str:
    token = AccessToken.for_user(user)
    if lifetime:
        from datetime import timedelta

        token.set_exp(lifetime=timedelta(**lifetime))
    return str(token)


def communicator(
    query: str = "",
    origin: tuple | None = ORIGIN,
    *,
    client: tuple[str, int] | None = None,
    headers: tuple = (),
):
    """A socket on the app; `client` is the peer address daphne would put in scope."""
    comm = WebsocketCommunicator(
        application,
        f"/ws/notifications/{query}",
        headers=([origin] if origin else []) + list(headers),
    )
    if client is not None:
        comm.scope["client"] = list(client)
    return comm


async def open_socket(user=None, *, query: str | None = None, **options):
    """A connected socket for `user` (by access token), asserting it stays open."""
    comm = communicator(
        query if query is not None else f"?token={token_for(user)}", **options
    )
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert await comm.receive_nothing(timeout=0.2)
    return comm


async def close_code(comm, timeout: float = 5) -> int:
    """The code the server closed with (after an accept)."""
    message = await comm.receive_output(timeout)
    assert message["type"] == "websocket.close", message
    return message["code"]
