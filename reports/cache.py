"""Report memoization with diskcache, keyed on (report, arguments, data version).

Every import, reload or ingestion bumps the data version (data.db.bump_data_version), so a cached
result never outlives the data it was computed from; old entries simply age out.
"""
from __future__ import annotations

import functools
import logging
import time

from flask import g, has_request_context

from data import db
from version import __version__

log = logging.getLogger(__name__)

EXPIRE_SECONDS = 24 * 3600


def cached_report(name: str):
    """Memoize a report function `f(ctx, *args, **kwargs)`; args must have stable reprs."""
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(ctx, *args, **kwargs):
            instance, version = _identity(ctx)
            # the app version is in the key so an upgrade never serves results of the old shape
            key = (name, __version__, instance, version, ctx.settings.plant_tz, _stable(args),
                   _stable(kwargs))
            hit = ctx.cache.get(key, default=None)
            if hit is not None:
                return hit
            t0 = time.perf_counter()
            result = fn(ctx, *args, **kwargs)
            ctx.cache.set(key, result, expire=EXPIRE_SECONDS)
            log.debug("report %s computed in %.1f ms", name, (time.perf_counter() - t0) * 1000)
            return result
        wrapper.uncached = fn
        return wrapper
    return decorator


def data_identity(ctx) -> tuple[str | None, int]:
    """(instance id, data version) this request's cached results are valid for; live screens
    compare it to decide whether there is anything new to fetch."""
    return _identity(ctx)


def _identity(ctx) -> tuple[str | None, int]:
    """(instance id, data version) of ctx's database, read once per request: a page's content
    callback makes a dozen cached calls, and on PostgreSQL each read is a network round trip.
    (A request that began before an import sees the version it began with, as if it had
    finished first.) Outside a request it is read every time."""
    if not has_request_context():
        with ctx.engine.connect() as conn:
            return db.data_identity(conn)
    memo = g.setdefault("floorpulse_identity", {})
    key = ctx.settings.database_url
    if key not in memo:
        with ctx.engine.connect() as conn:
            memo[key] = db.data_identity(conn)
    return memo[key]


def _stable(value):
    if hasattr(value, "cache_key"):
        return value.cache_key()
    if isinstance(value, dict):
        return tuple(sorted((k, _stable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    return value
