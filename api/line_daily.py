"""/api/v1/line-daily (SPEC section 7): reported productivity from the daily line reports."""
from __future__ import annotations

from api.answers import rows_answer
from api.common import grouped_metrics
from api.declare import route
from api.params import grouped
from reports import trends as trend_reports

COLUMNS = ["actual_productivity", "target_productivity", "operators", "days"]
GROUP_ALIASES = {"line": "line_code", "date": "date"}
LineDailyQuery = grouped("LineDailyQuery", GROUP_ALIASES)


@route("GET", "/v1/line-daily", tag="production", query=LineDailyQuery,
       summary="Reported productivity from the daily line reports (manpower-weighted)",
       answers={200: rows_answer("LineDaily", keys=GROUP_ALIASES.values(), columns=COLUMNS)},
       errors={400: ("bad_filter",)})
def line_daily(query):
    return grouped_metrics(trend_reports.line_daily, GROUP_ALIASES, COLUMNS, query=query)
