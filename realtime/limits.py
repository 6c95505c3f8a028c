"""Caps on open websockets per user and per client address, shared by every daphne."""

import time
import weakref
from collections import defaultdict

from channels_redis.core import RedisChannelLayer
from django.conf import settings
from rest_framework.settings import api_settings as drf_settings
from rest_framework_simplejwt.settings import api_settings as jwt_settings

# A socket closes when its access token expires, so an entry older than a token's
# lifetime (plus slack for timers) is one a crashed process never removed.
SLACK_SECONDS = 60

# Each set maps channel name → connect time in µs, on Redis's clock (TIME), so
# daphnes on hosts whose clocks differ still agree on which socket is the oldest.
_PRUNE = """
local now = redis.call('TIME')
local max_age = tonumber(ARGV[3])
local horizon = (tonumber(now[1]) - max_age) .. '000000'
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. horizon)
local score = now[1] .. string.format('%06d', tonumber(now[2]))
"""
# KEYS[1] an address's set; ARGV channel, cap, max age. 1 if admitted (and added).
ADMIT_SCRIPT = (
    _PRUNE
    + """
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], score, ARGV[1])
redis.call('EXPIRE', KEYS[1], max_age)
return 1
"""
)
# KEYS[1] a user's set; ARGV channel, cap, max age. Adds the channel and removes
# and returns the oldest others over the cap: never the one just added.
ADD_SCRIPT = (
    _PRUNE
    + """
redis.call('ZADD', KEYS[1], score, ARGV[1])
redis.call('EXPIRE', KEYS[1], max_age)
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
local evicted = {}
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, over)) do
    if member ~= ARGV[1] and #evicted < over then evicted[#evicted + 1] = member end
  end
  redis.call('ZREM', KEYS[1], unpack(evicted))
end
return evicted
"""
)


def per_user() -> int:
    return settings.WEBSOCKETS_PER_USER


def per_address() -> int:
    return settings.WEBSOCKETS_PER_ADDRESS


def max_age_seconds() -> int:
    return int(jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()) + SLACK_SECONDS


def client_address(scope: dict) -> str | None:
    """The peer's address; behind `NUM_PROXIES` proxies, the hop the nearest one saw.

    As DRF counts it for throttles: daphne runs without --proxy-headers (which would
    trust the client-written first hop), so scope["client"] is the proxy's address.
    """
    num_proxies = drf_settings.NUM_PROXIES
    if num_proxies:
        values = [v for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
        chain = b",".join(values).decode("latin-1")
        hops = [hop.strip() for hop in chain.split(",") if hop.strip()]
        if hops:
            return hops[-min(num_proxies, len(hops))]
    client = scope.get("client")
    return str(client[0]) if client else None


def user_key(layer, user_id: int) -> str:
    return f"{layer.prefix}:sockets:user:{user_id}"


def address_key(layer, address: str) -> str:
    return f"{layer.prefix}:sockets:address:{address}"


class RedisSockets:
    """The open sockets in the channel layer's Redis, seen alike by every process."""

    def __init__(self, layer: RedisChannelLayer):
        self.layer = layer

    def _redis(self, key: str):
        # The layer's own pools, one per event loop, closed with the loop.
        return self.layer.connection(self.layer.consistent_hash(key))

    async def admit_address(self, address: str, channel: str, cap: int) -> bool:
        key = address_key(self.layer, address)
        admitted = await self._redis(key).eval(
            ADMIT_SCRIPT, 1, key, channel, cap, max_age_seconds()
        )
        return bool(admitted)

    async def add_user(self, user_id: int, channel: str, cap: int) -> list[str]:
        key = user_key(self.layer, user_id)
        evicted = await self._redis(key).eval(
            ADD_SCRIPT, 1, key, channel, cap, max_age_seconds()
        )
        return [c.decode() if isinstance(c, bytes) else c for c in evicted]

    async def remove(self, user_id: int, address: str | None, channel: str) -> None:
        keys = [user_key(self.layer, user_id)]
        if address is not None:
            keys.append(address_key(self.layer, address))
        for key in keys:
            await self._redis(key).zrem(key, channel)


# The in-memory layer serves one process (a laptop): its counts live beside it.
_local_sets: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


class LocalSockets:
    """The same rules in this process's memory, for the in-memory channel layer."""

    def __init__(self, layer):
        self.sets: dict[str, dict[str, float]] = _local_sets.setdefault(
            layer, defaultdict(dict)
        )

    def _pruned(self, key: str) -> dict[str, float]:
        horizon = time.monotonic() - max_age_seconds()
        entries = self.sets[key]
        for channel in [c for c, t in entries.items() if t < horizon]:
            del entries[channel]
        return entries

    async def admit_address(self, address: str, channel: str, cap: int) -> bool:
        entries = self._pruned(f"address:{address}")
        if len(entries) >= cap:
            return False
        entries[channel] = time.monotonic()
        return True

    async def add_user(self, user_id: int, channel: str, cap: int) -> list[str]:
        entries = self._pruned(f"user:{user_id}")
        entries[channel] = time.monotonic()
        others = sorted((t, c) for c, t in entries.items() if c != channel)
        evicted = [c for _, c in others[: max(len(entries) - cap, 0)]]
        for c in evicted:
            del entries[c]
        return evicted

    async def remove(self, user_id: int, address: str | None, channel: str) -> None:
        keys = [f"user:{user_id}"] + ([f"address:{address}"] if address else [])
        for key in keys:
            entries = self.sets.get(key, {})
            entries.pop(channel, None)
            if not entries:
                self.sets.pop(key, None)


def sockets_for(layer) -> RedisSockets | LocalSockets:
    if isinstance(layer, RedisChannelLayer):
        return RedisSockets(layer)
    return LocalSockets(layer)
