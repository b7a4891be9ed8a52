"""What every API module shares: the blueprint, one error format, and request parsing.

Each domain adds its routes to `bp` in its own module (api/production.py, api/quality.py, ...)
with `api.declare.route`, which also puts them in the OpenAPI document; api/routes.py imports
them all. Endpoints take their parameters parsed by their Query model (api/params.py), then call
the same report function the page uses, so the page and the API can never disagree.
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from pydantic_core import PydanticCustomError
from werkzeug.exceptions import HTTPException

from core.errors import ApiError
from api.params import Query, Window, group_keys, grouped
from core.serialize import mapping, records
from auth.gate import request_user
from reports import production as production_reports
from core.context import current
from core.filters import FilterError, Filters

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


def admin_only(view):
    """Mark and guard a route only admins may call (rule changes, acknowledgements): an ingest
    token may post data, but not change how the plant is watched. tests/test_roles.py reads the
    mark."""
    import functools

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        user = request_user()
        if user is None or user.role != "admin":
            raise ApiError(403, "forbidden", "Only admins may do this.")
        return view(*args, **kwargs)
    guarded.admin_only = True
    return guarded


def filters_from(window: Window, default_days: int | None = None) -> Filters:
    """The parsed window as Filters (defaults filled in), its codes checked against the plant and
    the caller's lines. Without start and end: the last `default_days` days when given (a page's
    own default window), else the usual default."""
    ctx = current()
    query = {"start": window.start, "end": window.end, "line": list(window.line),
             "shift": list(window.shift), "style": list(window.style)}
    if default_days and not query["start"] and not query["end"]:
        default = Filters.default(ctx.today(), default_days)
        query.update(start=default.start, end=default.end)
    filters = Filters.from_query(query, ctx.today())
    production_reports.validate_filters(ctx, filters, scope())
    return filters


def filters_from_request(default_days: int | None = None) -> Filters:
    """start, end, line, shift, style from the query string, validated against the codes."""
    return filters_from(Window.from_args(request.args), default_days)


def group_by(allowed: dict[str, str], default: str) -> tuple[str, ...]:
    """group_by (repeatable, comma-combinable) from the query string mapped through `allowed`
    {alias: column}; `default` (an alias) when none is given."""
    try:
        keys = group_keys(allowed, request.args.getlist("group_by"))
    except PydanticCustomError as err:
        raise ApiError(400, err.type, err.context["message"], err.context["details"]) from None
    return keys or (allowed.get(default, default),)


def grouped_metrics(report, aliases: dict[str, str], columns: list[str], *,
                    total_columns: list[str] | None = None,
                    extra_columns: dict[tuple, list[str]] | None = None,
                    query: Query | None = None):
    """The usual metric endpoint: the window and group_by (`query`, a `grouped(...)` model;
    parsed from the request when not given), the report the page uses, `{"rows": [...],
    "total": {...}}` with the group keys first in each row."""
    if query is None:
        query = grouped("GroupedQuery", aliases).from_args(request.args)
    filters = filters_from(query)
    keys = query.group_by or (aliases["line"],)
    result = report(current(), filters, keys, scope())
    row_columns = list(keys) + columns + (extra_columns or {}).get(keys, [])
    total = result["total"]
    return jsonify({"rows": records(result["rows"], row_columns),
                    "total": mapping({k: total.get(k) for k in total_columns or columns})})
