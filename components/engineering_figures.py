"""Figures of the Engineering page: a line's balance by operation, the changeover learning curve.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.figures import COLORS, base_layout


def balance_chart(rows: pd.DataFrame, total: dict) -> go.Figure:
    """A horizontal bar per operation in sewing order (top to bottom): pieces per hour against
    the line's target per hour (a dashed line), with each operation's standard capacity as a
    diamond; the bottleneck's bar is red and labelled. Horizontal: operation names stay
    readable on a phone."""
    labels = [f"{s}. {op}" for s, op in zip(rows["sequence"], rows["operation"])]
    neck = rows["bottleneck"].astype(bool).tolist()
    colors = [COLORS["bad"] if b else COLORS["output"] for b in neck]
    balance = [("—" if pd.isna(v) else f"{v:.0f} %") for v in rows["balance_pct"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=labels, x=rows["pieces_per_hour"], orientation="h", name="Pieces per hour",
        marker_color=colors, customdata=balance,
        hovertemplate="%{y}: %{x:,.1f}/h · %{customdata} of target<extra></extra>"))
    fig.add_trace(go.Scatter(
        y=labels, x=rows["standard_capacity_per_hour"], mode="markers",
        name="Standard capacity", marker=dict(symbol="diamond", size=11, color="#0f172a",
                                              line=dict(color="#fff", width=1)),
        hovertemplate="%{y}: %{x:,.1f}/h at 100 % of standard<extra></extra>"))
    target = total.get("target_per_hour")
    if target is not None:
        fig.add_trace(go.Scatter(
            y=[labels[0], labels[-1]] if labels else [], x=[target, target], mode="lines",
            name=f"Target {target:,.0f}/h", line=dict(color=COLORS["target"], width=2,
                                                      dash="dash"),
            hoverinfo="skip"))
    for label, is_neck, pph in zip(labels, neck, rows["pieces_per_hour"]):
        if is_neck:
            # inside the bar's end: outside it would sit on the capacity diamond
            fig.add_annotation(y=label, x=pph, text="bottleneck", showarrow=False,
                               xanchor="right", xshift=-4, font=dict(color="white", size=11))
    fig = base_layout(fig, x_title="pieces per hour")
    fig.update_layout(hovermode="closest", bargap=0.3, margin=dict(l=10, r=20, t=10, b=40))
    fig.update_yaxes(autorange="reversed", type="category", title_text="")
    fig.update_xaxes(showgrid=True, gridcolor="#eef2f7", rangemode="tozero")
    return fig


def learning_chart(curve: pd.DataFrame, own: pd.DataFrame, steady) -> go.Figure:
    """SMV efficiency by day since changeover: each changeover's own curve thin and grey, the
    selection's (ratio of sums) bold with the number of changeovers behind each point, and the
    steady state and 90 % of it as reference lines."""
    fig = go.Figure()
    for i, ((_line, style, start), g) in enumerate(own.groupby(
            ["line_code", "style_code", "run_start"], sort=True)):
        fig.add_trace(go.Scatter(
            x=g["k"], y=g["efficiency_pct"], mode="lines", name="each changeover",
            legendgroup="own", showlegend=i == 0, line=dict(color="#cbd5e1", width=1),
            hovertemplate=f"{style} from {start}: day %{{x}} %{{y:.1f}} %<extra></extra>"))
    points = curve[curve["changeovers"] > 0]
    fig.add_trace(go.Scatter(
        x=points["k"], y=points["efficiency_pct"], mode="lines+markers",
        name="all changeovers", line=dict(color=COLORS["output"], width=3),
        marker=dict(size=8), customdata=points["changeovers"],
        hovertemplate="day %{x}: %{y:.1f} % over %{customdata} changeover(s)<extra></extra>"))
    # the count behind each point, in a row along the bottom where it never hides the curve
    fig.add_trace(go.Scatter(
        x=points["k"], y=[0] * len(points), mode="text", showlegend=False,
        text=[str(n) for n in points["changeovers"]], textposition="top center",
        textfont=dict(size=11, color="#64748b"), hoverinfo="skip"))
    if steady is not None:
        fig.add_hline(y=steady, line_dash="dash", line_color=COLORS["good"],
                      annotation_text=f"steady {steady:.1f} %", annotation_position="top left")
        fig.add_hline(y=0.9 * steady, line_dash="dot", line_color=COLORS["muted"],
                      annotation_text="90 % of steady", annotation_position="bottom right")
    fig = base_layout(fig, y_title="SMV efficiency %", x_title="day since changeover")
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(dtick=1, range=[0.5, 15.5], showgrid=False)
    fig.update_yaxes(rangemode="tozero")
    return fig
