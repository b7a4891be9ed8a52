"""Server-side grids: AG Grid's infinite row model fed by the export registry.

A grid that can hold thousands of rows at plant scale (operators, machines, workers, punches)
sends none of them with the page. The browser asks for blocks (`getRowsRequest`: startRow,
endRow, sortModel, filterModel); one pattern-matching callback answers each block
(`getRowsResponse`: rowData, rowCount) from the same data maker as the card's CSV/Excel buttons
(components.export.EXPORTS, which reads the cached report), sorted, filtered and sliced in pandas.

The grid's id is `{"type": SERVER_GRID, "name": export name, "fields": "a,b,c", "render": token}`:
the fields the rows carry ride in the id, so any worker can answer a block without state; the
token is new on every build of the page, so a new selection mounts a new grid (Dash keys React
elements by id) that asks for its first block again instead of keeping the old selection's rows.
The grid sits in a div with the page's plain id, so `#operators-grid .ag-row` finds its rows.
"""
from __future__ import annotations

import logging
import math
import uuid

import dash_ag_grid as dag
import numpy as np
import pandas as pd
from dash import MATCH, Input, Output, State, html, no_update

from core.serialize import records
from auth.gate import request_user
from components.drill import FILTER_STATES, filters_or_none
from components.export import EXPORTS
from components.grid import grid_props, row_fields
from core.context import current
from core.filters import FilterError
from reports.production import validate_filters

log = logging.getLogger(__name__)

SERVER_GRID = "server-grid"
BLOCK_SIZE = 100
MAX_BLOCK = 1000  # a request for more rows than this at once is not the grid's own
EMPTY_BLOCK = {"rowData": [], "rowCount": 0}


def server_grid(grid_id: str, export_name: str, columns: list[dict], total_rows: int, *,
                height: int = 380, extra_fields: tuple[str, ...] = (), **options) -> html.Div:
    """A grid like components.grid.grid whose rows come block by block from EXPORTS[export_name].

    `total_rows` (the unfiltered count the page already knows) sizes the scroll bar before the
    first block arrives. Columns without their own filter get the text filter the server reads.
    """
    fields = ",".join(row_fields(columns, extra_fields))
    columns = [c if "filter" in c else {**c, "filter": "agTextColumnFilter"} for c in columns]
    pattern_id = {"type": SERVER_GRID, "name": export_name, "fields": fields,
                  "render": uuid.uuid4().hex[:8]}
    props = grid_props(pattern_id, columns, height=height, csv_name=export_name,
                       cacheBlockSize=BLOCK_SIZE,
                       infiniteInitialRowCount=max(1, min(total_rows, BLOCK_SIZE)),
                       maxBlocksInCache=20, **options)
    return html.Div(dag.AgGrid(rowModelType="infinite", **props), id=grid_id)


def register_callbacks(app) -> None:
    pattern = {"type": SERVER_GRID, "name": MATCH, "fields": MATCH, "render": MATCH}
    app.callback(
        Output(pattern, "getRowsResponse"), Input(pattern, "getRowsRequest"),
        State(pattern, "id"), *FILTER_STATES, prevent_initial_call=True,
    )(get_rows)


def get_rows(request, grid_id, start, end, lines, shifts, styles):
    """One block of a server grid's rows for the filter bar's selection and the user's scope."""
    if not request:
        return no_update
    name = grid_id.get("name")
    if name not in EXPORTS:
        log.error("server grid %r has no registered export", name)
        return EMPTY_BLOCK
    filters = filters_or_none(start, end, lines, shifts, styles)
    if filters is None:
        return EMPTY_BLOCK
    ctx, scope = current(), request_user().scope
    try:
        validate_filters(ctx, filters, scope)
    except FilterError:
        return EMPTY_BLOCK
    df = EXPORTS[name](ctx, filters, scope)
    try:
        return rows_block(df, request, grid_id.get("fields", "").split(","))
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        log.warning("server grid %r: bad rows request %r (%s)", name, request, err)
        return EMPTY_BLOCK


def rows_block(df: pd.DataFrame | None, request: dict, fields: list[str]) -> dict:
    """{rowData, rowCount}: `df` filtered and sorted as the request says, rows startRow:endRow.

    Raises ValueError for a block that is not a range of at most MAX_BLOCK rows.
    """
    start, end = int(request.get("startRow") or 0), int(request.get("endRow") or 0)
    if start < 0 or end < start or end - start > MAX_BLOCK:
        raise ValueError(f"rows {start}:{end} is not a block")
    if df is None or df.empty:
        return EMPTY_BLOCK
    shown = sort_frame(filter_frame(df, request.get("filterModel") or {}),
                       request.get("sortModel") or [])
    return {"rowData": records(shown.iloc[start:end], [f for f in fields if f in df.columns]),
            "rowCount": len(shown)}


# --- sorting -------------------------------------------------------------------------------------

