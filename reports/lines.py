"""The Lines page's view: production's line detail with the marks its by-day charts carry — the
style changeovers of the window (engineering's, the same the Engineering page lists) and the days
nothing was planned or made (days off)."""
from __future__ import annotations

from datetime import datetime

from core.filters import Filters
from reports import engineering, production
from reports.view import View

CHANGEOVER_MARK_COLUMNS = ["line_code", "date", "style_code", "previous_style"]


def lines_view(ctx, filters: Filters, scope=None, now: datetime | None = None) -> dict:
    data = production.line_detail(ctx, filters, scope, now)
    made = engineering.changeovers(ctx, filters, scope)["changeovers"]
    marks = (made[CHANGEOVER_MARK_COLUMNS].reset_index(drop=True) if not made.empty
             else made.reindex(columns=CHANGEOVER_MARK_COLUMNS))
    return {**data, "changeovers": marks}


VIEW = View(
    "lines", lines_view,
    frames={"output": "series", "cumulative": "series", "efficiency": "efficiency",
            "wip": "wip", "styles": "styles", "operators": "operators",
            "changeovers": "changeovers"},
    values={"summary": "total"})
