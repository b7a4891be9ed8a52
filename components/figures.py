"""Figure builders: small, aggregated figures with one look across the app."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

COLORS = {
    "output": "#2563eb", "target": "#f59e0b", "good": "#16a34a", "bad": "#dc2626",
    "muted": "#94a3b8", "wip": "#7c3aed",
    "target_bar": "rgba(148,163,184,0.35)",  # a grey that reads on a light and a dark card
}
# the traffic lights' colours; which light a value gets is metrics/thresholds.py colour()
TRAFFIC = {"green": COLORS["good"], "amber": COLORS["target"], "red": COLORS["bad"],
           "grey": COLORS["muted"]}
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


def output_vs_target(hourly: pd.DataFrame, *, cumulative: bool = False, x: str = "slot",
                     days_off=()) -> go.Figure:
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
    # bars that met their hour's (day's) target are green, and the legend says so
    # two traces, so each is given its width: a trace of one bar would be drawn a hair wide
    met = (hourly["output"] >= hourly["target"]) & (hourly["target"] > 0)
    width_ms = 0.8 * (3_600_000 if per == "hour" else 86_400_000)
    for label, rows, color in (("Output", ~met, COLORS["output"]),
                               (f"Output ≥ the {per}'s target", met, COLORS["good"])):
        fig.add_trace(go.Bar(x=x[rows], y=hourly["output"][rows], name=label, marker_color=color,
                             width=width_ms, hovertemplate="%{y:,.0f} pcs"))
    fig.add_trace(go.Scatter(x=x, y=hourly["target"], name="Target", mode="lines",
                             line=dict(color=COLORS["target"], width=2, shape="hvh"),
                             hovertemplate="%{y:,.0f} pcs"))
    fig.update_layout(barmode="overlay")
    _mark_days_off(fig, days_off)
    return _time_axis(base_layout(fig, y_title=f"pieces per {per}"), per)


def _time_axis(fig: go.Figure, per: str) -> go.Figure:
    if per == "hour":
        fig.update_xaxes(tickformat="%H:%M\n%a %d %b", hoverformat="%a %d %b %H:%M")
    elif per == "week":
        fig.update_xaxes(tickformat="%d %b", hoverformat="week of %a %d %b %Y")
    else:
        fig.update_xaxes(tickformat="%a %d %b", hoverformat="%a %d %b %Y")
    return fig


def daily_output_efficiency(daily: pd.DataFrame, days_off=()) -> go.Figure:
    """Output and target bars per day with SMV efficiency on a second axis; days off shaded."""
    fig = go.Figure()
    _mark_days_off(fig, days_off)
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
        title="SMV efficiency %", overlaying="y", tickmode="auto", side="right", showgrid=False, ticksuffix=" %",
        range=[0, max(100.0, float(daily["efficiency_pct"].max() or 0) * 1.1)], dtick=20))
    return _time_axis(fig, "day")


def efficiency_by_day(by_day: pd.DataFrame, weekly: bool = False, *, days_off=(),
                      changeovers: pd.DataFrame | None = None) -> go.Figure:
    """SMV efficiency % per line per day (or week): one small chart a line with the plan's
    efficiency as its target (dashed), changeovers and days off marked (bars for one day)."""
    return by_line_over_days(by_day, "efficiency_pct", y_title="SMV efficiency %", suffix=" %",
                             labels=True, per="week" if weekly else "day",
                             target="target_efficiency_pct", days_off=days_off,
                             changeovers=changeovers)


def wip_over_time(wip: pd.DataFrame) -> go.Figure:
    """WIP per line over time: one small chart a line, shared axes."""
    fig = small_multiples(wip, "wip", x="slot", y_title="WIP (pieces in line)", fmt=",.0f",
                          suffix=" pcs", shape="hv", hover_x="%a %d %b %H:%M")
    return fig.update_xaxes(tickformat="%a %d %b")


MULTIPLES_COLUMNS = 2
PANEL_HEIGHT = 130  # px per row of small charts
# Beyond this many lines, one heatmap (a row a line) instead of a small chart a line: forty
# panels were a 2,700 px scroll of unreadable strips, and drawing their eighty axes was most of
# the browser's time on a forty-line plant (bench/README.md, browser time)
MAX_PANELS = 12
HEATMAP_ROW = 18  # px per line of a heatmap


def multiples_height(df: pd.DataFrame, base: int = 320, x: str = "date") -> int:
    """The height a by-line figure needs: `base` for one line or one day (bars by line), a row
    of small charts per two lines, or a heatmap's row per line beyond MAX_PANELS lines."""
    lines = df["line_code"].nunique() if not df.empty and "line_code" in df else 1
    if lines <= 1 or (x in df and df[x].nunique() <= 1):
        return base
    if lines > MAX_PANELS:
        return 110 + HEATMAP_ROW * lines
    return 70 + PANEL_HEIGHT * -(-lines // MULTIPLES_COLUMNS)


def small_multiples(df: pd.DataFrame, value: str, *, x: str, y_title: str, fmt: str = ".1f",
                    suffix: str = "", per: str = "day", shape: str = "linear",
                    hover_x: str | None = None, target: str | None = None, days_off=(),
                    changeovers: pd.DataFrame | None = None) -> go.Figure:
    """One small chart per line, sharing both axes, so eight lines read apart instead of
    tangled on one axis. `target` (a column) draws dashed in each panel; `days_off` shade every
    panel; `changeovers` (line_code, date, style_code) mark their line's panel."""
    lines = sorted(df["line_code"].dropna().unique())
    if per != "day":  # a week's point holds several days: changeovers are marked by day only
        changeovers = None
    if len(lines) > MAX_PANELS:
        return line_heatmap(df, value, x=x, y_title=y_title, fmt=fmt, suffix=suffix, per=per,
                            hover_x=hover_x, target=target, days_off=days_off,
                            changeovers=changeovers)
    cols = min(MULTIPLES_COLUMNS, max(1, len(lines)))
    rows = max(1, -(-len(lines) // cols))
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes="all", shared_yaxes="all",
                        subplot_titles=[str(c) for c in lines], vertical_spacing=0.5 / rows / 2,
                        horizontal_spacing=0.04)
    hover_value = "%{y:" + fmt + "}" + suffix
    marked = changeovers is not None and not changeovers.empty
    if marked:  # the changeovers' lines reach the top of the shared y axis
        top = float(pd.to_numeric(df[value], errors="coerce").max() or 0)
        if target and target in df:
            top = max(top, float(pd.to_numeric(df[target], errors="coerce").max() or 0))
    for i, line_code in enumerate(lines):
        part = df[df["line_code"] == line_code].sort_values(x)
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(go.Scatter(
            x=part[x], y=part[value], name=line_code, mode="lines+markers",
            line=dict(color=COLORS["output"], width=2, shape=shape), marker=dict(size=3),
            hovertemplate=f"{line_code}: " + hover_value + "<extra></extra>",
            showlegend=False), row=row, col=col)
        if target and target in part and part[target].notna().any():
            fig.add_trace(go.Scatter(
                x=part[x], y=part[target], name="target", mode="lines",
                line=dict(color=COLORS["target"], width=1.5, dash="dash"),
                hovertemplate="target " + hover_value + "<extra></extra>",
                showlegend=i == 0, legendgroup="target"), row=row, col=col)
        if marked:
            _mark_changeovers(fig, changeovers[changeovers["line_code"] == line_code], top,
                              row, col)
    _mark_days_off(fig, days_off, per)
    base_layout(fig)
    fig.update_layout(hovermode="closest", margin=dict(l=50, r=10, t=30, b=30),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0 + 0.25 / rows,
                                  x=1, xanchor="right"))
    fig.update_annotations(font_size=11)
    fig.update_yaxes(gridcolor="#eef2f7", zeroline=False, rangemode="tozero", nticks=4)
    fig.update_yaxes(title_text=y_title, row=(rows + 1) // 2, col=1)
    if suffix.strip() == "%":
        fig.update_yaxes(ticksuffix=" %")
    fig.update_xaxes(showgrid=False)
    if hover_x:
        fig.update_xaxes(hoverformat=hover_x)
        return fig
    _time_axis(fig, per)
    if per in ("day", "week"):  # a panel is narrow (a phone shows two a row): short dates, few
        fig.update_xaxes(tickformat="%d %b", nticks=4)
    return fig


def line_heatmap(df: pd.DataFrame, value: str, *, x: str, y_title: str, fmt: str = ".1f",
                 suffix: str = "", per: str = "day", hover_x: str | None = None,
                 target: str | None = None, days_off=(),
                 changeovers: pd.DataFrame | None = None) -> go.Figure:
    """A value by line (a row each, the first on top) and by `x` (a column each) as one heatmap:
    what a plant of many lines reads at a glance (which line dipped when), in one trace. The
    hover gives the value and, with `target`, the line's target; days off are shaded and
    changeovers marked "↻" in their line's row."""
    lines = sorted(df["line_code"].dropna().unique())
    grid = df.pivot_table(index="line_code", columns=x, values=value, aggfunc="first")
    grid = grid.reindex(index=lines[::-1])  # a heatmap's first row is drawn at the bottom
    hover = "%{y} · %{x}: %{z:" + fmt + "}" + suffix  # x as the axis' hoverformat writes it
    heat = dict(x=list(grid.columns), y=list(grid.index), z=grid.to_numpy(dtype=float),
                colorscale="Blues", hoverongaps=False, xgap=1, ygap=1,
                colorbar=dict(title=dict(text=y_title, side="right"), thickness=12,
                              ticksuffix=suffix if suffix.strip() == "%" else ""))
    if target and target in df and df[target].notna().any():
        goal = df.pivot_table(index="line_code", columns=x, values=target, aggfunc="first")
        heat["customdata"] = goal.reindex(index=grid.index, columns=grid.columns).to_numpy(
            dtype=float)
        hover += "<br>target %{customdata:" + fmt + "}" + suffix
    fig = go.Figure(go.Heatmap(hovertemplate=hover + "<extra></extra>", **heat))
    if changeovers is not None and not changeovers.empty:
        marks = changeovers[changeovers["line_code"].isin(lines)]
        fig.add_trace(go.Scatter(
            x=list(marks["date"]), y=list(marks["line_code"]), mode="text", text="↻",
            textfont=dict(size=11, color=COLORS["wip"]), showlegend=False,
            hovertext=[f"{line}: style changeover {p or '—'} → {s}" for line, p, s in
                       zip(marks["line_code"], marks["previous_style"], marks["style_code"])],
            hovertemplate="%{hovertext}<extra></extra>"))
    _mark_days_off(fig, days_off, per)
    base_layout(fig)
    fig.update_layout(hovermode="closest", margin=dict(l=60, r=10, t=24, b=30))
    fig.update_yaxes(type="category", showgrid=False, title_text="", tickfont=dict(size=10))
    fig.update_xaxes(showgrid=False)
    if hover_x:
        return fig.update_xaxes(tickformat="%a %d %b", hoverformat=hover_x)
    return _time_axis(fig, per)


def _mark_changeovers(fig: go.Figure, changes: pd.DataFrame, top: float, row: int,
                      col: int) -> None:
    """A panel's style changeovers: a dotted line up the panel and "↻ style" at its foot, as
    two traces (not a shape and an annotation each: plotly validates and copies every layout
    shape on each change, which made a year of forty lines' changeovers take seconds)."""
    if changes.empty:
        return
    xs = [v for d in changes["date"] for v in (d, d, None)]
    fig.add_trace(go.Scatter(x=xs, y=[0, top, None] * len(changes), mode="lines",
                             line=dict(color=COLORS["wip"], width=1, dash="dot"),
                             hoverinfo="skip", showlegend=False), row=row, col=col)
    fig.add_trace(go.Scatter(
        x=list(changes["date"]), y=[0] * len(changes), mode="text",
        text=[f"↻ {s}" for s in changes["style_code"]], textposition="top right",
        textfont=dict(size=9, color=COLORS["wip"]), showlegend=False,
        hovertext=[f"style changeover: {p or '—'} → {s}" for p, s in
                   zip(changes["previous_style"], changes["style_code"])],
        hovertemplate="%{hovertext}<extra></extra>"), row=row, col=col)


def _mark_days_off(fig: go.Figure, days_off, per: str = "day") -> None:
    """Shade each run of days off (nothing planned or made) in every panel, labelled once.

    One rectangle per run of consecutive days and per column of panels, spanning the figure's
    height, all set at once: a shape per day and panel, added one by one, made a year of forty
    lines 2,400 shapes and took plotly minutes (each add copies every shape before it). A chart
    by week shades nothing: a week holds working days too."""
    if per != "day" or not len(days_off):
        return
    runs: list[list[pd.Timestamp]] = []
    for day in sorted(pd.Timestamp(d) for d in days_off):
        if runs and day - runs[-1][1] == pd.Timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    columns = len(fig._grid_ref[0]) if fig._grid_ref is not None else 1
    half = pd.Timedelta(hours=12)
    shapes = [dict(type="rect", xref="x" if col == 0 else f"x{col + 1}", yref="paper",
                   x0=first - half, x1=last + half, y0=0, y1=1, fillcolor=COLORS["muted"],
                   opacity=0.18, line_width=0, layer="below")
              for first, last in runs for col in range(columns)]
    fig.update_layout(shapes=list(fig.layout.shapes or ()) + shapes)
    fig.add_annotation(text="▒ day off", xref="paper", yref="paper", x=1, y=1,
                       xanchor="right", yanchor="bottom", showarrow=False,
                       font=dict(size=10, color=COLORS["muted"]))


def by_line_over_days(df: pd.DataFrame, value: str, *, y_title: str, fmt: str = ".1f",
                      suffix: str = "", labels: bool = False, x: str = "date",
                      per: str = "day", target: str | None = None, days_off=(),
                      changeovers: pd.DataFrame | None = None) -> go.Figure:
    """A value by line over days or weeks (`per`): small multiples (one chart a line, shared
    axes); bars by line when there is a single day, with their values written on them when
    `labels`. Values show as `fmt` (a d3 format) plus `suffix`."""
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
    return small_multiples(df, value, x=x, y_title=y_title, fmt=fmt, suffix=suffix, per=per,
                           target=target, days_off=days_off, changeovers=changeovers)


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
