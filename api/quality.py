"""/api/v1/quality (SPEC section 7)."""
from __future__ import annotations

from api.common import bp, grouped_metrics
from reports import quality as quality_reports

QUALITY_COLUMNS = ["checked", "defective", "defects", "defective_pct", "dhu", "fpy_pct",
                   "repaired_pct"]
GROUP_ALIASES = {"line": "line_code", "date": "date", "shift": "shift_code",
                 "style": "style_code", "reason": "reason", "operation": "operation"}


@bp.get("/v1/quality")
def quality():
    return grouped_metrics(quality_reports.quality, GROUP_ALIASES, QUALITY_COLUMNS)
