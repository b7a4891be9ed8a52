"""/api/v1/downtime (SPEC section 7)."""
from __future__ import annotations

from api.answers import rows_answer
from api.common import grouped_metrics
from api.declare import route
from api.params import grouped
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
DowntimeQuery = grouped("DowntimeQuery", GROUP_ALIASES)


@route("GET", "/v1/downtime", tag="downtime", query=DowntimeQuery,
       summary="Stops, downtime minutes and MTTR, grouped",
       description="By line adds availability, performance and OEE; by machine adds MTBF and "
                   "lists machines with no breakdowns.",
       answers={200: rows_answer("Downtime", keys=GROUP_ALIASES.values(),
                                 columns=DOWNTIME_COLUMNS, total=TOTAL_COLUMNS,
                                 extra=sorted({c for cs in EXTRA_COLUMNS.values() for c in cs}))},
       errors={400: ("bad_filter",)})
def downtime(query):
    return grouped_metrics(downtime_reports.downtime, GROUP_ALIASES, DOWNTIME_COLUMNS,
                           total_columns=TOTAL_COLUMNS, extra_columns=EXTRA_COLUMNS, query=query)
