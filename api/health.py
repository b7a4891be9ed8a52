"""Health checks: no sign-in needed (the gate lists these paths as public)."""
from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import BaseModel
from sqlalchemy import text

from api.common import log
from api.declare import route
from core.context import current


def _database_ok() -> tuple[bool, str]:
    try:
        with current().engine.connect() as conn:
            conn.execute(text("select 1"))
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        log.warning("health: database unreachable: %s", exc)
        return False, "unreachable"


class Health(BaseModel):
    status: Literal["ok", "down"]
    version: str
    components: dict[str, Literal["ok", "unreachable"]]


class Ready(BaseModel):
    status: Literal["ok", "down"]
    database: Literal["ok", "unreachable"]


@route("GET", "/health", tag="health", public=True, answers={200: Health, 503: Health},
       summary="Status of the database and the cache, and the version (503 when down)")
def health():
    db_ok, db_status = _database_ok()
    try:
        # with Redis down pages still serve from the database: degraded, not down
        cache_status = "ok" if current().cache.available() else "degraded"
    except Exception:  # noqa: BLE001
        log.warning("health: cache check failed", exc_info=True)
        cache_status = "degraded"
    from version import __version__
    body = {"status": "ok" if db_ok else "down", "version": __version__,
            "components": {"database": db_status, "cache": cache_status}}
    return jsonify(body), 200 if db_ok else 503


@route("GET", "/health/live", tag="health", public=True,
       answers={200: {"type": "object", "properties": {"status": {"const": "ok"}}}},
       summary="The process answers")
def health_live():
    return jsonify({"status": "ok"})


@route("GET", "/health/ready", tag="health", public=True, answers={200: Ready, 503: Ready},
       summary="Ready to serve: the database answers (503 when not)")
def health_ready():
    db_ok, db_status = _database_ok()
    return jsonify({"status": "ok" if db_ok else "down", "database": db_status}), \
        200 if db_ok else 503
