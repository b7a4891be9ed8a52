"""/api/v1/downtime (SPEC section 7)."""
from __future__ import annotations

from flask import jsonify

from api.common import bp, filters_from_request, group_by, scope
from api.serialize import mapping, records
from reports import downtime as downtime_reports
from reports.context import current

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
    filters = filters_from_request()
    keys = group_by(GROUP_ALIASES, "line")
    result = downtime_reports.downtime(current(), filters, keys, scope())
    columns = list(keys) + DOWNTIME_COLUMNS + EXTRA_COLUMNS.get(keys, [])
    return jsonify({"rows": records(result["rows"], columns),
                    "total": mapping({k: result["total"][k] for k in TOTAL_COLUMNS})})
