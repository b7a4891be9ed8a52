"""The shared cache behind reports, the sign-in throttle and job tickets: diskcache on one
machine, Redis (`REDIS_URL`) when several machines serve one plant.

`RedisCache` speaks the part of diskcache's interface the app uses (get, set, add, incr, pop,
delete), so nothing above this module knows which one it has. Redis is an accelerator, never the
only copy of anything (DESIGN.md): while it is down a read misses (the report is computed from
the database), a write is dropped, the outage is logged once (and its end once), and
`available()` says so — the health check reports the cache degraded and background jobs, which
need the broker, are refused with a clear message.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
import threading

import diskcache

log = logging.getLogger(__name__)

PREFIX = "floorpulse:"


class CacheUnavailable(RuntimeError):
    """The shared cache (Redis) cannot be reached."""


def key_text(key) -> str:
    """A stable text for a key: reprs of tuples of str, int, float, date and None do not change
    between processes or machines (unlike hash())."""
    if isinstance(key, str):
        return PREFIX + key
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:40]
    head = key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else "k"
    return f"{PREFIX}{head}:{digest}"


class RedisCache:
    def __init__(self, url: str, socket_timeout: float = 2.0):
        import redis
        self.url = url
        self._redis = redis.Redis.from_url(url, socket_timeout=socket_timeout,
                                           socket_connect_timeout=socket_timeout)
        self._errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
        self._down = False
        self._lock = threading.Lock()

    # --- outage bookkeeping: logged once when it starts, once when it ends ---------------------

    def _failed(self, exc) -> None:
        with self._lock:
            if not self._down:
                self._down = True
                log.warning("cache: Redis at %s is unreachable (%s); serving from the "
                            "database until it is back", _safe(self.url), exc)

    def _ok(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    log.warning("cache: Redis at %s is back", _safe(self.url))

    def _call(self, fn, fallback):
        try:
            result = fn()
        except self._errors as exc:
            self._failed(exc)
            return fallback
        self._ok()
        return result

    def available(self) -> bool:
        return self._call(lambda: bool(self._redis.ping()), False)

    # --- diskcache's interface -----------------------------------------------------------------

    def get(self, key, default=None):
        raw = self._call(lambda: self._redis.get(key_text(key)), None)
        return default if raw is None else pickle.loads(raw)

    def set(self, key, value, expire=None) -> bool:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return bool(self._call(lambda: self._redis.set(key_text(key), data, ex=_ttl(expire)),
                               False))

    def add(self, key, value, expire=None) -> bool:
        """Set only when absent (atomic): True when this call stored it."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return bool(self._call(
            lambda: self._redis.set(key_text(key), data, ex=_ttl(expire), nx=True), False))

    def incr(self, key, delta: int = 1, default: int = 0) -> int:
        """Counters are stored as pickled ints like every value, so get() reads them back."""
        k = key_text(key)

        def bump(pipe):
            raw = pipe.get(k)
            value = (pickle.loads(raw) if raw is not None else default) + delta
            ttl = pipe.pttl(k)
            pipe.multi()
            pipe.set(k, pickle.dumps(value), px=ttl if ttl and ttl > 0 else None)
            return value

        return self._call(lambda: self._redis.transaction(bump, k, value_from_callable=True),
                          default + delta)

    def pop(self, key, default=None):
        k = key_text(key)

        def take(pipe):
            raw = pipe.get(k)
            pipe.multi()
            pipe.delete(k)
            return raw

        raw = self._call(lambda: self._redis.transaction(take, k, value_from_callable=True), None)
        return default if raw is None else pickle.loads(raw)

    def delete(self, key) -> bool:
        return bool(self._call(lambda: self._redis.delete(key_text(key)), 0))

    def clear(self) -> None:
        """Remove this app's keys (tests, a reset): never FLUSHDB a database others may use."""
        def wipe():
            for k in self._redis.scan_iter(f"{PREFIX}*", count=1000):
                self._redis.delete(k)
        self._call(wipe, None)


class LocalCache(diskcache.Cache):
    """diskcache on one machine's disk; always available."""

    def available(self) -> bool:
        return True


def open_cache(settings):
    return RedisCache(settings.redis_url) if settings.redis_url else LocalCache(settings.cache_dir)


def _ttl(expire) -> int | None:
    return max(1, int(expire)) if expire else None


def _safe(url: str) -> str:
    """The URL without its password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
