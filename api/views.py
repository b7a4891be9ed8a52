"""/api/v1/views/<page>: every page view as JSON, the numbers behind each card, chart and grid.

The same URL filters as the page (start, end, line, shift, style; the page's own default window
when no dates are given), the same line scope and the same bad-filter errors as the other
endpoints. Each part is the very object the page draws and the card's export downloads:
a chart or grid is {"rows": [...]}, a list of cards {"rows": [...]}, a summary {"values": {...}}.
"""
from __future__ import annotations

import pandas as pd
from flask import jsonify

from api.common import filters_from, scope
from api.declare import route
from api.params import Window
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


VIEW_ANSWER = {"type": "object", "required": ["view", "filters", "parts"], "properties": {
    "view": {"type": "string"}, "filters": {"type": "object"},
    "parts": {"type": "object", "description": "part name -> {rows: [...]} (a chart, grid or "
              "list of cards) or {values: {...}} (a summary)",
              "additionalProperties": {"type": "object"}}}}


@route("GET", "/v1/views/<page>", tag="views", query=Window,
       summary="A page's view: the numbers behind each card, chart and grid",
       answers={200: VIEW_ANSWER}, errors={400: ("bad_filter",), 404: ("unknown_view",)})
def view(query, page: str):
    chosen = VIEWS.get(page)
    if chosen is None:
        raise ApiError(404, "unknown_view", f"There is no view '{page}'.",
                       {"views": sorted(VIEWS)})
    filters = filters_from(query, chosen.default_days)
    parts = chosen.parts(current(), filters, scope())
    return jsonify({"view": page, "filters": filters_json(filters),
                    "parts": {name: part_json(p) for name, p in parts.items()}})
