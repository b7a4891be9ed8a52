"""Figures of the Workforce page: attendance trend, status heat map, exceptions by line."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.figures import COLORS, base_layout

# status -> (code on the heat map's scale, colour, label)
STATUS_STYLE = {
    "P": (1, "#16a34a", "Present"), "HD": (2, "#f59e0b", "Half day"),
    "A": (3, "#dc2626", "Absent"), "WO": (4, "#cbd5e1", "Weekly off"),
    "PH": (5, "#93c5fd", "Holiday"),
}


def attendance_trend(daily: pd.DataFrame) -> go.Figure:
    """Attendance % and absenteeism % per day (ratios of the day's sums)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=daily["date"], y=daily["attendance_pct"], name="Attendance",
                             mode="lines+markers", line=dict(color=COLORS["good"], width=2),
                             hovertemplate="%{y:.1f} %", connectgaps=False))
    fig.add_trace(go.Bar(x=daily["date"], y=daily["absenteeism_pct"], name="Absenteeism",
                         marker_color="rgba(220,38,38,0.55)", yaxis="y2",
                         hovertemplate="%{y:.1f} %"))
    base_layout(fig, y_title="attendance %")
    low = daily["attendance_pct"].min()
    floor = 0 if low != low else max(0.0, min(80.0, float(low) - 5))
    fig.update_yaxes(range=[floor, 100.5], ticksuffix=" %")
    high = daily["absenteeism_pct"].max()
    fig.update_layout(yaxis2=dict(title="absenteeism %", overlaying="y", tickmode="auto", side="right",
                                  showgrid=False, ticksuffix=" %",
                                  range=[0, min(100.0, max(20.0, float(
                                      high if high == high else 0) * 2.5))]))
    fig.update_xaxes(tickformat="%a %d %b", hoverformat="%a %d %b %Y")
    return fig


HEAT_MAX_DAYS = 92  # a quarter of daily cells per person; longer windows show their last 92 days
ROW_SEPARATOR = " · "  # a row is labelled "name · emp_code": the drill reads the code back


def status_heatmap(cells: pd.DataFrame, people: pd.DataFrame) -> go.Figure:
    """Employee x day (the last HEAT_MAX_DAYS) coloured by status; rows are labelled
    "name · emp_code" (heat_row_emp reads the code back for the drill)."""
    last = pd.to_datetime(cells["date"]).max()
    first = max(pd.to_datetime(cells["date"]).min(), last - pd.Timedelta(days=HEAT_MAX_DAYS - 1))
    days = pd.date_range(first, last)
    order = people["emp_code"].tolist()
    cells = cells.assign(date=pd.to_datetime(cells["date"]))
    z = cells.pivot_table(index="emp_code", columns="date", values="status", aggfunc="first")
    z = z.reindex(index=order, columns=days)
    code = z.apply(lambda col: col.map(lambda s: STATUS_STYLE.get(s, (None,))[0]))
    names = people.set_index("emp_code")["name"].fillna(people.set_index("emp_code").index
                                                        .to_series())
    labels = [f"{names.get(e, e)}{ROW_SEPARATOR}{e}" for e in order]
    text = z.fillna("").to_numpy()
    scale = []
    n = len(STATUS_STYLE)
    for i, (_status, (_c, color, _label)) in enumerate(STATUS_STYLE.items()):
        scale += [[i / n, color], [(i + 1) / n, color]]
    fig = go.Figure(go.Heatmap(
        z=code.to_numpy(dtype=float), x=days, y=labels, text=text, zmin=0.5, zmax=n + 0.5,
        colorscale=scale, showscale=False, xgap=1, ygap=1,
        hovertemplate="%{y}<br>%{x|%a %d %b}: <b>%{text}</b><extra></extra>"))
    for status, (_c, color, label) in STATUS_STYLE.items():  # a legend for the colours
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{status} {label}",
                                 marker=dict(color=color, size=10, symbol="square")))
    base_layout(fig)
    fig.update_layout(hovermode="closest", margin=dict(l=10, r=10, t=10, b=30))
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=10))
    fig.update_xaxes(tickformat="%d %b", side="bottom")
    return fig


def heat_row_emp(label: str) -> str:
    """The emp_code of a heat-map row label."""
    return label.rsplit(ROW_SEPARATOR, 1)[-1]


def exceptions_by(df: pd.DataFrame, key: str) -> go.Figure:
    """Late arrivals, early exits and missing OUTs (counts) per group; overtime hours (a column
    of the report's rows) on the right axis."""
    fig = go.Figure()
    x = df[key].fillna("—").astype(str)
    for col, label, color in (("late_count", "Late arrivals", COLORS["target"]),
                              ("early_exit_count", "Early exits", COLORS["wip"]),
                              ("missing_out", "Missing OUT", COLORS["bad"])):
        fig.add_trace(go.Bar(x=x, y=df[col], name=label, marker_color=color,
                             hovertemplate="%{y:,.0f}"))
    fig.add_trace(go.Scatter(x=x, y=df["overtime_hours"], name="Overtime hours",
                             yaxis="y2", mode="markers+lines",
                             line=dict(color=COLORS["output"], width=2),
                             hovertemplate="%{y:,.1f} h"))
    base_layout(fig, y_title="days")
    fig.update_layout(barmode="group", yaxis2=dict(
        title="overtime hours", overlaying="y", tickmode="auto", side="right", showgrid=False,
        rangemode="tozero"))
    fig.update_xaxes(type="category")
    return fig
