"""Engineering (/engineering): one line's balance by operation and how its changeovers ramp up.

The page studies one line at a time: the line picker sets the filter bar's line (so the URL,
the exports and the other pages follow it); with several lines or none selected it shows the
first line the user may read.
"""
from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from components import engineering_figures as figures
from components import grid as g
from components import ids
from components.cards import chart_card, empty_state, fmt, graph
from components.page import page_layout, register_content
from core.context import current
from reports import engineering as reports
from reports.production import filter_options

dash.register_page(__name__, path="/engineering", name="Engineering",
                   title="Engineering · FloorPulse", order=65)

PAGE = "engineering"
LBE_FORMULA = "LBE = Σ SMV / (Σ operators × max(SMV / operators)) × 100"

NECK = {"cell-red": "params.data.bottleneck"}
WRAP = {"wrapHeaderText": True, "autoHeaderHeight": True}
BALANCE_COLUMNS = [
    g.col("sequence", "#", "int", maxWidth=60, minWidth=55),
    g.col("operation", "Operation", minWidth=140, cellClassRules=NECK, pinned="left"),
    g.col("smv", "SMV", "dec", maxWidth=90),
    g.col("qty", "Pieces", "int"),
    g.col("operator_minutes", "Operator-minutes", "int", **WRAP),
    g.col("operators", "Operators", "dec", tooltipField="operators_note"),
    g.col("pieces_per_hour", "Pieces / h", "dec", **WRAP),
    g.col("target_per_hour", "Target / h", "dec", **WRAP),
    g.col("balance_pct", "Balance", "pct", cellClassRules=NECK),
    g.col("standard_capacity_per_hour", "Std capacity / h", "dec", **WRAP),
    g.col("gap", "Gap", maxWidth=100),
]
CURVE_COLUMNS = [
    g.col("k", "Day", "int", maxWidth=70), g.col("efficiency_pct", "SMV efficiency", "pct"),
    g.col("changeovers", "Changeovers", "int"),
    g.col("target_pct", "Proposed target", "pct", **WRAP),
]
CHANGEOVER_COLUMNS = [
    g.col("date", "Day", minWidth=110), g.col("previous_style", "From", minWidth=100),
    g.col("style_code", "To", minWidth=100), g.col("days", "Days followed", "int", **WRAP),
    g.col("day1_pct", "Day 1", "pct"), g.col("efficiency_pct", "Over its days", "pct", **WRAP),
    g.col("days_to_90", "Days to 90 %", "int", **WRAP),
]


DEFAULT_DAYS = 30  # a week rarely holds a changeover followed to its steady days


