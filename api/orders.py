"""/api/v1/orders (SPEC section 7): work orders with progress, pace, projection and risk."""
from __future__ import annotations

from datetime import date

from flask import jsonify
from pydantic import Field

from api.answers import rows_answer
from api.common import scope
from api.declare import route
from api.params import Codes, IsoDate, OneOf, Query
from core.serialize import mapping, records
from metrics.orders import STATUSES
from reports import orders as order_reports
from reports import production as production_reports
from core.context import current
from core.filters import FilterError, Filters

ORDER_FIELDS = ["wo_number", "line_code", "style_code", "status", "order_qty", "produced_qty",
                "progress_pct", "remaining", "daily_rate", "rate_basis", "projected_completion",
                "due_date", "at_risk", "late", "materials_short", "planned_start", "released_at",
                "started_at", "completed_at"]
TOTAL_FIELDS = ["orders", "open", "late", "at_risk", "cancelled", "completed",
                "completed_on_time", "on_time_pct", "short_of_material"]


class OrdersQuery(Query):
    error_code = "bad_filter"
    status: OneOf(STATUSES, "bad_status", "status") = Field(
        (), description="Order statuses (repeatable or comma-separated, any case).")
    line: Codes = Field((), description="Line codes.")
    style: Codes = Field((), description="Style codes.")
    due_from: IsoDate = Field(None, description="Orders due on or after this day.")
    due_to: IsoDate = Field(None, description="Orders due on or before this day.")


@route("GET", "/v1/orders", tag="orders", query=OrdersQuery,
       summary="Work orders with progress, pace, projected completion and risk",
       answers={200: rows_answer("Orders", columns=ORDER_FIELDS, total=TOTAL_FIELDS,
                                 types={"materials_short": float}, more={"today": date})},
       errors={400: ("bad_filter",)})
def orders(query: OrdersQuery):
    ctx = current()
    today = ctx.today()
    due_from, due_to = query.due_from, query.due_to
    if due_from and due_to and due_to < due_from:
        raise FilterError(f"due_to {due_to.isoformat()} is before due_from "
                          f"{due_from.isoformat()}.")
    codes = Filters(start=today, end=today, lines=query.line, styles=query.style)
    production_reports.validate_filters(ctx, codes, scope())
    result = order_reports.orders(ctx, today, statuses=query.status, lines=codes.lines,
                                  styles=codes.styles, due_from=due_from, due_to=due_to,
                                  scope=scope())
    return jsonify({"rows": records(result["rows"], ORDER_FIELDS),
                    "total": mapping({k: result["total"][k] for k in TOTAL_FIELDS}),
                    "today": today.isoformat()})
