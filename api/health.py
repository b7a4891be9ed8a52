"""Health checks: no sign-in needed (the gate lists these paths as public)."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import text

from api.common import bp, log
from core.context import current


def _database_ok() -> tuple[bool, str]:
    try:
        with current().engine.connect() as conn:
            conn.execute(text("select 1"))
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        log.warning("health: database unreachable: %s", exc)
        return False, "unreachable"


@bp.get("/health")
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


@bp.get("/health/live")
def health_live():
    return jsonify({"status": "ok"})


@bp.get("/health/ready")
def health_ready():
    db_ok, db_status = _database_ok()
    return jsonify({"status": "ok" if db_ok else "down", "database": db_status}), \
        200 if db_ok else 503
