"""Rate limits that hold under concurrency.

DRF's `SimpleRateThrottle` reads a request history, decides, then writes it back, so
many concurrent requests all read the same history and all pass. These throttles count
with the cache's atomic increment (Redis INCR in production) in fixed windows: the
N+1th request inside a window is refused however many arrive at once.
"""

import hashlib
import time

from django.core.cache import cache
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
        self.wait_seconds = 0.0
        allowed = True
        for ident in self.get_idents(request, view):
            key = f"throttle:{self.scope}:{ident}:{window_index}"
            cache.add(key, 0, timeout=window + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window + 1)
                count = 1
            if count > limit:
                allowed = False
                self.wait_seconds = max(
                    self.wait_seconds, (window_index + 1) * window - now
                )
        return allowed

    def wait(self) -> float | None:
        return max(1.0, self.wait_seconds)


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
