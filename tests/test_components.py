"""Components called directly: CSV export, KPI cards, the shared settings of figures and grids."""
import pandas as pd

from components.cards import fmt, kpi_card
import io

from components.export import _to_csv, _to_excel, column_label, display_frame
from components.filter_bar import quick_range
from datetime import date


def test_csv_export_defuses_spreadsheet_formulas():
    df = pd.DataFrame({"line_code": ["=HYPERLINK(\"x\")", "L01", "@SUM(A1)"], "qty": [-5, 3, 2]})
    text = _to_csv(df)
    assert "'=HYPERLINK" in text and "'@SUM" in text
    assert "\nL01,3" in text and "-5" in text and "'-5" not in text  # numbers stay numbers


def test_null_shows_as_an_em_dash():
    assert fmt(None) == "—" and fmt(float("nan"), 1, " %") == "—"
    assert fmt(1234.567, 1, " %") == "1,234.6 %"


def _text(component) -> str:
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if not isinstance(children, list):
        children = [children]
    return " ".join(_text(c) for c in children)


def test_kpi_card_shows_points_for_percentages_and_per_cent_for_counts():
    pct = kpi_card({"key": "x", "label": "Eff", "value": 55.0, "previous": 50.0,
                    "change_pct": None, "change_pts": 5.0, "unit": " %", "digits": 1})
    assert "▲ 5.0 pts vs previous period" in _text(pct)
    count = kpi_card({"key": "y", "label": "Output", "value": 90, "previous": 100,
                      "change_pct": -10.0, "change_pts": None, "unit": " pcs"})
    assert "▼ 10.0 % vs previous period" in _text(count)


def test_quick_ranges_end_with_complete_days():
    today = date(2026, 3, 10)
    assert quick_range("today", today) == (today, today)
    assert quick_range("yesterday", today) == (date(2026, 3, 9), date(2026, 3, 9))
    assert quick_range("7", today) == (date(2026, 3, 3), date(2026, 3, 9))


def test_excel_export_has_one_sheet_with_a_header_and_defused_text():
    from openpyxl import load_workbook
    df = pd.DataFrame({"line_code": ["L01", "=1+1"], "efficiency_pct": [57.08, None]})
    buffer = io.BytesIO()
    _to_excel(df, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(sheet.values)
    assert rows[0] == ("line_code", "efficiency_pct")
    assert rows[1] == ("L01", 57.08) and rows[2] == ("'=1+1", None)


def test_exports_read_as_words_and_rounded_numbers():
    df = pd.DataFrame({"line_code": ["L01"], "efficiency_pct": [57.08333], "dhu": [6.66666],
                       "downtime_min": [12.0], "A": [3], "output_7d": [1234.5678]})
    shown = display_frame(df)
    assert list(shown.columns) == ["Line", "Efficiency %", "DHU", "Downtime (min)",
                                   "Absent days", "Output (7 days)"]
    assert shown.iloc[0].tolist() == ["L01", 57.1, 6.7, 12.0, 3, 1234.57]  # DHU as shown: 0.1
    assert column_label("wo_number") == "WO number" and column_label("ts") == "Time"
    # two fields that read the same keep the second's own name rather than repeat a header
    assert list(display_frame(pd.DataFrame({"line": [1], "line_code": [2]})).columns) == [
        "Line", "line_code"]


def test_by_line_charts_mark_days_off_and_changeovers_cheaply():
    """Issue 19 item 7 and issue 20: days off shaded once per run of days and column of panels
    (not per day and panel), nothing shaded on a chart by week, a changeover's dotted line and
    label as traces of its own panel; a year of forty lines draws in well under a second (it
    took minutes with a shape per day and panel)."""
    import time
    from datetime import timedelta

    from components import figures
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(14)]
    lines = ["L01", "L02", "L03"]
    df = pd.DataFrame([(d, ln, 60.0, 65.0) for d in days for ln in lines],
                      columns=["date", "line_code", "efficiency_pct", "target_efficiency_pct"])
    off = [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 13)]  # Fri + Sat, then a Friday
    changes = pd.DataFrame({"line_code": ["L02"], "date": [date(2026, 3, 9)],
                            "style_code": ["TS-1101"], "previous_style": ["KD-1105"]})
    fig = figures.efficiency_by_day(df, days_off=off, changeovers=changes)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2 * 2  # two runs of days off × two columns of panels
    assert {s.xref for s in rects} == {"x", "x2"}
    labels = [t for t in fig.data if t.mode == "text"]
    assert len(labels) == 1 and labels[0].text == ("↻ TS-1101",)
    assert labels[0].xaxis == "x2"  # L02's panel
    assert "KD-1105 → TS-1101" in labels[0].hovertext[0]
    weekly = figures.efficiency_by_day(df, weekly=True, days_off=off)
    assert not [s for s in weekly.layout.shapes if s.type == "rect"]

    year = [date(2025, 4, 1) + timedelta(days=i) for i in range(365)]
    many = [f"L{i:02d}" for i in range(1, 41)]
    big = pd.DataFrame([(d, ln, 60.0, 65.0) for d in year for ln in many],
                       columns=["date", "line_code", "efficiency_pct", "target_efficiency_pct"])
    fridays = [d for d in year if d.weekday() == 4]
    t0 = time.perf_counter()
    figures.efficiency_by_day(big, days_off=fridays)
    assert time.perf_counter() - t0 < 10  # was minutes; about 0.7 s here


def test_more_lines_than_panels_read_as_one_heatmap_a_row_a_line():
    """Beyond MAX_PANELS lines a by-line chart is one heatmap (one trace, one pair of axes)
    instead of a panel a line: each line a row (the first on top), each day a column, the value
    and the target in the hover, days off shaded once per run, changeovers marked in their row;
    its height grows by a row a line."""
    from datetime import timedelta

    from components import figures
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]
    lines = [f"L{i:02d}" for i in range(1, figures.MAX_PANELS + 2)]  # one line too many
    df = pd.DataFrame([(d, ln, 50.0 + i, 65.0) for d in days for i, ln in enumerate(lines)],
                      columns=["date", "line_code", "efficiency_pct", "target_efficiency_pct"])
    df = df[~((df["line_code"] == "L03") & (df["date"] == days[4]))]  # L03 made nothing that day
    changes = pd.DataFrame({"line_code": ["L02"], "date": [days[5]], "style_code": ["TS-1"],
                            "previous_style": ["KD-2"]})
    fig = figures.efficiency_by_day(df, days_off=[days[2], days[3]], changeovers=changes)
    heat, marks = fig.data
    assert heat.type == "heatmap" and list(heat.y) == lines[::-1]  # L01 is the top row
    assert list(heat.x) == days
    z = pd.DataFrame(heat.z, index=heat.y, columns=heat.x)
    assert z.loc["L05", days[0]] == 54.0 and pd.isna(z.loc["L03", days[4]])
    assert pd.DataFrame(heat.customdata, index=heat.y).loc["L05", 0] == 65.0
    assert "target" in heat.hovertemplate and "%" in heat.hovertemplate
    assert (list(marks.x), list(marks.y), marks.text) == ([days[5]], ["L02"], "↻")
    assert "KD-2 → TS-1" in marks.hovertext[0]
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == 1  # one run of days off
    assert "xaxis2" not in fig.layout.to_plotly_json()  # one pair of axes, not a pair a line
    assert figures.multiples_height(df) == 110 + figures.HEATMAP_ROW * len(lines)
    few = df[df["line_code"].isin(lines[:figures.MAX_PANELS])]
    assert all(t.type == "scatter" for t in figures.efficiency_by_day(few).data)
