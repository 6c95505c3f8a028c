"""The notifications websocket: sockets join their user's group, staff also staff."""

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .auth import SocketIdentity, identify
from .groups import STAFF_GROUP, user_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_BIG = 1009
# Clients only ever send pings; anything larger is abuse or a bug.
MAX_CLIENT_MESSAGE_BYTES = 4096


class NotificationConsumer(AsyncWebsocketConsumer):
    """Pushes `{"type": "notification", "notification": {...}}` for each new one."""

    identity: SocketIdentity | None = None
    joined: list[str]
    expiry: asyncio.TimerHandle | None = None

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
        groups = [user_group(self.identity.user_id)]
        if self.identity.is_staff:
            groups.append(STAFF_GROUP)
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()
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

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if bytes_data is not None:
            size = len(bytes_data)
        else:
            size = len((text_data or "").encode("utf-8"))
        if size > MAX_CLIENT_MESSAGE_BYTES:
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
