"""Figure builders: small, aggregated figures with one look across the app."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

COLORS = {
    "output": "#2563eb", "target": "#f59e0b", "good": "#16a34a", "bad": "#dc2626",
    "muted": "#94a3b8", "wip": "#7c3aed",
    "target_bar": "rgba(148,163,184,0.35)",  # a grey that reads on a light and a dark card
}
LINE_PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#7c3aed", "#f59e0b", "#0891b2", "#db2777",
                "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207"]


# Plotly writes a figure's whole template into its JSON: "plotly_white" is 7 KB a figure (70 KB
# a page of ten). This one keeps its look in a few hundred bytes.
_AXIS = dict(gridcolor="#eef2f7", linecolor="#e2e8f0", zerolinecolor="#e2e8f0", ticks="",
             automargin=True, title=dict(standoff=10))
TEMPLATE = go.layout.Template(layout=dict(
    # transparent: the card's background shows through, light or dark (assets/app.css)
    paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", font=dict(color="#2a3f5f"),
    colorway=LINE_PALETTE, xaxis=_AXIS, yaxis=_AXIS, hoverlabel=dict(align="left"),
))


def base_layout(fig: go.Figure, *, y_title: str = "", x_title: str = "",
                revision: str = "keep") -> go.Figure:
    fig.update_layout(
        template=TEMPLATE, margin=dict(l=50, r=20, t=10, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hovermode="x unified", uirevision=revision,
        font=dict(family="Inter, system-ui, -apple-system, Segoe UI, sans-serif", size=12),
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#eef2f7", zeroline=False)
    fig.update_xaxes(title_text=x_title, showgrid=False)
    return fig


def output_vs_target(hourly: pd.DataFrame, *, cumulative: bool = False, x: str = "slot"
                     ) -> go.Figure:
    """Bars of output per hour (or day) with the target as a step line (or both cumulative)."""
    fig = go.Figure()
    per = "hour" if x == "slot" else "day"
    if per == "hour" and not cumulative and not hourly.empty:
        # hours with no shift stay empty: the target line breaks instead of bridging the gap
        full = pd.date_range(hourly["slot"].min(), hourly["slot"].max(), freq="h")
        hourly = pd.DataFrame({"slot": full}).merge(hourly, on="slot", how="left")
    x = hourly[x]
    if cumulative:
        fig.add_trace(go.Scatter(x=x, y=hourly["output_cum"], name="Output (cumulative)",
                                 mode="lines", line=dict(color=COLORS["output"], width=3),
                                 fill="tozeroy", fillcolor="rgba(37,99,235,0.08)"))
        fig.add_trace(go.Scatter(x=x, y=hourly["target_cum"], name="Target (cumulative)",
                                 mode="lines", line=dict(color=COLORS["target"], width=2,
                                                         dash="dash")))
        return _time_axis(base_layout(fig, y_title="pieces"), per)
    colors = [COLORS["good"] if o >= t and t > 0 else COLORS["output"]
              for o, t in zip(hourly["output"], hourly["target"])]
    fig.add_trace(go.Bar(x=x, y=hourly["output"], name="Output", marker_color=colors,
                         hovertemplate="%{y:,.0f} pcs"))
    fig.add_trace(go.Scatter(x=x, y=hourly["target"], name="Target", mode="lines",
                             line=dict(color=COLORS["target"], width=2, shape="hvh"),
                             hovertemplate="%{y:,.0f} pcs"))
    return _time_axis(base_layout(fig, y_title=f"pieces per {per}"), per)


def _time_axis(fig: go.Figure, per: str) -> go.Figure:
    if per == "hour":
        fig.update_xaxes(tickformat="%H:%M\n%a %d %b", hoverformat="%a %d %b %H:%M")
    elif per == "week":
        fig.update_xaxes(tickformat="%d %b", hoverformat="week of %a %d %b %Y")
    else:
        fig.update_xaxes(tickformat="%a %d %b", hoverformat="%a %d %b %Y")
    return fig


def daily_output_efficiency(daily: pd.DataFrame) -> go.Figure:
    """Output and target bars per day with SMV efficiency on a second axis."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=daily["date"], y=daily["target"], name="Target",
                         marker_color=COLORS["target_bar"], hovertemplate="%{y:,.0f} pcs"))
    fig.add_trace(go.Bar(x=daily["date"], y=daily["output"], name="Output",
                         marker_color=COLORS["output"], hovertemplate="%{y:,.0f} pcs"))
    fig.add_trace(go.Scatter(x=daily["date"], y=daily["efficiency_pct"], name="SMV efficiency",
                             yaxis="y2", mode="lines+markers",
                             line=dict(color=COLORS["target"], width=2),
                             hovertemplate="%{y:.1f} %"))
    base_layout(fig, y_title="pieces")
    fig.update_layout(barmode="overlay", bargap=0.35, yaxis2=dict(
        title="SMV efficiency %", overlaying="y", side="right", showgrid=False, ticksuffix=" %",
        range=[0, max(100.0, float(daily["efficiency_pct"].max() or 0) * 1.1)], dtick=20))
    return _time_axis(fig, "day")


