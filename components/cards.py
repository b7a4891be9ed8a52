"""KPI cards, chart cards with CSV export, and the empty state."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.figures import compact

EMPTY_TEXT = "No data for this selection."


def fmt(value, digits: int = 0, unit: str = "") -> str:
    """Round for display only; null shows as an em dash (SPEC section 4)."""
    if value is None or value != value:  # NaN
        return "—"
    return f"{value:,.{digits}f}{unit}"


def kpi_card(kpi: dict) -> dbc.Card:
    points = kpi.get("change_pts")
    change = points if points is not None else kpi.get("change_pct")
    unit = "pts" if points is not None else "%"
    if kpi.get("note"):
        delta = html.Span(kpi["note"], className="kpi-delta text-muted")
    elif change is None:
        delta = html.Span("no previous period to compare" if kpi.get("previous") is None
                          else "— vs previous period", className="kpi-delta text-muted")
    else:
        good = (change >= 0) == (kpi.get("better", "up") == "up")
        arrow = "▲" if change >= 0 else "▼"
        delta = html.Span(f"{arrow} {abs(change):.1f} {unit} vs previous period",
                          className=f"kpi-delta {'text-success' if good else 'text-danger'}")
    return dbc.Card(dbc.CardBody([
        html.Div(kpi["label"], className="kpi-label"),
        html.Div(fmt(kpi["value"], kpi.get("digits", 0), kpi.get("unit", "")),
                 className="kpi-value", id=f"kpi-{kpi['key']}"),
        delta,
    ]), className="kpi-card h-100")


def summary_strip(items, element_id: str, *, value_ids: dict | None = None) -> html.Div:
    """The strip of key figures above a page's charts: `items` are (label, text) pairs;
    `value_ids` gives some values an id of their own (label -> id) for tests to find."""
    value_ids = value_ids or {}
    return html.Div([html.Span([html.Span(k, className="summary-key"),
                                html.Span(v, className="summary-value",
                                          **({"id": value_ids[k]} if k in value_ids else {}))],
                               className="summary-item") for k, v in items],
                    className="summary-strip mb-3", id=element_id)


def empty_state(message: str = EMPTY_TEXT, hint: str | None = None) -> html.Div:
    return html.Div([html.Div("∅", className="empty-icon"), html.Div(message, className="fw-semibold"),
                     html.Div(hint, className="text-muted small") if hint else None],
                    className="empty-state")


def export_button(name: str, *, excel: bool = False) -> html.Span:
    """CSV (and, for grids, Excel) download buttons for the data behind a card."""
    formats = [("csv", "CSV")] + ([("xlsx", "Excel")] if excel else [])
    parts = []
    for fmt_code, label in formats:
        parts += [
            dbc.Button(label, id={"type": ids.EXPORT_BUTTON, "name": name, "format": fmt_code},
                       size="sm", color="light", className="export-btn ms-1",
                       title=f"Download this data as {label}"),
            dcc.Download(id={"type": ids.EXPORT_DOWNLOAD, "name": name, "format": fmt_code}),
        ]
    return html.Span(parts)


def chart_card(title: str, body, *, export: str | None = None, subtitle: str | None = None,
               card_id: str | None = None, excel: bool = False) -> dbc.Card:
    header = html.Div([
        html.Div([html.Span(title, className="card-title-text"),
                  html.Span(subtitle, className="card-subtitle") if subtitle else None]),
        export_button(export, excel=excel) if export else None,
    ], className="d-flex justify-content-between align-items-center")
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className="chart-card h-100",
                    id=card_id or f"card-{export or title.lower().replace(' ', '-')}")


def graph(figure, graph_id: str, height: int = 320):
    return dcc.Graph(id=graph_id, figure=compact(figure), config={"displaylogo": False,
                     "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
                     style={"height": f"{height}px"})


def kpi_strip(cards) -> html.Div:
    """The KPI cards of a page as one strip: rows of up to five on a wide screen (kpi-many when
    there are more than six), a compact strip that scrolls sideways on a phone (assets/app.css)."""
    cards = list(cards)
    return html.Div([kpi_card(k) for k in cards],
                    className="kpi-strip" + (" kpi-many" if len(cards) > 6 else ""))
