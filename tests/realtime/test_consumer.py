"""The notifications websocket on the real Redis channel layer."""

import asyncio
import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.db import transaction

from realtime.consumers import NotificationConsumer
from realtime.models import NotificationKind
from realtime.services import notification_send, notification_send_staff
from tests.factories import UserFactory

from .conftest import close_code, communicator, open_socket, token_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def make_user(**fields):
    return UserFactory(**fields)


@database_sync_to_async
def send(user, kind=NotificationKind.ORDER_STATUS_CHANGED, title="Shipped"):
    with transaction.atomic():
        return notification_send(
            user=user, kind=kind, title=title, body="On its way.", data={"n": 1}
        )


@database_sync_to_async
def send_staff(title="New order"):
    with transaction.atomic():
        return notification_send_staff(
            kind=NotificationKind.NEW_ORDER, title=title, body="b", data={}
        )


@database_sync_to_async
def issue_ticket(user) -> str:
    from tests.conftest import client_for

    return client_for(user).post("/api/v1/notifications/ws-ticket/").json()["ticket"]


async def refused(query: str) -> int:
    comm = communicator(query)
    connected, _ = await comm.connect(timeout=5)
    assert connected  # accepted first, so the browser sees 4401, not a network error
    code = await close_code(comm)
    await comm.disconnect()
    return code


async def test_missing_token_is_closed_4401():
    assert await refused("") == 4401


async def test_bad_token_is_closed_4401():
    assert await refused("?token=not-a-jwt") == 4401
    assert await refused("?token=" + "x" * 10_000) == 4401


async def test_expired_token_is_closed_4401():
    user = await make_user()
    assert await refused(f"?token={token_for(user, seconds=-5)}") == 4401


async def test_inactive_user_is_closed_4401():
    user = await make_user(is_active=False)
    assert await refused(f"?token={token_for(user)}") == 4401


async def test_valid_token_receives_its_notification():
    user = await make_user()
    comm = await open_socket(user)
    sent = await send(user)
    message = json.loads(await comm.receive_from(timeout=5))
    assert message["type"] == "notification"
    assert message["notification"] == {
        "id": sent.id,
        "kind": "order_status_changed",
        "title": "Shipped",
        "body": "On its way.",
        "data": {"n": 1},
        "read": False,
        "created_at": message["notification"]["created_at"],
    }
    await comm.disconnect()


async def test_ticket_opens_one_socket_only():
    user = await make_user()
    ticket = await issue_ticket(user)
    comm = await open_socket(query=f"?ticket={ticket}")
    await send(user)
    assert json.loads(await comm.receive_from(timeout=5))["type"] == "notification"
    await comm.disconnect()
    assert await refused(f"?ticket={ticket}") == 4401
    assert await refused("?ticket=never-issued") == 4401


async def test_users_never_receive_each_others_notifications():
    alice, bob = await make_user(), await make_user()
    a, b = await open_socket(alice), await open_socket(bob)
    await send(bob, title="for bob")
    got = json.loads(await b.receive_from(timeout=5))
    assert got["notification"]["title"] == "for bob"
    assert await a.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()


async def test_staff_broadcast_reaches_each_staff_socket_with_its_own_row():
    s1, s2 = await make_user(is_staff=True), await make_user(is_staff=True)
    customer = await make_user()
    c1, c2, cc = (
        await open_socket(s1),
        await open_socket(s2),
        await open_socket(customer),
    )
    rows = {n.user_id: n.id for n in await send_staff()}
    m1 = json.loads(await c1.receive_from(timeout=5))["notification"]
    m2 = json.loads(await c2.receive_from(timeout=5))["notification"]
    assert (m1["id"], m2["id"]) == (rows[s1.id], rows[s2.id])
    assert m1["kind"] == "new_order"
    assert await cc.receive_nothing(timeout=0.5)
    for comm in (c1, c2, cc):
        await comm.disconnect()


