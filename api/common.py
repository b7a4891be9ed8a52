"""What every API module shares: the blueprint, one error format, and request parsing.

Each domain adds its routes to `bp` in its own module (api/production.py, api/quality.py, ...);
api/routes.py imports them all. Endpoints parse and validate their parameters, then call the same
report function the page uses, so the page and the API can never disagree.
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from core.errors import ApiError
from core.serialize import mapping, records
from auth.gate import request_user
from reports import production as production_reports
from core.context import current
from core.filters import FilterError, Filters, as_list

log = logging.getLogger("api")

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return err.response()


@bp.errorhandler(FilterError)
def _filter_error(err: FilterError):
    return ApiError(400, "bad_filter", str(err)).response()


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    if isinstance(err, HTTPException):
        return ApiError(err.code or 500, err.name.lower().replace(" ", "_"),
                        err.description or err.name).response()
    log.exception("API %s %s failed", request.method, request.full_path)
    return ApiError(500, "internal_error", "Something went wrong on our side; it is logged."
                    ).response()


def scope():
    """The caller's line scope (None = every line)."""
    return request_user().scope


def require_ingest() -> None:
    """Only admins and tokens made for ingestion may write events and punches."""
    if not request_user().can_ingest:
        raise ApiError(403, "forbidden", "Only admins and ingestion tokens may post data.")


def filters_from_request() -> Filters:
    """start, end, line, shift, style from the query string, validated against the codes."""
    ctx = current()
    args = request.args
    query = {"start": args.get("start"), "end": args.get("end"), "line": args.getlist("line"),
             "shift": args.getlist("shift"), "style": args.getlist("style")}
    filters = Filters.from_query(query, ctx.today())
    production_reports.validate_filters(ctx, filters, scope())
    return filters


def group_by(allowed: dict[str, str], default: str) -> tuple[str, ...]:
    """group_by (repeatable, comma-combinable) mapped through `allowed` {alias: column}."""
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


def grouped_metrics(report, aliases: dict[str, str], columns: list[str], *,
                    total_columns: list[str] | None = None,
                    extra_columns: dict[tuple, list[str]] | None = None):
    """The usual metric endpoint: filters and group_by from the request, the report the page
    uses, `{"rows": [...], "total": {...}}` with the group keys first in each row."""
    filters = filters_from_request()
    keys = group_by(aliases, "line")
    result = report(current(), filters, keys, scope())
    row_columns = list(keys) + columns + (extra_columns or {}).get(keys, [])
    total = result["total"]
    return jsonify({"rows": records(result["rows"], row_columns),
                    "total": mapping({k: total.get(k) for k in total_columns or columns})})
