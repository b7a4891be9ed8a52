"""/api/v1/downtime (SPEC section 7)."""
from __future__ import annotations

from api.common import bp, grouped_metrics
from reports import downtime as downtime_reports

DOWNTIME_COLUMNS = ["count", "downtime_min", "mttr_min", "open_count"]
# extra columns a grouping has: availability and OEE by line, MTBF by machine
EXTRA_COLUMNS = {("line_code",): ["available_min", "availability_pct", "performance_pct",
                                  "oee_pct"],
                 ("machine_code",): ["line_code", "mtbf_min"]}
TOTAL_COLUMNS = DOWNTIME_COLUMNS + ["available_min", "availability_pct", "performance_pct",
                                    "oee_pct"]
GROUP_ALIASES = {"line": "line_code", "machine": "machine_code", "category": "category",
                 "reason": "reason", "date": "date", "shift": "shift_code"}


@bp.get("/v1/downtime")
def downtime():
    return grouped_metrics(downtime_reports.downtime, GROUP_ALIASES, DOWNTIME_COLUMNS,
                           total_columns=TOTAL_COLUMNS, extra_columns=EXTRA_COLUMNS)