def efficiency_by_day(by_day: pd.DataFrame, weekly: bool = False) -> go.Figure:
    """SMV efficiency % per line per day (or week), one line trace each (bars for one day)."""
    return by_line_over_days(by_day, "efficiency_pct", y_title="SMV efficiency %", suffix=" %",
                             labels=True, per="week" if weekly else "day")


def wip_over_time(wip: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for i, (line_code, part) in enumerate(wip.groupby("line_code", sort=True)):
        fig.add_trace(go.Scatter(x=part["slot"], y=part["wip"], name=line_code, mode="lines",
                                 line=dict(color=LINE_PALETTE[i % len(LINE_PALETTE)], width=2,
                                           shape="hv"),
                                 hovertemplate=f"{line_code}: " + "%{y:,.0f} pcs<extra></extra>"))
    fig = base_layout(fig, y_title="WIP (pieces in line)")
    fig.update_xaxes(hoverformat="%a %d %b %H:%M")
    return fig


def by_line_over_days(df: pd.DataFrame, value: str, *, y_title: str, fmt: str = ".1f",
                      suffix: str = "", labels: bool = False, x: str = "date",
                      per: str = "day") -> go.Figure:
    """One line per line_code over days or weeks (`per`; bars by line when there is a single
    day, with their values written on them when `labels`). Values show as `fmt` (a d3 format)
    plus `suffix`."""
    fig = go.Figure()
    hover_value = "%{y:" + fmt + "}" + suffix
    if df[x].nunique() == 1:
        bar = dict(x=df["line_code"], y=df[value], marker_color=COLORS["output"],
                   hovertemplate="%{x}: " + hover_value + "<extra></extra>")
        if labels:
            # fmt is a d3 format that Python's format() reads the same way (",.1f")
            bar.update(text=[format(v, fmt) + suffix if v == v else "—" for v in df[value]],
                       textposition="outside",
                       width=min(0.8, 0.25 * len(df)))
        fig.add_trace(go.Bar(**bar))
        fig = base_layout(fig, y_title=y_title)
        fig.update_layout(showlegend=False)
        fig.update_xaxes(type="category")
        return fig
    for i, (line_code, part) in enumerate(df.groupby("line_code", sort=True)):
        fig.add_trace(go.Scatter(
            x=part[x], y=part[value], name=line_code, mode="lines+markers",
            line=dict(color=LINE_PALETTE[i % len(LINE_PALETTE)], width=2), marker=dict(size=4),
            hovertemplate=f"{line_code}: " + hover_value + "<extra></extra>"))
    return _time_axis(base_layout(fig, y_title=y_title), per)


def compact(fig: go.Figure) -> go.Figure:
    """The same chart in less JSON: timestamps at midnight go out as dates ("2026-03-31", not
    "2026-03-31T00:00:00.000000") and other timestamps to the minute."""
    if not isinstance(fig, go.Figure):
        return fig
    for trace in fig.data:
        for attr in ("x", "y"):
            values = trace[attr] if attr in trace else None
            if values is None or isinstance(values, str) or len(values) == 0:
                continue
            arr = np.asarray(values)
            if arr.dtype.kind != "M":
                if arr.dtype != object or not isinstance(arr[0], (pd.Timestamp, datetime)):
                    continue
                arr = pd.to_datetime(arr).to_numpy()
            unit = "D" if (arr == arr.astype("datetime64[D]")).all() else "m"
            text = np.datetime_as_string(arr, unit=unit)
            trace[attr] = [None if t == "NaT" else t for t in text.tolist()]
    return fig