def layout(**query):
    if not query.get("start") and not query.get("end"):
        today = current().today()
        query = {**query, "start": (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
                 "end": (today - timedelta(days=1)).isoformat()}
    return page_layout(PAGE, "Engineering", query,
                       subtitle="Line balance by operation and learning after style changeovers")


def _line_picker(ctx, scope, line: str) -> html.Div:
    lines = filter_options(ctx)["lines"]
    if scope is not None and not lines.empty:
        lines = lines[lines["line_code"].isin(scope)]
    options = [{"label": f"{r.line_code} · {r.name}" if r.name else r.line_code,
                "value": r.line_code} for r in lines.itertuples(index=False)]
    return html.Div([
        html.Label("Line", htmlFor="engineering-line", className="summary-key"),
        dcc.Dropdown(id="engineering-line", options=options, value=line, clearable=False,
                     searchable=True, className="engineering-line-picker"),
    ], className="engineering-picker")


def _summary(line, balance, learning) -> html.Div:
    total = balance["total"]
    neck = total["bottleneck"]
    items = [
        ("Working hours", fmt(total["working_hours"], 1, " h")),
        ("Target", fmt(total["target_per_hour"], 1, " /h")),
        ("LBE", fmt(total["lbe_pct"], 1, " %")),
        ("Bottleneck", neck or "—"),
        ("Steady efficiency", fmt(learning["steady_pct"], 1, " %")),
        ("Days to 90 %", fmt(learning["days_to_90"], 0)),
    ]
    return html.Div([html.Span([html.Span(k, className="summary-key"),
                                html.Span(v, className="summary-value")], className="summary-item")
                     for k, v in items], className="summary-strip mb-2", id="engineering-summary")


def _lbe_subtitle(total) -> str:
    if total["working_hours"] is None:  # operators = minutes / (H x 60) need H
        return LBE_FORMULA + " — needs the line's working hours (its plan rows)"
    if total["lbe_pct"] is None:
        return LBE_FORMULA + " — needs operations with operator-minutes"
    return (f"{LBE_FORMULA} = {total['lbe_smv']:.2f} / ({total['lbe_operators']:.1f} × "
            f"{total['lbe_cycle']:.2f}) × 100 = {total['lbe_pct']:.1f} %")


def _ramp_text(learning) -> str:
    """The ramp as a planner would set it: day by day until the first day at full target (the
    grid keeps every day's number, also those above 100 % that noisy days give)."""
    ramp = learning["ramp"].dropna(subset=["target_pct"])
    if ramp.empty:
        return ("No ramp to propose: no changeover in this window was followed to day 8, "
                "so there is no steady state to scale from.")
    steps = []
    for k, pct in zip(ramp["k"], ramp["target_pct"]):
        if pct >= 100:
            steps.append(f"full target from day {int(k)}")
            break
        steps.append(f"day {int(k)} {pct:.0f} %")
    return f"Proposed targets for the next changeover: {', '.join(steps)}."


def build(ctx, filters, scope):
    view = reports.engineering_view(ctx, filters, scope)
    line = view["line_code"]
    if line is None:
        return empty_state(hint="There is no line you may read.")
    balance, learning = view["balance"], view["learning"]
    rows, total = balance["rows"], balance["total"]
    note = (f"Engineering studies one line at a time: showing {line}, the first of your "
            f"selection." if len(filters.lines) > 1 else None)
    head = html.Div([
        _line_picker(ctx, scope, line),
        html.Div([html.Div(balance["reading"], id="engineering-reading",
                           className="engineering-reading"),
                  html.Div(note, className="text-muted small") if note else None],
                 className="engineering-reading-box"),
    ], className="engineering-head mb-2")
    balance_body = (graph(figures.balance_chart(rows, total), "engineering-balance-graph",
                          height=max(260, 34 * len(rows) + 90))
                    if not rows.empty else empty_state(
                        hint="No operator output on this line in this window."))
    curve, own = learning["curve"], learning["own_curves"]
    curve_body = (graph(figures.learning_chart(curve, own, learning["steady_pct"]),
                        "engineering-learning-graph")
                  if (curve["changeovers"] > 0).any() else empty_state(
                      hint="No style changeover on this line in this window."))
    return html.Div([
        head,
        _summary(line, balance, learning),
        dbc.Row([dbc.Col(chart_card(
            f"Line balance · {line}", balance_body, export=f"{PAGE}-balance",
            subtitle="pieces per hour by operation in sewing order; ◆ standard capacity "
                     "(operator-minutes / SMV / hours); dashed: the line's target per hour",
            card_id="card-engineering-balance"), lg=12)], className="g-3 mb-3"),
        html.Div(_lbe_subtitle(total), className="engineering-formula mb-2",
                 id="engineering-lbe"),
        dbc.Row([dbc.Col(chart_card(
            "Operations", g.grid("engineering-balance-grid", rows, BALANCE_COLUMNS,
                                 height=min(520, 42 * len(rows) + 90),
                                 extra_fields=("bottleneck",)),
            export=f"{PAGE}-operations", excel=True,
            subtitle="operators = operator-minutes / (working hours × 60); "
                     "gap: below target at standard = staffing, above = pace"), lg=12)],
            className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(chart_card("Learning after changeover", curve_body, export=f"{PAGE}-curve",
                               subtitle="SMV efficiency by day since the changeover (Σ earned "
                                        "/ Σ available minutes); grey numbers: changeovers "
                                        "behind each day"), lg=7),
            dbc.Col(chart_card("Proposed ramp targets", html.Div([
                html.P(_ramp_text(learning), className="small", id="engineering-ramp"),
                g.grid("engineering-curve-grid", curve.merge(learning["ramp"][["k", "target_pct"]],
                                                               on="k"),
                       CURVE_COLUMNS, height=300)]), export=f"{PAGE}-ramp", excel=True,
                subtitle="day k = full target × efficiency of day k / steady efficiency"),
                lg=5),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(chart_card(
            "Changeovers", g.grid("engineering-changeovers-grid", learning["changeovers"],
                                  CHANGEOVER_COLUMNS,
                                  height=min(420, 42 * len(learning["changeovers"]) + 90)),
            export=f"{PAGE}-changeovers", excel=True,
            subtitle="a changeover: the first day of a style after a day of another; "
                     "followed to the end of the window"), lg=12)], className="g-3"),
    ])


register_content(PAGE, build)


@callback(Output(ids.LINES, "value"), Input("engineering-line", "value"),
          prevent_initial_call=True)
def pick_line(line):
    """The picker sets the filter bar's line: the content, the URL and the exports follow."""
    return [line] if line else no_update


