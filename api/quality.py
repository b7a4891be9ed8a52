"""/api/v1/quality (SPEC section 7)."""
from __future__ import annotations

from api.answers import rows_answer
from api.common import grouped_metrics
from api.declare import route
from api.params import grouped
from reports import quality as quality_reports

QUALITY_COLUMNS = ["checked", "defective", "defects", "defective_pct", "dhu", "fpy_pct",
                   "repaired_pct"]
GROUP_ALIASES = {"line": "line_code", "date": "date", "shift": "shift_code",
                 "style": "style_code", "reason": "reason", "operation": "operation"}
QualityQuery = grouped("QualityQuery", GROUP_ALIASES)


@route("GET", "/v1/quality", tag="quality", query=QualityQuery,
       summary="Checked, defective, DHU, FPY and repaired %, grouped",
       description="Grouped by reason or operation a row carries the checked pieces of its "
                   "other keys as the DHU denominator and no defective count.",
       answers={200: rows_answer("Quality", keys=GROUP_ALIASES.values(),
                                 columns=QUALITY_COLUMNS)},
       errors={400: ("bad_filter",)})
def quality(query):
    return grouped_metrics(quality_reports.quality, GROUP_ALIASES, QUALITY_COLUMNS, query=query)
