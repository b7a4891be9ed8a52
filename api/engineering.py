"""/api/v1/line-balance and /api/v1/changeovers (SPEC section 15): the Engineering page's two
reports as JSON, with the same filters (start, end, line; shift and style narrow them)."""
from __future__ import annotations

from flask import jsonify

from api.common import filters_from, scope
from api.declare import route
from api.params import Window
from core.errors import ApiError
from core.serialize import mapping, records
from core.context import current
from metrics.engineering import BALANCE_COLUMNS, CHANGEOVER_COLUMNS
from reports import engineering as reports

BALANCE_ROW = ["operation"] + [c for c in BALANCE_COLUMNS if c != "operation"]
CURVE_ROW = ["k", "efficiency_pct", "changeovers", "earned_minutes", "available_minutes",
             "target_pct"]


OBJECT = {"type": "object"}


@route("GET", "/v1/line-balance", tag="engineering", query=Window,
       summary="Line balance of one line over the window (SPEC section 15)",
       answers={200: {"type": "object", "properties": {
           "rows": {"type": "array", "items": OBJECT}, "total": OBJECT,
           "reading": {"type": ["string", "null"]}}}},
       errors={400: ("bad_filter", "line_required")})
def line_balance(query):
    """Balance of one line over the window: rows keyed operation, in sewing order."""
    filters = filters_from(query)
    if len(filters.lines) != 1:
        raise ApiError(400, "line_required", "Line balance is worked out for one line: give "
                       "exactly one line=, e.g. line=L01.", {"lines": list(filters.lines)})
    result = reports.line_balance(current(), filters, scope())
    return jsonify({"rows": records(result["rows"], BALANCE_ROW),
                    "total": mapping(result["total"]), "reading": result["reading"]})


@route("GET", "/v1/changeovers", tag="engineering", query=Window,
       summary="Changeovers in the window, their learning curve and ramp targets (SPEC 15)",
       answers={200: {"type": "object", "properties": {
           "rows": {"type": "array", "items": OBJECT},
           "curve": {"type": "array", "items": OBJECT}, "total": OBJECT}}},
       errors={400: ("bad_filter",)})
def changeovers(query):
    """Changeovers made in the window on the selected lines (every line the caller may read
    when none is given), their learning curve by day k and the proposed ramp targets."""
    filters = filters_from(query)
    result = reports.changeovers(current(), filters, scope())
    curve = result["curve"].merge(result["ramp"][["k", "target_pct"]], on="k", how="left")
    total = {"changeovers": len(result["changeovers"]), "steady_pct": result["steady_pct"],
             "days_to_90": result["days_to_90"]}
    return jsonify({"rows": records(result["changeovers"], CHANGEOVER_COLUMNS),
                    "curve": records(curve, CURVE_ROW), "total": mapping(total)})
