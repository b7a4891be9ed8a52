"""/api/v1/line-balance and /api/v1/changeovers (SPEC section 15): the Engineering page's two
reports as JSON, with the same filters (start, end, line; shift and style narrow them)."""
from __future__ import annotations

from flask import jsonify

from api.common import bp, filters_from_request, scope
from core.errors import ApiError
from core.serialize import mapping, records
from core.context import current
from metrics.engineering import BALANCE_COLUMNS, CHANGEOVER_COLUMNS
from reports import engineering as reports

BALANCE_ROW = ["operation"] + [c for c in BALANCE_COLUMNS if c != "operation"]
CURVE_ROW = ["k", "efficiency_pct", "changeovers", "earned_minutes", "available_minutes",
             "target_pct"]


@bp.get("/v1/line-balance")
def line_balance():
    """Balance of one line over the window: rows keyed operation, in sewing order."""
    filters = filters_from_request()
    if len(filters.lines) != 1:
        raise ApiError(400, "line_required", "Line balance is worked out for one line: give "
                       "exactly one line=, e.g. line=L01.", {"lines": list(filters.lines)})
    result = reports.line_balance(current(), filters, scope())
    return jsonify({"rows": records(result["rows"], BALANCE_ROW),
                    "total": mapping(result["total"]), "reading": result["reading"]})


@bp.get("/v1/changeovers")
def changeovers():
    """Changeovers made in the window on the selected lines (every line the caller may read
    when none is given), their learning curve by day k and the proposed ramp targets."""
    filters = filters_from_request()
    result = reports.changeovers(current(), filters, scope())
    curve = result["curve"].merge(result["ramp"][["k", "target_pct"]], on="k", how="left")
    total = {"changeovers": len(result["changeovers"]), "steady_pct": result["steady_pct"],
             "days_to_90": result["days_to_90"]}
    return jsonify({"rows": records(result["changeovers"], CHANGEOVER_COLUMNS),
                    "curve": records(curve, CURVE_ROW), "total": mapping(total)})
