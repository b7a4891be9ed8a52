"""Grids: dash-ag-grid with sorting, filtering, resizing and CSV export built in."""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd

from core.serialize import records

PCT = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value) + ' %'"}
INT = {"function": "params.value == null ? '—' : d3.format(',.0f')(params.value)"}
DEC = {"function": "params.value == null ? '—' : d3.format(',.2f')(params.value)"}
DEC1 = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value)"}
# a quantity: as many decimals as it has, up to two ("2 pcs", "80.5 kg", never "2.00")
QTY = {"function": "params.value == null ? '—' : d3.format(',.2~f')(params.value)"}
HOURS = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value) + ' h'"}

# headers wrap onto a second line rather than cut a word ("Chec…"); a column is never narrower
# than its header's longest word (col() works that out)
DEFAULT_COL_DEF = {"sortable": True, "resizable": True, "filter": True, "minWidth": 80,
                   "suppressHeaderFilterButton": True, "wrapHeaderText": True,
                   "autoHeaderHeight": True}
# the header's font at its widest letters, plus the cell padding and the sort arrow
HEADER_CHAR_PX, HEADER_PADDING_PX, SORT_ARROW_PX = 7.8, 46, 22


def header_min_width(header: str) -> int:
    """The narrowest a column can be without cutting its header's longest word."""
    longest = max((len(word) for word in header.split()), default=0)
    return max(90, round(longest * HEADER_CHAR_PX + HEADER_PADDING_PX))


NUMBER_FORMATS = {"dec": DEC, "dec1": DEC1, "qty": QTY, "hours": HOURS}


def col(field: str, header: str, kind: str | None = None, **extra) -> dict:
    c = {"field": field, "headerName": header, **extra}
    # a sorted column's arrow takes a header's room: the column sorted on opening keeps it
    least = header_min_width(header) + (SORT_ARROW_PX if extra.get("sort") else 0)
    if c.get("maxWidth") and c["maxWidth"] < least:
        c["maxWidth"] = least
    c["minWidth"] = max(c.get("minWidth") or 0, least)
    if kind == "pct":
        c.update(valueFormatter=PCT, type="numericColumn", filter="agNumberColumnFilter")
    elif kind == "int":
        c.update(valueFormatter=INT, type="numericColumn", filter="agNumberColumnFilter")
    elif kind in NUMBER_FORMATS:
        c.update(valueFormatter=NUMBER_FORMATS[kind], type="numericColumn",
                 filter="agNumberColumnFilter")
    return c


def traffic(status_field: str) -> dict:
    """A column's cellClassRules colouring it by its row's traffic light `status_field` (the
    report puts it there with metrics/thresholds.py; the grid only paints it)."""
    return {"cellClassRules": {f"cell-{c}": f"params.data.{status_field} == '{c}'"
                               for c in ("green", "amber", "red")}}


def row_fields(columns: list[dict], extra_fields: tuple[str, ...] = ()) -> list[str]:
    """The fields a grid's rows carry: its columns', then `extra_fields` for styling rules."""
    fields = [c["field"] for c in columns if c.get("field")]
    return fields + [f for f in extra_fields if f not in fields]


def key_pinned(columns: list[dict]) -> list[dict]:
    """The columns with the first (the row's key: line, order, employee) pinned to the left
    unless one already is, so a narrow screen scrolls the numbers and keeps the key in view."""
    if not columns or any(c.get("pinned") == "left" for c in columns):
        return columns
    return [{**columns[0], "pinned": "left"}, *columns[1:]]


def grid_props(grid_id, columns: list[dict], *, height: int, csv_name: str,
               **options) -> dict:
    """What every grid shares, client- or server-side: look, column defaults and options."""
    columns = key_pinned(columns)
    return dict(
        id=grid_id, columnDefs=columns, defaultColDef=DEFAULT_COL_DEF,
        columnSize="responsiveSizeToFit", dashGridOptions={"animateRows": False, **options},
        style={"height": f"{height}px"},
        csvExportParams={"fileName": f"floorpulse-{csv_name}.csv"},
    )


def grid(grid_id: str, df: pd.DataFrame, columns: list[dict], *, height: int = 380,
         extra_fields: tuple[str, ...] = (), **options) -> dag.AgGrid:
    """A grid of `columns` with every row in the browser; for small tables (see server_grid)."""
    fields = [f for f in row_fields(columns, extra_fields) if f in df.columns]
    return dag.AgGrid(rowData=records(df, fields),
                      **grid_props(grid_id, columns, height=height, csv_name=grid_id, **options))
