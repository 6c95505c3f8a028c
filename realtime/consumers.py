"""The notifications websocket: sockets join their user's group, staff also staff."""

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .auth import SocketIdentity, identify
from .groups import STAFF_GROUP, user_group
from .limits import (
    LocalSockets,
    RedisSockets,
    client_address,
    per_address,
    per_user,
    sockets_for,
)

logger = logging.getLogger(__name__)

# Application codes must be 1000 or 3000-4999: daphne (autobahn) refuses 1008/1009,
# closing with 1011 and a traceback instead. 44xx mirror the HTTP statuses.
CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_BIG = 4413
CLOSE_TOO_MANY = 4429
# Clients only ever send pings; anything larger is abuse or a bug.
MAX_CLIENT_MESSAGE_BYTES = 4096


class NotificationConsumer(AsyncWebsocketConsumer):
    """Pushes `{"type": "notification", "notification": {...}}` for each new one."""

    identity: SocketIdentity | None = None
    joined: list[str]
    expiry: asyncio.TimerHandle | None = None
    sockets: RedisSockets | LocalSockets | None = None
    address: str | None = None
    # Whether this socket is in the user's and address's counts, to leave on close.
    counted = False

    async def connect(self) -> None:
        self.joined = []
        self.identity = await database_sync_to_async(identify)(
            self.scope.get("query_string", b"")
        )
        if self.identity is None:
            # Accept first so the browser sees 4401 (auth) rather than 1006 (network).
            await self.accept()
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        if not await self._admit_address():
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY)
            return
        groups = [user_group(self.identity.user_id)]
        if self.identity.is_staff:
            groups.append(STAFF_GROUP)
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()
        await self._close_oldest_over_cap()
        delay = max(self.identity.expires_at - time.time(), 0)
        self.expiry = asyncio.get_running_loop().call_later(
            delay, lambda: asyncio.ensure_future(self.close(code=CLOSE_UNAUTHORIZED))
        )

    async def disconnect(self, code: int) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        for group in self.joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:  # noqa: BLE001
                # Redis busy or gone during a mass disconnect: the membership expires
                # with the layer's group_expiry; sends to a dead channel are dropped.
                logger.warning("group_discard %s failed: %r", group, exc)
        self.joined = []
        if self.counted:
            self.counted = False
            try:
                await self.sockets.remove(
                    self.identity.user_id, self.address, self.channel_name
                )
            except Exception as exc:  # noqa: BLE001
                # The entry stops counting once older than a token's lifetime.
                logger.warning("socket count cleanup failed: %r", exc)

    async def _admit_address(self) -> bool:
        """Count this socket; False when its address already holds its cap."""
        self.sockets = sockets_for(self.channel_layer)
        self.address = client_address(self.scope)
        cap = per_address()
        # No address (a unix socket, a test) or no cap: nothing to count against.
        limited = bool(cap) and self.address is not None
        if limited and not await self.sockets.admit_address(
            self.address, self.channel_name, cap
        ):
            logger.warning(
                "websocket refused: %s already holds %d sockets", self.address, cap
            )
            return False
        self.counted = True
        return True

    async def _close_oldest_over_cap(self) -> None:
        # The newest socket is the tab the user is looking at: it stays.
        cap = per_user()
        if not cap:
            return
        user_id = self.identity.user_id
        for channel in await self.sockets.add_user(user_id, self.channel_name, cap):
            logger.info(
                "user %s is over %d websockets: closing its oldest", user_id, cap
            )
            try:
                await self.channel_layer.send(channel, {"type": "socket.evict"})
            except Exception as exc:  # noqa: BLE001
                # Its inbox is full or gone: it is dead or stuck, and out of the count.
                logger.warning("socket.evict to %s failed: %r", channel, exc)

    async def socket_evict(self, event: dict) -> None:
        await self.close(code=CLOSE_TOO_MANY)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if bytes_data is not None:
            size = len(bytes_data)
        else:
            size = len((text_data or "").encode("utf-8"))
        if size > MAX_CLIENT_MESSAGE_BYTES:
            logger.warning(
                "websocket message of %d bytes is over the %d-byte limit (user %s): "
                "closing %d",
                size,
                MAX_CLIENT_MESSAGE_BYTES,
                self.identity.user_id if self.identity else None,
                CLOSE_TOO_BIG,
            )
            await self.close(code=CLOSE_TOO_BIG)
            return
        if self.identity is None:
            return
        try:
            message = json.loads(text_data) if text_data else None
        except ValueError:
            message = None
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(text_data='{"type": "pong"}')

    async def notify(self, event: dict) -> None:
        await self._send_notification(event["notification"])

    async def notify_staff(self, event: dict) -> None:
        # One group message carries every staff member's row id; keep ours.
        mine = event["ids"].get(str(self.identity.user_id))
        if mine is not None:
            await self._send_notification({"id": mine, **event["notification"]})

    async def _send_notification(self, notification: dict) -> None:
        await self.send(
            text_data=json.dumps({"type": "notification", "notification": notification})
        )
