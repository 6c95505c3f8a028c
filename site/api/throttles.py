"""Rate limits that hold under concurrency.

DRF's `SimpleRateThrottle` reads a request history, decides, then writes it back, so
many concurrent requests all read the same history and all pass. These throttles count
with the cache's atomic increment (Redis INCR in production) in fixed windows: the
N+1th request inside a window is refused however many arrive at once.

`RequestRateThrottle` is every view's default (`anon`, `user` and a view's own
`throttle_scope`); login counts failures, not attempts (`LoginThrottle`).
"""

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Counter:
    """One fixed-window counter: its cache key, its limit and when its window ends."""

    key: str
    limit: int
    window: int
    window_end: float


def counters_for(pairs: list[tuple[str, str]]) -> list[Counter]:
    """The current window's counter of each (scope, ident); scopes without a rate
    (THROTTLE_RATES=off, or not configured) count nothing."""
    rates = api_settings.DEFAULT_THROTTLE_RATES
    now = time.time()
    counters = []
    for scope, ident in pairs:
        rate = rates.get(scope)
        if rate is None:
            continue
        limit, window = parse_rate(rate)
        index = int(now // window)
        counters.append(
            Counter(
                key=f"throttle:{scope}:{ident}:{index}",
                limit=limit,
                window=window,
                window_end=(index + 1) * window,
            )
        )
    return counters


def seconds_left(counters: list[Counter]) -> float:
    return max(counter.window_end for counter in counters) - time.time()


class AtomicRateThrottle(BaseThrottle):
    """Fixed-window counters keyed by `scope` and whatever `get_idents` returns."""

    scope: str = ""
    wait_seconds: float = 0.0

    def get_idents(self, request: Request, view) -> list[str]:
        raise NotImplementedError

    def get_counted(self, request: Request, view) -> list[tuple[str, str]]:
        """The (scope, ident) pairs a request counts against."""
        return [(self.scope, ident) for ident in self.get_idents(request, view)]

    def allow_request(self, request: Request, view) -> bool:
        counters = counters_for(self.get_counted(request, view))
        if not counters:
            return True
        counts = increment_together(
            [counter.key for counter in counters],
            timeout=max(counter.window for counter in counters) + 1,
        )
        over = [c for c, count in zip(counters, counts, strict=True) if count > c.limit]
        if over:
            self.wait_seconds = seconds_left(over)
        return not over

    def wait(self) -> float | None:
        return max(1.0, self.wait_seconds)


_local_lock = threading.Lock()


def increment_together(keys: list[str], *, timeout: int, by: int = 1) -> list[int]:
    """Add `by` to every counter in a single atomic step and return the new counts.

    Each request bumps several counters (address, account). Bumped one by one, two
    concurrent requests can interleave so that each sees the other's increment on a
    different counter and both are refused below the limit; in one MULTI/EXEC every
    request gets one consistent place in line. A counter that expired meanwhile is
    made again with the timeout, never left without one.
    """
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Django's cache API has no multi-key increment; use its Redis client.
        client = cache._cache.get_client(write=True)
        pipe = client.pipeline(transaction=True)
        for key in keys:
            full_key = cache.make_and_validate_key(key)
            pipe.incrby(full_key, by)
            pipe.expire(full_key, timeout, nx=True)
        return pipe.execute()[::2]
    with _local_lock:  # local-memory cache on the embedded default: one process
        counts = []
        for key in keys:
            cache.add(key, 0, timeout=timeout)
            counts.append(cache.incr(key, by))
        return counts


def forget(keys: list[str]) -> None:
    caches["default"].delete_many(keys)


def client_ident(throttle: BaseThrottle, request: Request) -> str:
    """The client address: the socket's, or X-Forwarded-For's only as far as
    NUM_PROXIES (TRUSTED_PROXIES) trusts proxies in front."""
    return f"ip:{throttle.get_ident(request)}"


def account_ident(request: Request, field: str) -> str | None:
    data = request.data if isinstance(request.data, dict) else {}
    account = data.get(field)
    if isinstance(account, str) and account.strip():
        digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()
        return f"account:{digest[:32]}"
    return None


class RequestRateThrottle(AtomicRateThrottle):
    """Every API request: `anon` per client address, or `user` per signed-in user.

    A view may name a stricter scope of its own in `throttle_scope` (token refresh,
    websocket tickets), counted on the same address or user. With the cache out of
    reach requests go uncounted rather than all fail (login and register do fail).
    """

    def allow_request(self, request: Request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("throttle cache unreachable, request not counted: %r", exc)
            return True

    def get_counted(self, request: Request, view) -> list[tuple[str, str]]:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            scope, ident = "user", f"user:{user.pk}"
        else:
            scope, ident = "anon", client_ident(self, request)
        counted = [(scope, ident)]
        view_scope = getattr(view, "throttle_scope", None)
        if view_scope:
            counted.append((view_scope, ident))
        return counted


class ClientAddressThrottle(AtomicRateThrottle):
    def get_idents(self, request: Request, view) -> list[str]:
        return [client_ident(self, request)]


class ClientAndAccountThrottle(AtomicRateThrottle):
    """Counts per client address and, separately, per account named in the body.

    An attacker spreading guesses for one account over many addresses is stopped by
    the account counter; one address trying many accounts by the address counter.
    """

    account_field = "email"

    def get_idents(self, request: Request, view) -> list[str]:
        idents = [client_ident(self, request)]
        account = account_ident(request, self.account_field)
        if account is not None:
            idents.append(account)
        return idents


class RegisterThrottle(ClientAndAccountThrottle):
    scope = "register"


@dataclass
class LoginAttempt:
    """A login's place in its account's failure counters, until it is known to fail.

    `on_probation`: the account is over its limit, but this address has not failed
    for it; its password is checked, and a wrong one is answered as throttled.
    """

    account_key: str
    pair_key: str
    timeout: int
    wait: float
    on_probation: bool = False

    def give_back(self) -> None:
        """The attempt checked no password: it is no failure."""
        increment_together(
            [self.account_key, self.pair_key], timeout=self.timeout, by=-1
        )

    def succeeded(self) -> None:
        """The right password: no failure, and this address's earlier ones forgiven."""
        increment_together([self.account_key], timeout=self.timeout, by=-1)
        forget([self.pair_key])


class LoginThrottle(AtomicRateThrottle):
    """Login: per address, and per account counting failures only (docs/security.md).

    Three counters share the `login` rate: all attempts from the address; failures
    for the account; failures for the account from this address. An address is
    refused past its own limits; the account's counter refuses only addresses that
    have themselves failed for it, so a stranger's guesses from elsewhere never lock
    the owner out. The view (`CountsLoginFailures`) reports how the attempt ended:
    counters are bumped before the password check, so concurrent guesses cannot
    slip past, and a success gives its place back.
    """

    scope = "login"
    account_field = "email"

    def allow_request(self, request: Request, view) -> bool:
        address = client_ident(self, request)
        account = account_ident(request, self.account_field)
        if account is None:
            counted = [(self.scope, address)]
        else:
            pair = f"{account}:{address}"
            counted = [(self.scope, address), (self.scope, account), (self.scope, pair)]
        counters = counters_for(counted)
        if not counters:
            return True
        timeout = counters[0].window + 1
        counts = increment_together([c.key for c in counters], timeout=timeout)
        limit = counters[0].limit
        self.wait_seconds = seconds_left(counters)
        if account is None:
            return counts[0] <= limit
        from_address, for_account, for_pair = counts
        attempt = LoginAttempt(
            account_key=counters[1].key,
            pair_key=counters[2].key,
            timeout=timeout,
            wait=max(1.0, self.wait_seconds),
        )
        # `for_pair` counts this attempt too: above 1, this address failed before.
        if (
            from_address > limit
            or for_pair > limit
            or (for_account > limit and for_pair > 1)
        ):
            attempt.give_back()
            return False
        attempt.on_probation = for_account > limit
        request.login_attempt = attempt
        return True


class CountsLoginFailures:
    """For the view `LoginThrottle` guards: tells the throttle how a login ended."""

    def handle_exception(self, exc: Exception) -> Response:
        attempt = getattr(self.request, "login_attempt", None)
        if (
            attempt is not None
            and attempt.on_probation
            and isinstance(exc, exceptions.AuthenticationFailed)
        ):
            exc = exceptions.Throttled(wait=attempt.wait)
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response, *args, **kwargs):
        attempt = getattr(request, "login_attempt", None)
        if attempt is not None and 200 <= response.status_code < 300:
            attempt.succeeded()
        return super().finalize_response(request, response, *args, **kwargs)
