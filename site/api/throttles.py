"""Rate limits that hold under concurrency.

DRF's `SimpleRateThrottle` reads a request history, decides, then writes it back, so
many concurrent requests all read the same history and all pass. These throttles count
with the cache's atomic increment (Redis INCR in production) in fixed windows: the
N+1th request inside a window is refused however many arrive at once.
"""

import hashlib
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

DURATIONS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/min' -> (10, 60); '5/10s' is not supported, keep rates simple."""
    count, _, period = rate.partition("/")
    period = period.strip().lower()
    if period not in DURATIONS:
        period = period[0]
    return int(count), DURATIONS[period]


class AtomicRateThrottle(BaseThrottle):
    """Fixed-window counter keyed by `scope` and whatever `get_idents` returns."""

    scope: str = ""

    def get_idents(self, request: Request, view) -> list[str]:
        raise NotImplementedError

    def allow_request(self, request: Request, view) -> bool:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if rate is None:  # THROTTLE_RATES=off, or scope not configured
            return True
        limit, window = parse_rate(rate)
        now = time.time()
        window_index = int(now // window)
        keys = [
            f"throttle:{self.scope}:{ident}:{window_index}"
            for ident in self.get_idents(request, view)
        ]
        counts = increment_together(keys, timeout=window + 1)
        self.wait_seconds = (window_index + 1) * window - now
        return all(count <= limit for count in counts)

    def wait(self) -> float | None:
        return max(1.0, self.wait_seconds)


_local_lock = threading.Lock()


def increment_together(keys: list[str], *, timeout: int) -> list[int]:
    """Add one to every counter in a single atomic step and return the new counts.

    Each request bumps several counters (address, account). Bumped one by one, two
    concurrent requests can interleave so that each sees the other's increment on a
    different counter and both are refused below the limit; in one MULTI/EXEC every
    request gets one consistent place in line.
    """
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Django's cache API has no multi-key increment; use its Redis client.
        client = cache._cache.get_client(write=True)
        pipe = client.pipeline(transaction=True)
        for key in keys:
            full_key = cache.make_and_validate_key(key)
            pipe.incr(full_key)
            pipe.expire(full_key, timeout, nx=True)
        return pipe.execute()[::2]
    with _local_lock:  # local-memory cache on the embedded default: one process
        counts = []
        for key in keys:
            cache.add(key, 0, timeout=timeout)
            counts.append(cache.incr(key))
        return counts


class ClientAddressThrottle(AtomicRateThrottle):
    def get_idents(self, request: Request, view) -> list[str]:
        return [f"ip:{self.get_ident(request)}"]


class ClientAndAccountThrottle(AtomicRateThrottle):
    """Counts per client address and, separately, per account named in the body.

    An attacker spreading guesses for one account over many addresses is stopped by
    the account counter; one address trying many accounts by the address counter.
    """

    account_field = "email"

    def get_idents(self, request: Request, view) -> list[str]:
        idents = [f"ip:{self.get_ident(request)}"]
        data = request.data if isinstance(request.data, dict) else {}
        account = data.get(self.account_field)
        if isinstance(account, str) and account.strip():
            digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()
            idents.append(f"account:{digest[:32]}")
        return idents


class LoginThrottle(ClientAndAccountThrottle):
    scope = "login"


class RegisterThrottle(ClientAndAccountThrottle):
    scope = "register"
