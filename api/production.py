"""/api/v1/production and /api/v1/wip (SPEC section 7)."""
from __future__ import annotations

import pandas as pd
from flask import jsonify, request

from api.common import bp, grouped_metrics, scope
from core.errors import ApiError
from core.serialize import records
from metrics.calendar import to_plant_local
from reports import production as production_reports
from core.context import current
from core.filters import FilterError, Filters, as_list

PRODUCTION_COLUMNS = ["output", "target", "achievement_pct", "earned_minutes",
                      "available_minutes", "efficiency_pct"]
GROUP_ALIASES = {"line": "line_code", "date": "date", "shift": "shift_code",
                 "style": "style_code", "hour": "hour"}


@bp.get("/v1/production")
def production():
    return grouped_metrics(production_reports.production, GROUP_ALIASES, PRODUCTION_COLUMNS)


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
    production_reports.validate_filters(ctx, filters, scope())
    result = production_reports.wip(ctx, at, filters.lines, scope())
    return jsonify({"rows": records(result["rows"]), "total": result["total"],
                    "at": at.isoformat()})
