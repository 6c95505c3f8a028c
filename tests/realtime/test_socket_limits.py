"""Caps on open notification sockets, per user and per client address."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from tests.factories import UserFactory

from .conftest import close_code, communicator, open_socket, token_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLOSE_TOO_MANY = 4429


@database_sync_to_async
def make_user(**fields):
    return UserFactory(**fields)


async def pong(comm) -> None:
    await comm.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await comm.receive_from(timeout=5)) == {"type": "pong"}


async def refused_with(user, **options) -> int:
    comm = communicator(f"?token={token_for(user)}", **options)
    connected, _ = await comm.connect(timeout=5)
    assert connected  # accepted first, so a browser sees the code
    code = await close_code(comm)
    await comm.disconnect()
    return code


async def disconnect_all(*comms) -> None:
    for comm in comms:
        await comm.disconnect()


async def test_a_users_eleventh_socket_closes_their_oldest():
    user, other = await make_user(), await make_user()
    bystander = await open_socket(other)
    sockets = [await open_socket(user) for _ in range(10)]
    newest = await open_socket(user)
    assert await close_code(sockets[0]) == CLOSE_TOO_MANY
    await pong(newest)
    for comm in sockets[1:]:
        assert await comm.receive_nothing(timeout=0.05)
    await pong(bystander)
    await disconnect_all(bystander, newest, *sockets)


async def test_closed_sockets_stop_counting_against_the_user(settings):
    settings.WEBSOCKETS_PER_USER = 3
    user = await make_user()
    first, second, third = [await open_socket(user) for _ in range(3)]
    await disconnect_all(second, third)
    later = [await open_socket(user) for _ in range(2)]
    assert await first.receive_nothing(timeout=0.3)
    await pong(first)
    await disconnect_all(first, *later)


async def test_an_address_over_its_cap_is_refused_4429(settings):
    settings.WEBSOCKETS_PER_ADDRESS = 3
    here, there = ("203.0.113.7", 50001), ("203.0.113.8", 50001)
    users = [await make_user() for _ in range(5)]
    held = [await open_socket(u, client=here) for u in users[:3]]
    assert await refused_with(users[3], client=here) == CLOSE_TOO_MANY
    elsewhere = await open_socket(users[3], client=there)
    await held.pop().disconnect()
    held.append(await open_socket(users[4], client=here))
    for comm in held:
        await pong(comm)
    await disconnect_all(elsewhere, *held)


async def test_behind_a_configured_proxy_the_forwarded_address_counts(settings):
    settings.WEBSOCKETS_PER_ADDRESS = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = ("10.0.0.2", 40000)
    user = await make_user()

    def forwarded(chain: bytes) -> dict:
        return {"client": proxy, "headers": [(b"x-forwarded-for", chain)]}

    a = await open_socket(user, **forwarded(b"198.51.100.1"))
    # The first hops are the client's to write; only the proxy's own is trusted.
    b = await open_socket(user, **forwarded(b"198.51.100.1, 198.51.100.2"))
    assert (
        await refused_with(user, **forwarded(b"198.51.100.2, 198.51.100.1"))
        == CLOSE_TOO_MANY
    )
    await disconnect_all(a, b)


async def test_without_a_proxy_setting_forwarded_for_is_ignored(settings):
    settings.WEBSOCKETS_PER_ADDRESS = 1
    user = await make_user()
    client = ("203.0.113.9", 40000)
    a = await open_socket(
        user, client=client, headers=((b"x-forwarded-for", b"198.51.100.3"),)
    )
    spoofed = ((b"x-forwarded-for", b"198.51.100.4"),)
    assert await refused_with(user, client=client, headers=spoofed) == CLOSE_TOO_MANY
    await a.disconnect()


async def test_entries_of_a_dead_process_expire(settings):
    from realtime.limits import address_key, user_key

    settings.WEBSOCKETS_PER_ADDRESS = 1
    settings.WEBSOCKETS_PER_USER = 1
    user = await make_user()
    layer = get_channel_layer()
    # Sockets a crashed process never removed, opened two hours ago (scores are
    # connect times in microseconds).
    two_hours_ago = int((time.time() - 7200) * 1_000_000)
    for key in (address_key(layer, "203.0.113.10"), user_key(layer, user.pk)):
        conn = layer.connection(layer.consistent_hash(key))
        await conn.zadd(key, {"specific.dead!gone": two_hours_ago})
    comm = await open_socket(user, client=("203.0.113.10", 1))
    await pong(comm)
    await comm.disconnect()


async def test_caps_hold_on_the_in_memory_layer_too(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    settings.WEBSOCKETS_PER_USER = 2
    settings.WEBSOCKETS_PER_ADDRESS = 3
    here = ("203.0.113.11", 1)
    user, other = await make_user(), await make_user()
    first, second = await open_socket(user, client=here), await open_socket(user)
    third = await open_socket(user, client=here)
    assert await close_code(first) == CLOSE_TOO_MANY
    fourth = await open_socket(other, client=here)
    assert await refused_with(other, client=here) == CLOSE_TOO_MANY
    await disconnect_all(first, second, third, fourth)
