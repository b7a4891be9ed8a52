"""Grids: dash-ag-grid with sorting, filtering, resizing and CSV export built in."""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd

from api.serialize import records

PCT = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value) + ' %'"}
INT = {"function": "params.value == null ? '—' : d3.format(',.0f')(params.value)"}
DEC = {"function": "params.value == null ? '—' : d3.format(',.2f')(params.value)"}


def col(field: str, header: str, kind: str | None = None, **extra) -> dict:
    c = {"field": field, "headerName": header, **extra}
    if kind == "pct":
        c.update(valueFormatter=PCT, type="numericColumn", filter="agNumberColumnFilter")
    elif kind == "int":
        c.update(valueFormatter=INT, type="numericColumn", filter="agNumberColumnFilter")
    elif kind == "dec":
        c.update(valueFormatter=DEC, type="numericColumn", filter="agNumberColumnFilter")
    return c


def grid(grid_id: str, df: pd.DataFrame, columns: list[dict], *, height: int = 380,
         extra_fields: tuple[str, ...] = (), **options) -> dag.AgGrid:
    """A grid of `columns`; `extra_fields` ride along in the rows for styling rules."""
    fields = [c["field"] for c in columns if c.get("field") in df.columns]
    fields += [f for f in extra_fields if f in df.columns and f not in fields]
    return dag.AgGrid(
        id=grid_id, rowData=records(df, fields), columnDefs=columns,
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 80,
                       "suppressHeaderFilterButton": True},
        columnSize="responsiveSizeToFit", dashGridOptions={"animateRows": False, **options},
        style={"height": f"{height}px"},
        csvExportParams={"fileName": f"floorpulse-{grid_id}.csv"},
    )
