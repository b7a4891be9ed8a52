"""/api/v1/views/<page>: every page view as JSON, the numbers behind each card, chart and grid.

The same URL filters as the page (start, end, line, shift, style; the page's own default window
when no dates are given), the same line scope and the same bad-filter errors as the other
endpoints. Each part is the very object the page draws and the card's export downloads:
a chart or grid is {"rows": [...]}, a list of cards {"rows": [...]}, a summary {"values": {...}}.
"""
from __future__ import annotations

import pandas as pd
from flask import jsonify

from api.common import bp, filters_from_request, scope
from core.context import current
from core.errors import ApiError
from core.serialize import mapping, records
from reports.kpis import Kpi
from reports.views import VIEWS


def part_json(part) -> dict:
    """One part of a view, serialised (numbers unrounded, NaN as null)."""
    if isinstance(part, pd.DataFrame):
        return {"rows": records(part)}
    if isinstance(part, (list, tuple)):
        return {"rows": [mapping(p.as_dict() if isinstance(p, Kpi) else p) for p in part]}
    return {"values": mapping(part)}


def filters_json(filters) -> dict:
    return {"start": filters.start.isoformat(), "end": filters.end.isoformat(),
            "line": list(filters.lines), "shift": list(filters.shifts),
            "style": list(filters.styles)}


@bp.get("/v1/views/<page>")
def view(page: str):
    chosen = VIEWS.get(page)
    if chosen is None:
        raise ApiError(404, "unknown_view", f"There is no view '{page}'.",
                       {"views": sorted(VIEWS)})
    filters = filters_from_request(chosen.default_days)
    parts = chosen.parts(current(), filters, scope())
    return jsonify({"view": page, "filters": filters_json(filters),
                    "parts": {name: part_json(p) for name, p in parts.items()}})
