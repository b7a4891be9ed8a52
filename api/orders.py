"""/api/v1/orders (SPEC section 7): work orders with progress, pace, projection and risk."""
from __future__ import annotations

from flask import jsonify, request

from api.common import bp, scope
from core.errors import ApiError
from core.serialize import mapping, records
from metrics.orders import STATUSES
from reports import orders as order_reports
from reports import production as production_reports
from core.context import current
from core.filters import FilterError, Filters, as_list, parse_date

ORDER_FIELDS = ["wo_number", "line_code", "style_code", "status", "order_qty", "produced_qty",
                "progress_pct", "remaining", "daily_rate", "rate_basis", "projected_completion",
                "due_date", "at_risk", "late", "materials_short", "planned_start", "released_at",
                "started_at", "completed_at"]
TOTAL_FIELDS = ["orders", "open", "late", "at_risk", "cancelled", "completed",
                "completed_on_time", "on_time_pct", "short_of_material"]


def _statuses() -> tuple[str, ...]:
    wanted = [s.upper() for s in as_list(request.args.getlist("status"))]
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise ApiError(400, "bad_status", f"status '{unknown[0]}' is not one of "
                       f"{', '.join(STATUSES)}.", {"allowed": list(STATUSES)})
    return tuple(sorted(wanted))


def _due(name: str):
    raw = request.args.get(name)
    return parse_date(raw, name) if raw not in (None, "") else None


@bp.get("/v1/orders")
def orders():
    ctx = current()
    today = ctx.today()
    due_from, due_to = _due("due_from"), _due("due_to")
    if due_from and due_to and due_to < due_from:
        raise FilterError(f"due_to {due_to.isoformat()} is before due_from "
                          f"{due_from.isoformat()}.")
    codes = Filters(start=today, end=today, lines=tuple(as_list(request.args.getlist("line"))),
                    styles=tuple(as_list(request.args.getlist("style"))))
    production_reports.validate_filters(ctx, codes, scope())
    result = order_reports.orders(ctx, today, statuses=_statuses(), lines=codes.lines,
                                  styles=codes.styles, due_from=due_from, due_to=due_to,
                                  scope=scope())
    return jsonify({"rows": records(result["rows"], ORDER_FIELDS),
                    "total": mapping({k: result["total"][k] for k in TOTAL_FIELDS}),
                    "today": today.isoformat()})
