"""Trends: the series registry, ratio-of-sums grouping, week over week, reported productivity
(SPEC section 4: manpower-weighted) and /api/v1/line-daily, on SQLite and PostgreSQL."""
from datetime import date, timedelta

import pandas as pd
import pytest

from data import db, schema
from metrics import trends as mt
from reports import downtime as _downtime, quality as _quality  # noqa: F401  (their series)
from reports import trends as r
from core.context import Context
from core.filters import Filters
from settings import Settings
from tests.factories import D, quality_downtime, small_plant

DAY = Filters(start=D, end=D)


# --- metrics -------------------------------------------------------------------------------------

def test_combine_is_a_ratio_of_sums_not_a_mean_of_ratios():
    parts = pd.DataFrame({"date": [D, D + timedelta(days=1)], "line_code": ["L1", "L1"],
                          "num": [10.0, 60.0], "den": [100.0, 200.0]})
    week = mt.combine(parts.assign(week=mt.week_start(parts["date"])), ["week"], "num", "den",
                      100.0)
    # 70 / 300 = 23.33 %, where the mean of 10 % and 30 % would say 20 %
    assert week["value"].iloc[0] == pytest.approx(70 / 300 * 100)
    assert week["week"].iloc[0] == D  # 2026-03-02 is a Monday
    total = mt.combine(parts, [], "num", None)
    assert total["value"].iloc[0] == 70.0
    zero = mt.combine(parts.assign(den=0.0), ["line_code"], "num", "den", 100.0)
    assert pd.isna(zero["value"].iloc[0])


def test_rolling_seven_days_and_week_change():
    daily = pd.DataFrame({"num": [7.0] * 3 + [None] * 4 + [14.0], "den": [10.0] * 8})
    ratio = mt.rolling(daily, "num", "den", 100.0)
    # day 8: the 7 days 2..8 hold 7 + 7 + 14 = 28 of 70 -> 40 %
    assert ratio.iloc[7] == pytest.approx(40.0)
    counts = mt.rolling(daily, "num", None, 1.0)
    assert counts.iloc[7] == pytest.approx(28 / 7)  # a count: mean per day
    assert mt.change(55.0, 50.0, " %") == pytest.approx(5.0)  # points for a percentage
    assert mt.change(110.0, 100.0, " pcs") == pytest.approx(10.0)  # per cent for a count
    assert mt.change(None, 100.0, " pcs") is None and mt.change(5.0, 0.0, " min") is None


# --- reports -------------------------------------------------------------------------------------

@pytest.fixture
def ctx(engine, database_url, tmp_path):
    small_plant(engine)
    quality_downtime(engine)
    return Context.create(Settings(database_url=database_url, cache_dir=str(tmp_path / "c")))


def test_trends_carry_every_registered_series(ctx):
    data = r.trends(ctx, DAY)
    keys = [s["key"] for s in data["series"]]
    assert keys[:4] == ["output", "efficiency_pct", "dhu", "downtime_min"]
    day = data["daily"].iloc[0]
    assert day["output"] == 1900
    assert day["efficiency_pct"] == pytest.approx(14712 / 30120 * 100)  # 48.84 %
    assert day["dhu"] == pytest.approx(41 / 300 * 100)
    # seen from today BD3 is still open: 960 min of it in the window, + 30 + 24 + 60
    assert day["downtime_min"] == pytest.approx(1074.0)
    lines = data["lines"].set_index("line_code")
    assert lines.loc["L01", "dhu"] == pytest.approx(14.0)
    assert lines.loc["L02", "efficiency_pct"] == pytest.approx(31.25)
    assert list(data["weekly"]["week"]) == [D]
    # line comparison by day over a short window, by week over a long one
    assert data["line_period"] == "day"
    assert list(data["line_periods"].set_index("line_code").loc["L01", ["period", "dhu"]]) \
        == [D, pytest.approx(14.0)]
    assert r.trends(ctx, Filters(start=D - timedelta(days=59), end=D))["line_period"] == "week"


