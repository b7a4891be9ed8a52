""""Export page": the whole page in one file (issue 19 item 6).

- Excel: one workbook, a first sheet naming the page, its filters, when and by whom it was made,
  its key figures and each measure's formula (reports/kpis.py EXPLAIN, the cards' own words),
  then one sheet per chart and grid: the view's frame parts (reports/views.py), the very frames
  each card's CSV/Excel export holds, rounded for display (`rounded`).
- PDF: the page as seen, printed by headless Chromium (components/page_pdf.py).

One callback serves every page: the buttons sit in the page header (components/page.py).
"""
from __future__ import annotations

import io
import json
import logging
import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx as dash_ctx, dcc, html, no_update
from flask import request

from auth.gate import request_user
from auth.saved_views import is_app_page
from components import page_pdf
from components.export import ONE_DECIMAL, _defuse, display_frame
from components.filter_bar import filters_from_values
from components.ids import FILTER_INPUTS
from core.context import current
from core.filters import FilterError, Filters
from reports.kpis import EXPLAIN, Kpi
from reports.views import VIEWS

log = logging.getLogger(__name__)

X = "page-export-"  # ids: the buttons, the downloads, the page id store, the message
def _cells(df: pd.DataFrame) -> pd.DataFrame:
    """What Excel can hold: naive datetimes, text for lists and mappings, defused formulas."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif s.dtype == object and s.map(lambda v: isinstance(v, (list, tuple, dict, set))).any():
            out[col] = s.map(lambda v: json.dumps(list(v) if isinstance(v, (set, tuple)) else v,
                                                  default=str)
                             if isinstance(v, (list, tuple, dict, set)) else v)
    return _defuse(out)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "part"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _figures(values: dict) -> list[tuple[str, object]]:
    """(label, value) of the page's key figures: cards and summaries."""
    rows = []
    for part, value in values.items():
        if isinstance(value, list) and all(isinstance(v, Kpi) for v in value):
            for card in value:
                rows.append((f"{card.label}", _plain(card.value, card.digits, card.unit)))
        elif isinstance(value, dict):
            for key, v in value.items():
                if isinstance(v, (int, float, str)) or v is None:
                    rows.append((f"{part}: {key}", _plain(v, 1 if ONE_DECIMAL.search(key) else 2)))
    return rows


def _plain(value, digits: int = 2, unit: str = ""):
    if isinstance(value, float):
        if value != value:
            return None
        value = round(value, digits)
    return f"{value}{unit}" if unit and value is not None else value


def _measures(frames: dict[str, pd.DataFrame], values: dict) -> list[tuple[str, str, str]]:
    """(measure, definition, formula) of every measure the page shows."""
    shown = {str(c) for df in frames.values() if df is not None for c in df.columns}
    for value in values.values():
        if isinstance(value, list):
            shown |= {v.key for v in value if isinstance(v, Kpi)}
        elif isinstance(value, dict):
            shown |= set(value)
    return [(key, why.definition, why.formula) for key, why in EXPLAIN.items() if key in shown]


def _filters_rows(filters: Filters) -> list[tuple[str, str]]:
    def many(values):
        return ", ".join(values) if values else "all"
    return [("From", filters.start.isoformat()), ("To", filters.end.isoformat()),
            ("Lines", many(filters.lines)), ("Shifts", many(filters.shifts)),
            ("Styles", many(filters.styles))]


