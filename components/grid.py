"""Grids: dash-ag-grid with sorting, filtering, resizing and CSV export built in."""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd

from core.serialize import records

PCT = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value) + ' %'"}
INT = {"function": "params.value == null ? '—' : d3.format(',.0f')(params.value)"}
DEC = {"function": "params.value == null ? '—' : d3.format(',.2f')(params.value)"}

DEFAULT_COL_DEF = {"sortable": True, "resizable": True, "filter": True, "minWidth": 80,
                   "suppressHeaderFilterButton": True}


def col(field: str, header: str, kind: str | None = None, **extra) -> dict:
    c = {"field": field, "headerName": header, **extra}
    if kind == "pct":
        c.update(valueFormatter=PCT, type="numericColumn", filter="agNumberColumnFilter")
    elif kind == "int":
        c.update(valueFormatter=INT, type="numericColumn", filter="agNumberColumnFilter")
    elif kind == "dec":
        c.update(valueFormatter=DEC, type="numericColumn", filter="agNumberColumnFilter")
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


def grid_props(grid_id, columns: list[dict], *, height: int, csv_name: str,
               **options) -> dict:
    """What every grid shares, client- or server-side: look, column defaults and options."""
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
