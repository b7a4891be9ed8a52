"""/api/v1/production and /api/v1/wip (SPEC section 7)."""
from __future__ import annotations

import pandas as pd
from flask import jsonify
from pydantic import Field

from api.answers import LocalTime, rows_answer
from api.common import grouped_metrics, scope
from api.declare import route
from core.errors import ApiError
from api.params import Codes, Query, grouped
from core.serialize import records
from metrics.calendar import to_plant_local
from reports import production as production_reports
from core.context import current
from core.filters import FilterError, Filters

PRODUCTION_COLUMNS = ["output", "target", "achievement_pct", "earned_minutes",
                      "available_minutes", "efficiency_pct"]
GROUP_ALIASES = {"line": "line_code", "date": "date", "shift": "shift_code",
                 "style": "style_code", "hour": "hour"}
ProductionQuery = grouped("ProductionQuery", GROUP_ALIASES)


class WipQuery(Query):
    error_code = "bad_timestamp"
    at: str = Field(None, description="ISO 8601 timestamp, plant-local without an offset; "
                    "default: now. WIP counts the hours that have ended by then.")
    line: Codes = Field((), description="Line codes (repeatable or comma-separated).")


@route("GET", "/v1/production", tag="production", query=ProductionQuery,
       summary="Output, target, achievement and SMV efficiency, grouped",
       answers={200: rows_answer("Production", keys=GROUP_ALIASES.values(),
                                 columns=PRODUCTION_COLUMNS)},
       errors={400: ("bad_filter",)})
def production(query):
    return grouped_metrics(production_reports.production, GROUP_ALIASES, PRODUCTION_COLUMNS,
                           query=query)


@route("GET", "/v1/wip", tag="production", query=WipQuery,
       summary="Work in progress per line at a moment (all history counts)",
       answers={200: rows_answer("Wip", columns=["line_code", "wip"], total=["wip"],
                                 more={"at": LocalTime})},
       errors={400: ("bad_timestamp", "bad_filter")})
def wip(query: WipQuery):
    ctx = current()
    raw = query.at
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
        filters = Filters(start=at.date(), end=at.date(), lines=query.line)
    except FilterError as err:
        raise ApiError(400, "bad_timestamp", str(err))
    production_reports.validate_filters(ctx, filters, scope())
    result = production_reports.wip(ctx, at, filters.lines, scope())
    return jsonify({"rows": records(result["rows"]), "total": result["total"],
                    "at": at.isoformat()})
