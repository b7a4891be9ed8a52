"""CSV export for every chart and grid: one pattern-matching callback over the views' exports.

Every page view's frame part is an export named f"{page}-{part}" (reports/views.py EXPORTS,
reading the cached report), and a chart card with `export=name` gets a CSV button that downloads
exactly the data its chart or grid shows. `register_export` adds one outside the views.
"""
from __future__ import annotations

import re

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
    df = display_frame(EXPORTS[name](ctx, filters, request_user().scope))
    stem = f"floorpulse-{name}-{_period(name, filters, ctx.today())}"
    if button_id.get("format") == "xlsx":
        return dcc.send_bytes(lambda buffer: _to_excel(df, buffer), f"{stem}.xlsx")
    return {"content": _to_csv(df), "filename": f"{stem}.csv", "type": "text/csv"}


# exports whose rows are as of today whatever the dates (the Overview's today by hour, the
# open orders): their file is named for today, not for the filter's window
AS_OF_TODAY = ("overview-today", "orders-open", "orders-open-grid")


def _period(name: str, filters, today) -> str:
    if name in AS_OF_TODAY:
        return today.isoformat()
    return f"{filters.start.isoformat()}-{filters.end.isoformat()}"


# --- what a person reads: headers in words, numbers rounded as the page shows them -------------

WORDS = {"pct": "%", "min": "(min)", "h": "(h)", "s": "(s)", "id": "ID", "dhu": "DHU",
         "fpy": "FPY", "smv": "SMV", "wip": "WIP", "oee": "OEE", "mttr": "MTTR", "mtbf": "MTBF",
         "lbe": "LBE", "wo": "WO", "pm": "PM", "qty": "qty", "ts": "time", "emp": "employee",
         "7d": "(7 days)"}
SPECIAL = {"A": "Absent days", "P": "Present days", "HD": "Half days", "WO": "Weekly off days",
           "PH": "Holiday days"}


def column_label(name: str) -> str:
    """A column's header in words: line_code -> "Line", efficiency_pct -> "Efficiency %",
    downtime_min -> "Downtime (min)", dhu -> "DHU"."""
    if name in SPECIAL:
        return SPECIAL[name]
    parts = [p for p in str(name).split("_") if p]
    if len(parts) > 1 and parts[-1] == "code":
        parts = parts[:-1]
    words = [WORDS.get(p, p) for p in parts]
    text = " ".join(words) or str(name)
    return text[0].upper() + text[1:]


ONE_DECIMAL = re.compile(r"(_pct|^dhu|_dhu|^pct)")  # shown to 0.1: percentages and DHU


def rounded(df: pd.DataFrame | None) -> pd.DataFrame:
    """A frame rounded as the page shows it: percentages and DHU to 0.1, other decimals to
    0.01; whole numbers stay whole; nothing else changes."""
    if df is None:
        return pd.DataFrame()
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(1 if ONE_DECIMAL.search(str(col)) else 2)
    return out


def display_frame(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """The frame as a person reads it: headers in words, rounded as shown (`rounded`; the API
    keeps the field names and every digit). A card's CSV/Excel and the page workbook's sheets."""
    if df is None:
        return None
    out = rounded(df)
    labels, seen = {}, set()
    for col in out.columns:
        label = column_label(col)
        labels[col] = label if label not in seen else str(col)
        seen.add(labels[col])
    return out.rename(columns=labels)


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
