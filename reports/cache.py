"""Report memoization with diskcache, keyed on (report, arguments, data version).

Every import, reload or ingestion bumps the data version (data.db.bump_data_version), so a cached
result never outlives the data it was computed from; old entries simply age out.
"""
from __future__ import annotations

import functools
import logging
import time

from data import db
from version import __version__

log = logging.getLogger(__name__)

EXPIRE_SECONDS = 24 * 3600


def cached_report(name: str):
    """Memoize a report function `f(ctx, *args, **kwargs)`; args must have stable reprs."""
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(ctx, *args, **kwargs):
            with ctx.engine.connect() as conn:
                instance, version = db.data_identity(conn)
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


def _stable(value):
    if hasattr(value, "cache_key"):
        return value.cache_key()
    if isinstance(value, dict):
        return tuple(sorted((k, _stable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    return value
