"""KPI cards, chart cards with CSV export, and the empty state."""
from __future__ import annotations

from urllib.parse import quote

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


def kpi_href(kpi, filters, here: str | None = None) -> str | None:
    """The page and filters showing a card's detail (its explanation's page with the same
    filters; the one line's own page for a line's production), or None on that page itself."""
    why = kpi.explanation if hasattr(kpi, "explanation") else None
    if why is None or why.page == here:
        return None
    path = why.page
    if path == "/lines" and len(filters.lines) == 1:
        path = f"/lines/{quote(filters.lines[0], safe='')}"
    return path + filters.to_query()


STATUS_WORDS = {"green": "on target", "amber": "close to target", "red": "off target"}


def kpi_card(kpi, href: str | None = None) -> dbc.Card:
    """A KPI card: value, change, its traffic light, an (i) that says what it means (hover, focus
    or tap) and, with `href`, a link to the page and filters with its detail."""
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
    key = kpi["key"]
    why = kpi.explanation if hasattr(kpi, "explanation") else None
    status = kpi.get("status")
    info = []
    if why is not None:
        words = [html.Div(why.definition),
                 html.Div([html.Span("Formula: ", className="fw-semibold"), why.formula],
                          className="mt-1 kpi-formula")]
        if status in STATUS_WORDS and kpi.get("threshold"):
            words.append(html.Div(f"Colour: {STATUS_WORDS[status]} ({kpi['threshold']})",
                                  className="mt-1"))
        info = [html.Button("i", id=f"info-kpi-{key}", className="kpi-info", type="button",
                            **{"aria-label": f"What {kpi['label']} means"}),
                dbc.Popover(dbc.PopoverBody(words), target=f"info-kpi-{key}",
                            trigger="hover focus legacy", placement="bottom",
                            id=f"explain-kpi-{key}")]
    label = html.Div([html.Span(kpi["label"]), *info], className="kpi-label",
                     title=f"{kpi['label']}: {why.formula}" if why else None)
    value = fmt(kpi["value"], kpi.get("digits", 0), kpi.get("unit", ""))
    body = [label, html.Div(value, className="kpi-value", id=f"kpi-{key}"), delta]
    if href:
        body.append(dcc.Link("Details →", href=href, id=f"link-kpi-{key}",
                             className="kpi-link"))
    light = f" kpi-{status}" if status in STATUS_WORDS else ""
    return dbc.Card(dbc.CardBody(body), className=f"kpi-card h-100{light}")


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
    # the buttons stay on one line; a long subtitle wraps instead
    return html.Span(parts, className="text-nowrap flex-shrink-0")


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


def kpi_strip(cards, filters=None, here: str | None = None) -> html.Div:
    """The KPI cards of a page as one strip: rows of up to five on a wide screen (kpi-many when
    there are more than six), a compact strip that scrolls sideways on a phone (assets/app.css).
    With `filters`, each card links to the page showing its detail (kpi_href)."""
    cards = list(cards)
    return html.Div([kpi_card(k, kpi_href(k, filters, here) if filters is not None else None)
                     for k in cards],
                    className="kpi-strip" + (" kpi-many" if len(cards) > 6 else ""))
