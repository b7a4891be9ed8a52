"""CSV export for every chart and grid: one pattern-matching callback over the views' exports.

Every page view's frame part is an export named f"{page}-{part}" (reports/views.py EXPORTS,
reading the cached report), and a chart card with `export=name` gets a CSV button that downloads
exactly the data its chart or grid shows. `register_export` adds one outside the views.
"""
from __future__ import annotations

import logging
from typing import Callable

import pandas as pd
from dash import MATCH, Input, Output, State, dcc, no_update

from auth.gate import request_user
from components import ids
from components.filter_bar import filters_from_values
from core.context import current
from core.filters import FilterError
from reports import views

log = logging.getLogger(__name__)

EXPORTS: dict[str, Callable] = dict(views.EXPORTS)


def register_export(name: str):
    def decorator(fn):
        EXPORTS[name] = fn
        return fn
    return decorator


def register_callbacks(app) -> None:
    app.callback(
        Output({"type": ids.EXPORT_DOWNLOAD, "name": MATCH, "format": MATCH}, "data"),
        Input({"type": ids.EXPORT_BUTTON, "name": MATCH, "format": MATCH}, "n_clicks"),
        State({"type": ids.EXPORT_BUTTON, "name": MATCH, "format": MATCH}, "id"),
        *[State(i.component_id, i.component_property) for i in ids.FILTER_INPUTS],
        prevent_initial_call=True,
    )(export_csv)


def export_csv(n_clicks, button_id, start, end, lines, shifts, styles):
    if not n_clicks:
        return no_update
    name = button_id["name"]
    if name not in EXPORTS:
        log.error("export %r is not registered", name)
        return no_update
    ctx = current()
    try:
        filters = filters_from_values(start, end, lines, shifts, styles, ctx.today())
    except FilterError:
        return no_update
    df = EXPORTS[name](ctx, filters, request_user().scope)
    stem = f"floorpulse-{name}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    if button_id.get("format") == "xlsx":
        return dcc.send_bytes(lambda buffer: _to_excel(df, buffer), f"{stem}.xlsx")
    return {"content": _to_csv(df), "filename": f"{stem}.csv", "type": "text/csv"}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def _to_excel(df: pd.DataFrame, buffer) -> None:
    """One sheet, header row frozen; formula-looking text is defused as in CSV."""
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _defuse(df if df is not None else pd.DataFrame()).to_excel(
            writer, index=False, sheet_name="data", freeze_panes=(1, 0))


def _to_csv(df: pd.DataFrame) -> str:
    """CSV text; text cells that a spreadsheet would run as a formula are quoted with a '."""
    if df is None:
        return ""
    return _defuse(df).to_csv(index=False)
