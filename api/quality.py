"""/api/v1/quality (SPEC section 7)."""
from __future__ import annotations

from flask import jsonify

from api.common import bp, filters_from_request, group_by, scope
from api.serialize import mapping, records
from reports import quality as quality_reports
from reports.context import current

QUALITY_COLUMNS = ["checked", "defective", "defects", "defective_pct", "dhu", "fpy_pct",
                   "repaired_pct"]
GROUP_ALIASES = {"line": "line_code", "date": "date", "shift": "shift_code",
                 "style": "style_code", "reason": "reason", "operation": "operation"}


@bp.get("/v1/quality")
def quality():
    filters = filters_from_request()
    keys = group_by(GROUP_ALIASES, "line")
    result = quality_reports.quality(current(), filters, keys, scope())
    return jsonify({"rows": records(result["rows"], list(keys) + QUALITY_COLUMNS),
                    "total": mapping({k: result["total"][k] for k in QUALITY_COLUMNS})})