def test_trailing_value_needs_seven_days_of_history():
    """Days before the plant's first day of data are unknown, not 0: the trailing value starts
    on the seventh day of data instead of ramping up from 0; from the first day on, a day
    without data (a day off) counts as 0."""
    daily = pd.DataFrame({"num": [None, None] + [7.0] * 7 + [14.0],
                          "den": [None, None] + [10.0] * 8,
                          "date": [D + timedelta(days=i) for i in range(10)]})
    counts = mt.rolling(daily, "num", None, 1.0, first_day=D + timedelta(days=2))
    assert counts.iloc[:8].isna().all()  # days 0..7: fewer than 7 days of data behind them
    assert counts.iloc[8] == pytest.approx(7.0)  # days 2..8
    assert counts.iloc[9] == pytest.approx((6 * 7 + 14) / 7)  # days 3..9
    ratio = mt.rolling(daily, "num", "den", 100.0, first_day=D + timedelta(days=2))
    assert ratio.iloc[:8].isna().all() and ratio.iloc[9] == pytest.approx(56 / 70 * 100)
    # a day off inside the data is a 0, not a gap
    gap = daily.assign(num=[None, None, 7.0, None] + [7.0] * 6)
    assert mt.rolling(gap, "num", None, 1.0, first_day=D + timedelta(days=2)).iloc[8] \
        == pytest.approx(6 * 7 / 7)


def test_trailing_seven_days_read_before_the_window(ctx):
    """The trailing value of the window's first days counts the 6 days before the window, and
    nothing before the plant's first day of data (D - 1, a loading): D's 1,900 pcs are in the
    7 days ending D + 5 and D + 6 (a mean of 271.4 a day); before D + 5 there are not yet 7
    days to average, so no trailing value (not a ramp from 0). The window's own daily values
    stay the window's."""
    after = r.trends(ctx, Filters(start=D + timedelta(days=1), end=D + timedelta(days=9)))
    daily = after["daily"].set_index("date")
    assert daily.loc[D + timedelta(days=1):D + timedelta(days=4), "output_7d"].isna().all()
    assert daily.loc[D + timedelta(days=5), "output_7d"] == pytest.approx(1900 / 7)
    assert daily.loc[D + timedelta(days=6), "output_7d"] == pytest.approx(1900 / 7)
    assert daily.loc[D + timedelta(days=7), "output_7d"] == pytest.approx(0.0)
    assert D not in daily.index and daily["output"].fillna(0).sum() == 0
    # a ratio too: D's DHU (41 / 300) is the trailing DHU of D + 5
    assert daily.loc[D + timedelta(days=5), "dhu_7d"] == pytest.approx(41 / 300 * 100)
    # a window whose lead-in holds no data at all (days off) but lies after the first day:
    # those days are 0, so its first day has a trailing value
    later = r.trends(ctx, Filters(start=D + timedelta(days=8), end=D + timedelta(days=9)))
    assert later["daily"].set_index("date").loc[D + timedelta(days=8), "output_7d"] \
        == pytest.approx(0.0)


def test_partial_weeks_show_no_change():
    """Sat 28 Feb .. Wed 4 Mar: 2 days of one week, 3 of the next; only full weeks compare."""
    assert [mt.days_in_window(w, D - timedelta(days=2), D + timedelta(days=2))
            for w in (D - timedelta(days=7), D)] == [2, 3]
    changes = mt.week_changes(pd.Series([100.0, 300.0, 330.0, 40.0]), [7, 7, 7, 2], " pcs")
    assert changes[0] is None and changes[1] == pytest.approx(200.0)
    assert changes[2] == pytest.approx(10.0) and changes[3] is None  # not a 88 % drop
    assert mt.week_changes(pd.Series([50.0, 60.0]), [3, 7], " %") == [None, None]


def test_another_domain_registers_a_series(ctx, monkeypatch):
    monkeypatch.setattr(r, "_SERIES", dict(r._SERIES))

    @r.trend_series("attendance_pct", "Attendance", unit=" %", order=50,
                    num="present", den="scheduled", scale=100.0)
    def _attendance(ctx_, filters, scope):
        return pd.DataFrame({"date": [D, D], "line_code": ["L01", "L02"],
                             "present": [9.0, 3.0], "scheduled": [10.0, 5.0]})

    data = r._trends.uncached(ctx, DAY, None, None)
    assert [s["key"] for s in data["series"]].index("attendance_pct") == 4  # by order
    assert data["daily"]["attendance_pct"].iloc[0] == pytest.approx(12 / 15 * 100)  # 80 %
    assert data["lines"].set_index("line_code").loc["L02", "attendance_pct"] == 60.0
    card = next(c for c in data["cards"] if c["key"] == "attendance_pct")
    # the made-up parts have the same rows whatever the dates asked: the week before is "80 %"
    assert card["value"] == pytest.approx(80.0)


