"""Figures of the Orders page: open orders against their due dates, on-time delivery."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from components.figures import COLORS, base_layout

RISK_COLORS = {"late": COLORS["bad"], "at_risk": COLORS["target"], "on_track": COLORS["good"],
               "no_pace": COLORS["muted"]}
TIMELINE_MAX_ORDERS = 25
DAY_MS = 24 * 3600 * 1000


def order_start(orders: pd.DataFrame, today: date) -> pd.Series:
    """When an order's bar starts: started, else planned, else today."""
    started = pd.to_datetime(orders["started_at"]).dt.normalize()
    planned = pd.to_datetime(orders["planned_start"])
    return started.fillna(planned).fillna(pd.Timestamp(today))


def orders_timeline(orders: pd.DataFrame, today: date) -> go.Figure:
    """One bar per open order (the most urgent first) from its start to its projected
    completion, coloured by risk, with its due date as a diamond and today as a line.
    Orders with no recent output run to today in grey: they have no projection."""
    top = orders.head(TIMELINE_MAX_ORDERS).copy()
    start = order_start(top, today)
    end = pd.to_datetime(top["projected_completion"]).fillna(pd.Timestamp(today))
    start = start.where(start <= end, end)
    # a bar covers whole days: from the start of its first day to the end of its last
    width = ((end - start).dt.days + 1) * DAY_MS
    fig = go.Figure()
    for risk, color in RISK_COLORS.items():
        part = top["risk"].eq(risk)
        if not part.any():
            continue
        label = top.loc[part, "risk_label"].iloc[0]
        fig.add_trace(go.Bar(
            y=top.loc[part, "wo_number"], base=start[part].dt.strftime("%Y-%m-%d"),
            x=width[part], orientation="h", marker_color=color, name=label, opacity=0.85,
            customdata=list(zip(top.loc[part, "line_code"], top.loc[part, "style_code"],
                                top.loc[part, "progress_pct"].fillna(0),
                                end[part].dt.strftime("%a %d %b"))),
            hovertemplate="%{y} · %{customdata[0]} · %{customdata[1]}<br>"
                          "%{customdata[2]:.0f} % sewn · projected %{customdata[3]}"
                          "<extra>" + label + "</extra>"))
    due = pd.to_datetime(top["due_date"])
    fig.add_trace(go.Scatter(
        y=top["wo_number"], x=(due + pd.Timedelta(hours=12)).dt.strftime("%Y-%m-%d %H:%M"),
        mode="markers", name="Due date",
        marker=dict(symbol="diamond", size=10, color="#0f172a", line=dict(color="#fff", width=1)),
        customdata=due.dt.strftime("%a %d %b"),
        hovertemplate="%{y} due %{customdata}<extra></extra>"))
    fig = base_layout(fig)
    fig.update_layout(barmode="overlay", hovermode="closest", bargap=0.35)
    fig.update_yaxes(autorange="reversed", type="category", title_text="")
    fig.update_xaxes(type="date", tickformat="%d %b", showgrid=True, gridcolor="#eef2f7")
    fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line_dash="dot",
                  line_color=COLORS["muted"], annotation_text="today",
                  annotation_position="bottom right")
    return fig


def timeline_height(orders: pd.DataFrame) -> int:
    return max(300, 90 + 24 * min(len(orders), TIMELINE_MAX_ORDERS))


def on_time_delivery(periods: pd.DataFrame, freq: str) -> go.Figure:
    """Completed orders per day or week, on time (green) and late (red), with on-time %."""
    per = "week" if freq == "W" else "day"
    x = periods["period"]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=periods["on_time"], name="On time", marker_color=COLORS["good"],
                         hovertemplate="%{y} on time"))
    fig.add_trace(go.Bar(x=x, y=periods["late"], name="Late", marker_color=COLORS["bad"],
                         hovertemplate="%{y} late"))
    fig.add_trace(go.Scatter(x=x, y=periods["on_time_pct"], name="On-time %", yaxis="y2",
                             mode="lines+markers", line=dict(color=COLORS["output"], width=2),
                             hovertemplate="%{y:.1f} %"))
    base_layout(fig, y_title=f"orders completed per {per}")
    fig.update_layout(barmode="stack", bargap=0.3, yaxis2=dict(
        title="on time %", overlaying="y", tickmode="auto", side="right", showgrid=False, ticksuffix=" %",
        range=[0, 105], dtick=25))
    if per == "week":
        fig.update_xaxes(tickformat="%d %b", hoverformat="week of %a %d %b %Y")
    else:
        fig.update_xaxes(tickformat="%a %d %b", hoverformat="%a %d %b %Y")
    # the left axis only: update_yaxes would give the percentage axis count ticks too
    fig.update_layout(yaxis=dict(rangemode="tozero", dtick=_count_tick(periods)))
    return fig


def _count_tick(periods: pd.DataFrame):
    """Whole-number ticks for small counts (no "2.5 orders")."""
    top = int(periods["completed"].max()) if len(periods) else 0
    return 1 if top <= 6 else None

