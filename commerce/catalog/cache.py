"""Cached catalog reads, keyed by a catalog version that every change bumps.

Catalog payloads are the same for every caller, so a rendered response is stored
under the catalog's current version and the request's path and query. Every service
that changes what a listing shows calls `catalog_changed()` inside its transaction;
the version moves on once that transaction commits, so no response is served older
than the change that bumped it. The cache is an accelerator only: when it cannot be
reached, reads go to the database and a warning is logged.
"""

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"


def _cache():
    return caches["default"]


def catalog_version() -> int | None:
    """The current version, or None when the cache cannot be reached."""
    try:
        version = _cache().get(VERSION_KEY)
        if version is None:
            _cache().add(VERSION_KEY, 1, timeout=None)
            version = _cache().get(VERSION_KEY, 1)
        return int(version)
    except Exception as exc:  # noqa: BLE001 - a cache outage must not fail reads
        logger.warning("catalog cache unreachable, reading the database: %r", exc)
        return None


def _bump() -> None:
    try:
        cache = _cache()
        if isinstance(cache, RedisCache):
            # One round trip where Django's incr takes two (EXISTS, then INCR); it
            # runs after every stock change, each checkout's included. INCR makes a
            # missing version 1, which readers may already use: go on to 2.
            client = _write_client(cache._cache)
            key = cache.make_and_validate_key(VERSION_KEY)
            if client.incr(key) == 1:
                client.incr(key)
            return
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (fresh cache): start above any reader's
            cache.add(VERSION_KEY, 2, timeout=None)
    except Exception as exc:  # noqa: BLE001 - responses expire on their own
        logger.warning("catalog version bump failed: %r", exc)


@functools.lru_cache(maxsize=8)
def _write_client(cache_client):
    """A Redis client on the cache's write pool, made once per cache object.

    Django's `get_client` makes a new `redis.Redis` on every call, and each one
    builds its table of ~170 response callbacks: more Python than the INCR it
    sends. The client only borrows connections from the pool, so one serves every
    bump (Django keeps a cache object per thread).
    """
    return cache_client.get_client(write=True)


def catalog_changed() -> None:
    """Call inside the transaction that changed the catalog: the version moves on
    once it commits (at once, outside a transaction)."""
    transaction.on_commit(_bump)


@dataclass(frozen=True)
class CachedBody:
    body: bytes
    etag: str


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def cached_body(key: str, render: Callable[[], bytes]) -> CachedBody:
    """The body for `key` at the current version, rendered only on a miss.

    Entries live `CATALOG_CACHE_SECONDS` (long enough for a browsing burst, short
    enough that a lost version bump heals); 0 turns the cache off.
    """
    ttl = settings.CATALOG_CACHE_SECONDS
    version = catalog_version() if ttl > 0 else None
    if version is None:
        body = render()
        return CachedBody(body, etag_for(body))
    full_key = f"catalog:{version}:{hashlib.blake2b(key.encode()).hexdigest()}"
    try:
        hit = _cache().get(full_key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("catalog cache read failed: %r", exc)
        hit = None
    if hit is not None:
        return CachedBody(*hit)
    body = render()
    entry = CachedBody(body, etag_for(body))
    try:
        _cache().set(full_key, (entry.body, entry.etag), ttl)
    except Exception as exc:  # noqa: BLE001
        logger.warning("catalog cache write failed: %r", exc)
    return entry
