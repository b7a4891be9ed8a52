"""The HTTP API: health checks (no auth) and /api/v1 metric endpoints (SPEC section 7).

Each endpoint parses and validates its parameters, then calls the same report function the page
uses, so the page and the API can never disagree.
"""
from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
from flask import Blueprint, jsonify, request
from sqlalchemy import text

from api.errors import ApiError
from api.serialize import mapping, records
from auth.gate import request_user
from reports import production as production_reports
from reports.context import current
from reports.filters import FilterError, Filters, as_list
from metrics.calendar import to_plant_local

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api")

PRODUCTION_COLUMNS = ["output", "target", "achievement_pct", "earned_minutes",
                      "available_minutes", "efficiency_pct"]
GROUP_ALIASES = {"line": "line_code", "date": "date", "shift": "shift_code",
                 "style": "style_code", "hour": "hour"}


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return err.response()


@bp.errorhandler(FilterError)
def _filter_error(err: FilterError):
    return ApiError(400, "bad_filter", str(err)).response()


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    from werkzeug.exceptions import HTTPException
    if isinstance(err, HTTPException):
        return ApiError(err.code or 500, err.name.lower().replace(" ", "_"),
                        err.description or err.name).response()
    log.exception("API %s %s failed", request.method, request.full_path)
    return ApiError(500, "internal_error", "Something went wrong on our side; it is logged."
                    ).response()


# --- health ------------------------------------------------------------------------------------

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
        current().cache.get("__health__")
        cache_status = "ok"
    except Exception:  # noqa: BLE001
        cache_status = "unreachable"
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


# --- metrics -------------------------------------------------------------------------------------

def _scope():
    return request_user().scope


def _filters() -> Filters:
    ctx = current()
    args = request.args
    query = {"start": args.get("start"), "end": args.get("end"), "line": args.getlist("line"),
             "shift": args.getlist("shift"), "style": args.getlist("style")}
    filters = Filters.from_query(query, ctx.today())
    production_reports.validate_filters(ctx, filters, _scope())
    return filters


def _group_by(allowed: dict[str, str], default: str) -> tuple[str, ...]:
    parts = as_list(request.args.getlist("group_by")) or [default]
    keys = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        key = allowed.get(part) or (part if part in allowed.values() else None)
        if key is None:
            raise ApiError(400, "bad_group_by", f"group_by '{part}' is not one of "
                           f"{', '.join(allowed)}.", {"allowed": list(allowed)})
        if key not in keys:
            keys.append(key)
    return tuple(keys)


@bp.get("/v1/production")
def production():
    filters = _filters()
    keys = _group_by(GROUP_ALIASES, "line")
    result = production_reports.production(current(), filters, keys, _scope())
    return jsonify({"rows": records(result["rows"], list(keys) + PRODUCTION_COLUMNS),
                    "total": mapping({k: result["total"][k] for k in PRODUCTION_COLUMNS})})


@bp.get("/v1/wip")
def wip():
    ctx = current()
    raw = request.args.get("at")
    if raw:
        try:
            at = to_plant_local([raw], ctx.settings.plant_tz).iloc[0]
        except (ValueError, TypeError, OverflowError):
            at = pd.NaT
        if pd.isna(at):
            raise ApiError(400, "bad_timestamp", f"at must be an ISO 8601 timestamp, not '{raw}'.")
        at = at.to_pydatetime()
    else:
        at = ctx.now().replace(second=0, microsecond=0)
    try:
        filters = Filters(start=at.date(), end=at.date(),
                          lines=tuple(as_list(request.args.getlist("line"))))
    except FilterError as err:
        raise ApiError(400, "bad_timestamp", str(err))
    production_reports.validate_filters(ctx, filters, _scope())
    result = production_reports.wip(ctx, at, filters.lines, _scope())
    return jsonify({"rows": records(result["rows"]), "total": result["total"],
                    "at": at.isoformat()})