def sort_frame(df: pd.DataFrame, sort_model: list[dict]) -> pd.DataFrame:
    """Rows in the sortModel's order ([{colId, sort: asc|desc}], first key first); blanks last."""
    keys = [(s["colId"], s.get("sort") != "desc") for s in sort_model
            if s.get("colId") in df.columns]
    for s in sort_model:
        if s.get("colId") not in df.columns:
            log.info("server grid: sort on unknown column %r ignored", s.get("colId"))
    if not keys:
        return df
    return df.sort_values([c for c, _ in keys], ascending=[a for _, a in keys],
                          na_position="last", kind="stable", key=_sort_key)


def _sort_key(series: pd.Series) -> pd.Series:
    """Numbers as numbers; anything else as case-folded text (mixed types cannot compare)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    return series.map(lambda v: None if _blank(v) else str(v).casefold())


# --- filtering -----------------------------------------------------------------------------------

def filter_frame(df: pd.DataFrame, filter_model: dict) -> pd.DataFrame:
    """Rows passing every column's filter; unknown columns or filter types are skipped."""
    mask = pd.Series(True, index=df.index)
    for col_id, model in filter_model.items():
        if col_id not in df.columns:
            log.info("server grid: filter on unknown column %r ignored", col_id)
            continue
        passed = _model_mask(df[col_id], model)
        if passed is not None:
            mask &= passed
    return df[mask]


def _model_mask(values: pd.Series, model: dict) -> pd.Series | None:
    """One column's filter: a single condition, or conditions joined by AND/OR."""
    conditions = model.get("conditions")
    if conditions is None and "condition1" in model:  # the shape before AG Grid 29
        conditions = [c for c in (model.get("condition1"), model.get("condition2")) if c]
    if conditions is None:
        return _condition_mask(values, {"filterType": model.get("filterType"), **model})
    masks = [m for m in (_condition_mask(values, {"filterType": model.get("filterType"), **c})
                         for c in conditions) if m is not None]
    if not masks:
        return None
    combine = np.logical_or if str(model.get("operator", "AND")).upper() == "OR" \
        else np.logical_and
    out = masks[0]
    for m in masks[1:]:
        out = combine(out, m)
    return out


def _condition_mask(values: pd.Series, cond: dict) -> pd.Series | None:
    kind, op = cond.get("filterType"), cond.get("type")
    blank = values.map(_blank)
    if op == "blank":
        return blank
    if op == "notBlank":
        return ~blank
    test = {"text": _text_mask, "number": _number_mask, "date": _date_mask}.get(kind)
    mask = test(values, op, cond) if test else None
    if mask is None:
        log.info("server grid: filter %r/%r ignored", kind, op)
    return mask


def _text_mask(values: pd.Series, op, cond) -> pd.Series | None:
    """AG Grid's text filter: case-insensitive; a blank cell never contains or equals text."""
    needle = str(cond.get("filter") or "").casefold()
    text = values.map(lambda v: "" if _blank(v) else str(v).casefold())
    tests = {
        "contains": lambda: text.str.contains(needle, regex=False),
        "notContains": lambda: ~text.str.contains(needle, regex=False),
        "equals": lambda: text == needle,
        "notEqual": lambda: text != needle,
        "startsWith": lambda: text.str.startswith(needle),
        "endsWith": lambda: text.str.endswith(needle),
    }
    return tests[op]() if op in tests else None


def _number_mask(values: pd.Series, op, cond) -> pd.Series | None:
    """AG Grid's number filter; inRange excludes its ends (its default); blanks never pass."""
    numbers = pd.to_numeric(values, errors="coerce")
    low, high = cond.get("filter"), cond.get("filterTo")
    return _compare(numbers, op, _number(low), _number(high))


def _date_mask(values: pd.Series, op, cond) -> pd.Series | None:
    """AG Grid's date filter ("YYYY-MM-DD hh:mm:ss" bounds) compares calendar days."""
    days = pd.to_datetime(values, errors="coerce").dt.normalize()
    return _compare(days, op, _day(cond.get("dateFrom")), _day(cond.get("dateTo")))


def _compare(values: pd.Series, op, low, high) -> pd.Series | None:
    if low is None or (op == "inRange" and high is None):
        return None
    tests = {
        "equals": lambda: values == low, "notEqual": lambda: values.notna() & (values != low),
        "lessThan": lambda: values < low, "lessThanOrEqual": lambda: values <= low,
        "greaterThan": lambda: values > low, "greaterThanOrEqual": lambda: values >= low,
        "inRange": lambda: (values > min(low, high)) & (values < max(low, high)),
    }
    return tests[op]().fillna(False).astype(bool) if op in tests else None


def _number(v) -> float | None:
    try:
        out = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _day(v) -> pd.Timestamp | None:
    day = pd.to_datetime(str(v)[:10], errors="coerce") if v else pd.NaT
    return None if pd.isna(day) else day


def _blank(v) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()
