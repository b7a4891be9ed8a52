"""/api/v1/line-daily (SPEC section 7): reported productivity from the daily line reports."""
from __future__ import annotations

from api.common import bp, grouped_metrics
from reports import trends as trend_reports

COLUMNS = ["actual_productivity", "target_productivity", "operators", "days"]
GROUP_ALIASES = {"line": "line_code", "date": "date"}


@bp.get("/v1/line-daily")
def line_daily():
    return grouped_metrics(trend_reports.line_daily, GROUP_ALIASES, COLUMNS)