def workbook(page: str, ctx, filters: Filters, scope=None, made_by: str | None = None) -> bytes:
    """The page's workbook (see the module's docstring) as .xlsx bytes."""
    view = VIEWS[page]
    parts = view.parts(ctx, filters, scope)
    frames = {name: parts[name] for name in view.frames}
    values = {name: parts[name] for name in view.values}
    taken = {"page"}
    names = {part: _sheet_name(part, taken) for part in frames}
    made = ctx.now()
    about: list[tuple] = [("FloorPulse", f"{page} page"), ("Made at",
                          f"{made:%Y-%m-%d %H:%M} ({ctx.settings.plant_tz})")]
    if made_by:
        about.append(("Made by", made_by))
    about += [("", ""), ("Filters", "")] + _filters_rows(filters)
    figures = _figures(values)
    if figures:
        about += [("", ""), ("Key figures", "")] + figures
    measures = _measures(frames, values)
    if measures:
        about += [("", ""), ("Measure", "Definition", "Formula")] + measures
    about += [("", ""), ("Sheet", "Chart or grid (its card's export)")]
    about += [(names[part], f"{page}-{part}") for part in frames]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(about).to_excel(writer, sheet_name="Page", index=False, header=False)
        for part, df in frames.items():
            _cells(display_frame(df) if df is not None else pd.DataFrame()).to_excel(writer, sheet_name=names[part], index=False,
                                         freeze_panes=(1, 0))
        sheet = writer.sheets["Page"]
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 60
        sheet.column_dimensions["C"].width = 70
    return buffer.getvalue()


def buttons(page_id: str) -> html.Div | None:
    """The page header's "Export page" menu, its downloads and its message (a page with a
    view: reports/views.py)."""
    if page_id not in VIEWS:
        return None
    return html.Div([
        dbc.DropdownMenu([
            dbc.DropdownMenuItem("Excel workbook (every chart and grid)", id=f"{X}xlsx",
                                 n_clicks=0),
            dbc.DropdownMenuItem("PDF of the page as seen", id=f"{X}pdf", n_clicks=0),
        ], label="Export page", size="sm", color="light", align_end=True,
            class_name="page-export-menu", id=f"{X}menu"),
        dcc.Store(id=f"{X}page", data=page_id),
        dcc.Download(id=f"{X}download"),
        dcc.Loading(html.Div(id=f"{X}message", className="page-export-message"), type="dot"),
    ], className="page-export")


def export_page(which, page_id, pathname, start, end, lines, shifts, styles):
    """(download, message) for the clicked format (`which`: the item's id)."""
    ctx = current()
    user = request_user()
    if user is None or page_id not in VIEWS:
        return no_update, no_update
    try:
        filters = filters_from_values(start, end, lines, shifts, styles, ctx.today())
    except FilterError as err:
        return no_update, dbc.Alert(f"{err} Nothing was exported.", color="warning",
                                    className="py-1 px-2 mb-0 small")
    stem = f"floorpulse-{page_id}-page-{filters.start.isoformat()}-{filters.end.isoformat()}"
    if which == f"{X}xlsx":
        data = workbook(page_id, ctx, filters, user.scope, user.username)
        return dcc.send_bytes(data, f"{stem}.xlsx"), None
    if pathname and is_app_page(pathname):
        path = pathname
    else:
        path = "/"
    base = page_pdf.base_url(ctx.settings)
    try:
        pdf = page_pdf.print_page(ctx.settings, base, path + filters.to_query(),
                                  dict(request.cookies), f"{page_id}-content")
    except page_pdf.PdfUnavailable as err:
        return no_update, dbc.Alert(str(err), color="warning", className="py-1 px-2 mb-0 small")
    except page_pdf.PdfFailed as err:
        log.error("PDF of %s%s failed: %s", path, filters.to_query(), err)
        return no_update, dbc.Alert("The PDF could not be made (it has been logged); the Excel "
                                    "workbook has the same numbers.", color="warning",
                                    className="py-1 px-2 mb-0 small")
    return dcc.send_bytes(pdf, f"{stem}.pdf"), None


def register_callbacks(app) -> None:
    app.callback(
        Output(f"{X}download", "data"), Output(f"{X}message", "children"),
        Input(f"{X}xlsx", "n_clicks"), Input(f"{X}pdf", "n_clicks"),
        State(f"{X}page", "data"), State("_pages_location", "pathname"),
        *[State(i.component_id, i.component_property) for i in FILTER_INPUTS],
        prevent_initial_call=True,
    )(lambda xlsx, pdf, *rest: export_page(dash_ctx.triggered_id, *rest)
      if (xlsx or pdf) else (no_update, no_update))