@database_sync_to_async
def rest_row(user, notification_id: int) -> dict:
    from tests.conftest import client_for

    rows = client_for(user).get("/api/v1/notifications/").json()["results"]
    return next(row for row in rows if row["id"] == notification_id)


async def test_socket_and_rest_show_a_notification_alike():
    user, staff = await make_user(), await make_user(is_staff=True)
    comm, staff_comm = await open_socket(user), await open_socket(staff)
    sent = await send(user)
    staff_row = next(n for n in await send_staff() if n.user_id == staff.id)
    pushed = json.loads(await comm.receive_from(timeout=5))["notification"]
    staff_pushed = json.loads(await staff_comm.receive_from(timeout=5))["notification"]
    for socket_shows, rest_shows in [
        (pushed, await rest_row(user, sent.id)),
        (staff_pushed, await rest_row(staff, staff_row.id)),
    ]:
        # Same keys in the same order, same values and types, created_at included.
        assert json.dumps(socket_shows) == json.dumps(rest_shows)
        assert socket_shows["created_at"].endswith("Z")
    await comm.disconnect()
    await staff_comm.disconnect()


async def test_foreign_origin_is_refused():
    user = await make_user()
    comm = communicator(
        f"?token={token_for(user)}", origin=(b"origin", b"http://evil.example")
    )
    connected, _ = await comm.connect(timeout=5)
    assert not connected
    await comm.disconnect()


async def test_socket_without_origin_stays_open():
    # Apps and server clients send no Origin; only browsers do, and always.
    user = await make_user()
    comm = await open_socket(user, origin=None)
    await comm.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await comm.receive_from()) == {"type": "pong"}
    await comm.disconnect()


async def test_origin_of_an_allowed_host_opens_and_others_are_refused(settings):
    settings.ALLOWED_HOSTS = [".example.com", "localhost"]
    user = await make_user()
    for origin in [b"https://shop.example.com", b"http://localhost:8443"]:
        comm = await open_socket(user, origin=(b"origin", origin))
        await comm.disconnect()
    for origin in [
        b"http://evil.example",
        b"https://example.com.evil.example",
        b"null",
    ]:
        comm = communicator(f"?token={token_for(user)}", origin=(b"origin", origin))
        connected, _ = await comm.connect(timeout=5)
        assert not connected, origin
        await comm.disconnect()


async def test_oversized_client_frame_closes_4413_with_one_log_line(caplog):
    user = await make_user()
    comm = await open_socket(user)
    await comm.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await comm.receive_from()) == {"type": "pong"}
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await comm.send_to(text_data="x" * 5000)
        # 1009 is a code only the server itself may send: daphne refused it.
        assert await close_code(comm) == 4413
        await comm.disconnect()
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.name == "realtime.consumers"
    assert record.levelno == logging.WARNING
    assert "5000 bytes" in record.getMessage()
    assert "\n" not in record.getMessage()
    assert all(r.exc_info is None for r in caplog.records)


async def test_socket_closes_4401_when_its_token_expires():
    user = await make_user()
    comm = await open_socket(query=f"?token={token_for(user, seconds=2)}")
    assert await close_code(comm, timeout=6) == 4401
    await comm.disconnect()


async def test_idle_socket_outlives_the_layers_blocking_time_and_still_receives():
    # The layer blocks 5 s per receive (CHANNEL_LAYERS): idle twice that, then notify.
    user = await make_user()
    comm = await open_socket(user)
    assert await comm.receive_nothing(timeout=11)
    sent = await send(user)
    message = json.loads(await comm.receive_from(timeout=5))
    assert message["notification"]["id"] == sent.id
    await comm.disconnect()


async def test_disconnect_tolerates_a_failing_group_discard():
    # A real layer on a port where no Redis listens: every call fails.
    consumer = NotificationConsumer()
    consumer.channel_layer = RedisChannelLayer(
        hosts=[{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]
    )
    consumer.channel_name = "specific.dead"
    consumer.expiry = None
    consumer.joined = ["user.1", "staff"]
    await asyncio.wait_for(consumer.disconnect(1006), timeout=10)
    assert consumer.joined == []