def test_last_seven_days_against_the_seven_before(ctx):
    two_weeks = Filters(start=D - timedelta(days=13), end=D)
    card = next(c for c in r.trends(ctx, two_weeks)["cards"] if c["key"] == "output")
    # no output the week before: 0 pcs, so no relative change
    assert card["value"] == 1900 and card["previous"] == 0 and card["change"] is None
    # a week later, D's output is the week before: -100 % (the same with a 1-day window)
    for start in (D + timedelta(days=7), D):
        later = Filters(start=start, end=D + timedelta(days=7))
        card = next(c for c in r.trends(ctx, later)["cards"] if c["key"] == "output")
        assert card["value"] == 0 and card["previous"] == 1900
        assert card["change"] == pytest.approx(-100.0)


def _line_daily(engine):
    d2 = D + timedelta(days=1)
    rows = [  # L01: (0.8 x 50 + 0.6 x 30) / 80 = 0.725; target 0.75 both days
        {"date": D, "line_code": "L01", "operators": 50, "actual_productivity": 0.8,
         "target_productivity": 0.75},
        {"date": d2, "line_code": "L01", "operators": 30, "actual_productivity": 0.6,
         "target_productivity": 0.75},
        # L02: one day, 0.9 x 20; plant on D: (40 + 18) / 70 = 0.828571
        {"date": D, "line_code": "L02", "operators": 20, "actual_productivity": 0.9,
         "target_productivity": 0.7},
    ]
    with engine.begin() as conn:
        db.upsert(conn, schema.line_daily, rows)
        db.bump_data_version(conn)


def test_reported_productivity_is_manpower_weighted(ctx, engine):
    _line_daily(engine)
    two = Filters(start=D, end=D + timedelta(days=1))
    result = r.line_daily(ctx, two, ("line_code",))
    rows = result["rows"].set_index("line_code")
    assert rows.loc["L01", "actual_productivity"] == pytest.approx(0.725)
    assert rows.loc["L01", "target_productivity"] == pytest.approx(0.75)
    assert rows.loc["L01", "days"] == 2 and rows.loc["L01", "operators"] == 80
    # all: (40 + 18 + 18) / 100 = 0.76; target (37.5 + 22.5 + 14) / 100 = 0.74
    assert result["total"]["actual_productivity"] == pytest.approx(0.76)
    assert result["total"]["target_productivity"] == pytest.approx(0.74)
    by_date = r.line_daily(ctx, two, ("date",))["rows"].set_index("date")
    assert by_date.loc[D, "actual_productivity"] == pytest.approx(58 / 70)
    day = r.trends(ctx, DAY)["daily"].iloc[0]
    assert day["reported_productivity_pct"] == pytest.approx(58 / 70 * 100)


def test_api_line_daily(api_client, engine):
    _line_daily(engine)
    body = api_client.get("/api/v1/line-daily?start=2026-03-02&end=2026-03-03&group_by=line"
                          ).get_json()
    rows = {row["line_code"]: row for row in body["rows"]}
    assert rows["L01"]["actual_productivity"] == pytest.approx(0.725)
    assert set(rows["L01"]) == {"line_code", "actual_productivity", "target_productivity",
                                "operators", "days"}
    assert body["total"]["actual_productivity"] == pytest.approx(0.76)
    empty = api_client.get("/api/v1/line-daily?start=2025-01-01&end=2025-01-02").get_json()
    assert empty["rows"] == [] and empty["total"]["actual_productivity"] is None
    bad = api_client.get("/api/v1/line-daily?group_by=style")
    assert bad.status_code == 400


def test_window_keeps_the_selection():
    f = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31), lines=("L01",))
    w = r.window(f, 90)
    assert w.start == date(2026, 1, 1) and w.end == f.end and w.lines == ("L01",)
