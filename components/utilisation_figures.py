"""Utilisation figures: utilisation and units per hour by day, the lowest ten, the state timeline."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.figures import COLORS, TRAFFIC, base_layout, by_line_over_days

STATE_COLORS = {"working": "#16a34a", "idle": "#f59e0b", "absent": "#94a3b8",
                "no data": "#e2e8f0"}


def by_day(daily: pd.DataFrame, column: str, y_title: str, suffix: str, digits: int,
           per: str = "day") -> go.Figure:
    """One trace per line over the days or weeks (bars by line, labelled, for a single day)."""
    return by_line_over_days(daily, column, y_title=y_title, fmt=f",.{digits}f", suffix=suffix,
                             labels=True, per=per)


def lowest(df: pd.DataFrame, label: str, reference: float | None, rule) -> go.Figure:
    """Horizontal bars of utilisation %, the lowest at the top, each coloured by the utilisation
    threshold `rule` (metrics/thresholds.py); the plant's utilisation is the dashed line;
    working and idle hours in the hover."""
    df = df.sort_values("utilisation_pct", ascending=False)
    colors = [TRAFFIC[rule.colour(v)] for v in df["utilisation_pct"]]
    fig = go.Figure(go.Bar(
        x=df["utilisation_pct"], y=df[label], orientation="h", marker_color=colors,
        text=[f"{v:.1f} %" for v in df["utilisation_pct"]], textposition="auto",
        customdata=df[["working_h", "idle_h"]].to_numpy(),
        hovertemplate="%{y}: %{x:.1f} %<br>working %{customdata[0]:.1f} h, "
                      "idle %{customdata[1]:.1f} h<extra></extra>"))
    fig = base_layout(fig, x_title="utilisation % (working / (working + idle))")
    if reference is not None:
        fig.add_vline(x=reference, line=dict(color=COLORS["output"], dash="dash", width=2))
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(l=150, r=20, t=30, b=40))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", showgrid=True, gridcolor="#eef2f7")
    fig.update_yaxes(type="category")
    return fig


def timeline(segments: pd.DataFrame) -> go.Figure:
    """A Gantt of each worker's day: one row a worker, one colour a state."""
    labels = segments["name"].astype(str) + " · " + segments["emp_code"].astype(str)
    seg = segments.assign(label=labels)
    order = list(dict.fromkeys(seg.sort_values(["emp_code"])["label"]))
    fig = go.Figure()
    for state, color in STATE_COLORS.items():
        part = seg[seg["state"] == state]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            y=part["label"], base=part["start"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            x=(part["end"] - part["start"]).dt.total_seconds() * 1000.0, orientation="h",
            name=state, marker=dict(color=color, line=dict(width=0)),
            customdata=list(zip(part["start"].dt.strftime("%H:%M"),
                                part["end"].dt.strftime("%H:%M"), part["minutes"].round(0))),
            hovertemplate="%{y}<br>" + state + " %{customdata[0]}–%{customdata[1]} "
                          "(%{customdata[2]:.0f} min)<extra></extra>"))
    fig = base_layout(fig)
    fig.update_layout(barmode="overlay", bargap=0.25, hovermode="closest",
                      margin=dict(l=160, r=20, t=10, b=40))
    fig.update_xaxes(type="date", tickformat="%H:%M", showgrid=True, gridcolor="#eef2f7")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1])
    return fig
