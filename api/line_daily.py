"""/api/v1/line-daily (SPEC section 7): reported productivity from the daily line reports."""
from __future__ import annotations

from flask import jsonify

from api.common import bp, filters_from_request, group_by, scope
from api.serialize import mapping, records
from reports import trends as trend_reports
from reports.context import current

COLUMNS = ["actual_productivity", "target_productivity", "operators", "days"]
GROUP_ALIASES = {"line": "line_code", "date": "date"}


@bp.get("/v1/line-daily")
def line_daily():
    filters = filters_from_request()
    keys = group_by(GROUP_ALIASES, "line")
    result = trend_reports.line_daily(current(), filters, keys, scope())
    return jsonify({"rows": records(result["rows"], list(keys) + COLUMNS),
                    "total": mapping({k: result["total"].get(k) for k in COLUMNS})})
