"""Figures for the loss pages (quality, downtime) and trends: Paretos, per-line trends, stacks."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.figures import COLORS, _time_axis, base_layout
from metrics.quality import NOT_GIVEN

# ISO timestamps in grids read as "2026-03-02 08:10"
TIMESTAMP = {"function": "params.value ? params.value.replace('T', ' ').slice(0, 16) : ''"}
CATEGORY_PALETTE = ["#dc2626", "#f59e0b", "#7c3aed", "#0891b2", "#16a34a", "#db2777",
                    "#4f46e5", "#65a30d", "#ea580c", "#0d9488"]


def pareto(df: pd.DataFrame, key: str, value: str, *, unit: str, color: str = COLORS["bad"]
           ) -> go.Figure:
    """Bars largest first with the cumulative % on a second axis (80 % marked).

    The report has folded a long tail into one "Other (n)" row (metrics.quality.fold_tail),
    which is not clickable for a drill."""
    labels = df[key].fillna(NOT_GIVEN).astype(str)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=df[value], name=unit.strip() or value,
                         marker_color=color, hovertemplate="%{x}: %{y:,.0f}" + unit
                         + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=labels, y=df["cum_pct"], name="cumulative %", yaxis="y2",
                             mode="lines+markers", line=dict(color="#334155", width=2),
                             hovertemplate="cumulative %{y:.1f} %<extra></extra>"))
    base_layout(fig, y_title=unit.strip())
    fig.update_layout(hovermode="closest", showlegend=False, yaxis2=dict(
        overlaying="y", side="right", range=[0, 105], ticksuffix=" %", showgrid=False,
        title="cumulative %", tickmode="array", tickvals=[0, 20, 40, 60, 80, 100],
        ticktext=[f"{v} %" for v in (0, 20, 40, 60, 80, 100)]),
        margin=dict(l=50, r=50, t=30, b=90))
    fig.add_hline(y=80, line=dict(color="#94a3b8", dash="dot", width=1), yref="y2")
    fig.update_xaxes(type="category", tickangle=-35)
    return fig


def quality_by_day(daily: pd.DataFrame) -> go.Figure:
    """DHU and % defective per day, FPY on the right axis."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=daily["date"], y=daily["dhu"], name="DHU", mode="lines+markers",
                             line=dict(color=COLORS["bad"], width=2),
                             hovertemplate="DHU %{y:.1f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=daily["date"], y=daily["defective_pct"], name="% defective",
                             mode="lines+markers", line=dict(color=COLORS["target"], width=2),
                             hovertemplate="%{y:.1f} % defective<extra></extra>"))
    fig.add_trace(go.Scatter(x=daily["date"], y=daily["fpy_pct"], name="FPY %", yaxis="y2",
                             mode="lines", line=dict(color=COLORS["good"], width=2, dash="dash"),
                             hovertemplate="FPY %{y:.1f} %<extra></extra>"))
    base_layout(fig, y_title="DHU · % defective")
    low = daily["fpy_pct"].min()
    low = 0.0 if low != low else max(0.0, float(low) - 10.0)
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", ticksuffix=" %",
                                  showgrid=False, title="FPY", range=[low, 100.5],
                                  tickmode="linear", tick0=0, dtick=10 if low < 70 else 5))
    if daily["date"].nunique() == 1:
        fig.update_traces(mode="markers", marker=dict(size=10))
    return _time_axis(fig, "day")


def stacked_by_day(df: pd.DataFrame, group: str, value: str, *, y_title: str,
                   order: list[str] | None = None) -> go.Figure:
    """Bars per day stacked by `group` (e.g. downtime minutes by category)."""
    fig = go.Figure()
    groups = order or sorted(df[group].dropna().unique())
    for i, name in enumerate(groups):
        part = df[df[group] == name]
        fig.add_trace(go.Bar(x=part["date"], y=part[value], name=str(name),
                             marker_color=CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)],
                             hovertemplate=f"{name}: " + "%{y:,.0f}<extra></extra>"))
    base_layout(fig, y_title=y_title)
    fig.update_layout(barmode="stack", bargap=0.25)
    return _time_axis(fig, "day")


def horizontal_bars(df: pd.DataFrame, key: str, value: str, *, unit: str,
                    color: str = COLORS["bad"]) -> go.Figure:
    """Largest at the top: for a drill's short list (reasons of one category)."""
    df = df.sort_values(value, ascending=True)
    fig = go.Figure(go.Bar(x=df[value], y=df[key].fillna(NOT_GIVEN), orientation="h",
                           marker_color=color, text=[f"{v:,.0f}{unit}" for v in df[value]],
                           textposition="auto",
                           hovertemplate="%{y}: %{x:,.0f}" + unit + "<extra></extra>"))
    base_layout(fig, x_title=unit.strip())
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(l=180, r=20, t=10,
                                                                          b=40))
    return fig


def trend(daily: pd.DataFrame, key: str, *, label: str, unit: str, color: str) -> go.Figure:
    """Daily values (light) and the trailing 7-day value (bold) of one trend series."""
    fig = go.Figure()
    suffix = unit if unit.strip() else ""
    fmt = ",.0f" if unit.strip() in ("pcs", "min") else ",.1f"
    fig.add_trace(go.Scatter(x=daily["date"], y=daily[key], name="daily", mode="markers+lines",
                             line=dict(color=color, width=1), opacity=0.35,
                             marker=dict(size=4), connectgaps=False,
                             hovertemplate="%{y:" + fmt + "}" + suffix + "<extra>daily</extra>"))
    fig.add_trace(go.Scatter(x=daily["date"], y=daily[f"{key}_7d"], name="7-day", mode="lines",
                             line=dict(color=color, width=3),
                             hovertemplate="%{y:" + fmt + "}" + suffix
                             + "<extra>7-day</extra>"))
    title = f"{label} ({unit.strip()})" if unit.strip() else label
    return _time_axis(base_layout(fig, y_title=title), "day")
