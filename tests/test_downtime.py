"""Downtime and maintenance: SPEC section 4 formulas by hand, reports and /api/v1/downtime.

Numbers come from tests/factories.quality_downtime (worked out by hand in its docstring).
"""
from datetime import date, datetime

import pandas as pd
import pytest

from metrics import downtime as m
from reports import downtime as r
from core.context import Context
from core.filters import Filters
from settings import Settings
from tests.factories import D, quality_downtime, small_plant

DAY = Filters(start=D, end=D)
NOW = datetime(2026, 3, 2, 16, 45)  # BD3 has been open for 45 minutes
RANGE = "start=2026-03-02&end=2026-03-02"


# --- metrics -------------------------------------------------------------------------------------

def _bd(start, end, date_=D):
    return pd.DataFrame({"start_ts": [pd.Timestamp(start)],
                         "end_ts": [pd.Timestamp(end) if end else pd.NaT], "date": [date_]})


def test_production_window_starts_at_the_earliest_shift():
    shifts = pd.DataFrame({"start": ["20:00", "08:00"]})
    assert m.production_window(D, D, shifts) == (datetime(2026, 3, 2, 8), datetime(2026, 3, 3, 8))
    assert m.production_window(D, D, pd.DataFrame()) == (datetime(2026, 3, 2),
                                                          datetime(2026, 3, 3))


def test_breakdown_crossing_the_window_edges_is_clipped():
    ws, we = datetime(2026, 3, 2, 8), datetime(2026, 3, 3, 8)
    # 16:30 the day before to 08:24: 15 h 54 min long, 24 min of it in the window
    before = m.clip_minutes(_bd("2026-03-01 16:30", "2026-03-02 08:24", date(2026, 3, 1)),
                            ws, we, NOW)
    assert before["minutes"].iloc[0] == pytest.approx(24.0)
    assert m.split_by_day(before, 8 * 60)["day"].tolist() == [D]  # on the window's first day
    # 07:00 on the 3rd to 09:00: 60 minutes before the window ends
    after = m.clip_minutes(_bd("2026-03-03 07:00", "2026-03-03 09:00"), ws, we, NOW)
    assert after["minutes"].iloc[0] == pytest.approx(60.0)
    # a breakdown outside the window has no minutes in it
    assert m.clip_minutes(_bd("2026-03-04 10:00", "2026-03-04 10:20"), ws, we, NOW)[
        "minutes"].iloc[0] == 0.0


def test_a_stop_over_the_day_boundary_splits_by_production_day():
    ws, we = datetime(2026, 3, 1, 8), datetime(2026, 3, 4, 8)
    # days start at 08:00: 22:00 on the 2nd to 09:00 on the 3rd = 600 min on D, 60 on D+1
    bd = m.clip_minutes(_bd("2026-03-02 22:00", "2026-03-03 09:00"), ws, we, NOW)
    split = m.split_by_day(bd, 8 * 60)
    assert split["day"].tolist() == [D, date(2026, 3, 3)]
    assert split["minutes"].tolist() == pytest.approx([600.0, 60.0])
    # exactly one production day long: one row, not two
    whole = m.split_by_day(m.clip_minutes(_bd("2026-03-02 08:00", "2026-03-03 08:00"), ws, we,
                                          NOW), 8 * 60)
    assert whole["day"].tolist() == [D] and whole["minutes"].tolist() == [1440.0]


def test_open_breakdown_runs_up_to_now_or_the_window_end():
    ws, we = datetime(2026, 3, 2, 8), datetime(2026, 3, 3, 8)
    bd = m.clip_minutes(_bd("2026-03-02 16:00", None), ws, we, NOW)
    assert bool(bd["open"].iloc[0]) and bd["minutes"].iloc[0] == pytest.approx(45.0)
    # seen from two days later it is still open, but only 16:00 -> 08:00 lies in the window
    later = m.clip_minutes(_bd("2026-03-02 16:00", None), ws, we, datetime(2026, 3, 4, 12))
    assert later["minutes"].iloc[0] == pytest.approx(16 * 60)


def test_mttr_counts_closed_breakdowns_only():
    bd = pd.DataFrame({"line_code": ["L1", "L1", "L1"], "minutes": [30.0, 24.0, 45.0],
                       "open": [False, False, True]})
    s = m.summarize(bd, ["line_code"]).iloc[0]
    assert s["count"] == 3 and s["downtime_min"] == pytest.approx(99.0)
    assert s["mttr_min"] == pytest.approx(27.0)  # (30 + 24) / 2
    assert s["open_count"] == 1
    only_open = m.summarize(bd[bd["open"]], []).iloc[0]
    assert pd.isna(only_open["mttr_min"])


def test_mtbf_and_availability_by_hand():
    df = pd.DataFrame({"machine_code": ["M1", "M2"], "count": [2, 0],
                       "available_min": [540, 540], "downtime_min": [40.0, 0.0]})
    out = m.add_mtbf(df)
    assert out["mtbf_min"].iloc[0] == pytest.approx(250.0)  # (540 - 40) / 2
    assert pd.isna(out["mtbf_min"].iloc[1])  # no breakdowns: no MTBF, not 0
    assert m.availability_pct(540, 54) == pytest.approx(90.0)
    assert m.availability_pct(0, 0) is None
    assert m.availability_pct(100, 150) == 0.0  # overlapping stops never make it negative


def test_oee_by_hand():
    # L01: 540 min, 38 people, 1,600 x 7.32 = 11,712 earned, 54 min down, FPY 92 %
    # A = 486 / 540 = 0.9; P = 11,712 / (38 x 486) = 0.634178; Q = 0.92 -> 52.510 %
    # L02: 480 min, 20 people, 3,000 earned, 105 min down, FPY 80 % -> 0.78125 x 0.4 x 0.8 = 25 %
    lines = m.add_oee(pd.DataFrame({
        "available_min": [540, 480], "downtime_min": [54.0, 105.0],
        "manpower_min": [38 * 540, 20 * 480], "earned_minutes": [11712.0, 3000.0],
        "fpy_pct": [92.0, 80.0]}))
    assert list(lines["availability_pct"]) == pytest.approx([90.0, 78.125])
    assert lines["performance_pct"].iloc[0] == pytest.approx(11712 / (38 * 486) * 100)
    assert list(lines["oee_pct"]) == pytest.approx([52.510, 25.0], abs=1e-3)
    # plant: A = 861 / 1020, P = 14,712 / (38 x 486 + 20 x 375) = 14,712 / 25,968, Q = 0.9
    plant = m.oee_total(lines, 90.0)
    assert plant["performance_pct"] == pytest.approx(14712 / 25968 * 100)
    assert plant["oee_pct"] == pytest.approx(43.041, abs=1e-3)
    assert m.oee_total(lines, None)["oee_pct"] is None


def test_pm_due_overdue_and_days_left():
    machines = pd.DataFrame({"machine_code": ["A", "B", "C", "D"],
                             "last_pm_date": [date(2026, 1, 1), date(2026, 2, 1),
                                              date(2026, 2, 28), None],
                             "pm_interval_days": [60, 29, 30, 30]})
    pm = m.pm_status(machines, D).set_index("machine_code")
    # A: Jan 1 + 60 days = Mar 2 (today: due, not overdue); B: Feb 1 + 29 = Mar 2;
    # C: Feb 28 + 30 = Mar 30, 28 days left; D: never maintained
    assert pm.loc["A", "pm_due"] == date(2026, 3, 2) and pm.loc["A", "days_left"] == 0
    assert not pm.loc["A", "overdue"] and pm.loc["A", "pm_status"] == "due soon"
    assert pm.loc["B", "pm_due"] == date(2026, 3, 2)
    assert pm.loc["C", "pm_due"] == date(2026, 3, 30) and pm.loc["C", "days_left"] == 28
    assert pm.loc["C", "pm_status"] == "ok"
    assert pm.loc["D", "pm_status"] == "no PM plan" and not pm.loc["D", "overdue"]
    late = m.pm_status(machines.iloc[:1], date(2026, 3, 5)).iloc[0]
    assert late["overdue"] and late["days_left"] == -3 and late["pm_status"] == "overdue"


# --- reports -------------------------------------------------------------------------------------

@pytest.fixture
def ctx(engine, database_url, tmp_path):
    small_plant(engine)
    quality_downtime(engine)
    return Context.create(Settings(database_url=database_url, cache_dir=str(tmp_path / "c")))


def test_downtime_by_line_with_availability_and_oee(ctx):
    result = r.downtime(ctx, DAY, ("line_code",), now=NOW)
    rows = result["rows"].set_index("line_code")
    assert rows.loc["L01", "downtime_min"] == pytest.approx(54.0)  # 30 + 24 clipped
    assert rows.loc["L01", "count"] == 2 and rows.loc["L01", "mttr_min"] == pytest.approx(27.0)
    assert rows.loc["L01", "availability_pct"] == pytest.approx(90.0)
    assert rows.loc["L01", "oee_pct"] == pytest.approx(52.510, abs=1e-3)
    assert rows.loc["L02", "downtime_min"] == pytest.approx(105.0)  # 45 open + 60
    assert rows.loc["L02", "mttr_min"] == pytest.approx(60.0)
    assert rows.loc["L02", "availability_pct"] == pytest.approx(78.125)
    assert rows.loc["L02", "oee_pct"] == pytest.approx(25.0)  # 0.78125 x 0.4 x 0.8
    total = result["total"]
    assert total["downtime_min"] == pytest.approx(159.0) and total["count"] == 4
    assert total["mttr_min"] == pytest.approx(38.0) and total["open_count"] == 1
    assert total["availability_pct"] == pytest.approx(861 / 1020 * 100)
    assert total["oee_pct"] == pytest.approx(43.041, abs=1e-3)


def test_downtime_by_machine_includes_a_machine_with_no_breakdowns(ctx):
    rows = r.downtime(ctx, DAY, ("machine_code",), now=NOW)["rows"].set_index("machine_code")
    assert rows.loc["L01-M01", "mtbf_min"] == pytest.approx(510.0)  # BD5 is outside the window
    assert rows.loc["L01-M02", "mtbf_min"] == pytest.approx(516.0)
    assert rows.loc["L02-M01", "mtbf_min"] == pytest.approx(435.0)
    assert rows.loc["L01-M03", "count"] == 0 and rows.loc["L01-M03", "downtime_min"] == 0
    assert pd.isna(rows.loc["L01-M03", "mtbf_min"]) and pd.isna(rows.loc["L01-M03", "mttr_min"])


def test_downtime_by_category_and_reason(ctx):
    rows = r.downtime(ctx, DAY, ("category", "reason"), now=NOW)["rows"]
    got = {(c, reason): v for c, reason, v in rows[["category", "reason", "downtime_min"]]
           .itertuples(index=False)}
    assert got == {("Machine breakdown", "Motor fault"): pytest.approx(24.0),
                   ("Machine breakdown", "Needle breakage"): pytest.approx(30.0),
                   ("Machine breakdown", "Oil leakage"): pytest.approx(45.0),
                   ("Style changeover", "New style setup"): pytest.approx(60.0)}


def test_downtime_view_pareto_open_and_maintenance(ctx):
    view = r.downtime_view(ctx, DAY, now=NOW)
    cats = view["categories"]
    assert list(cats["category"]) == ["Machine breakdown", "Style changeover"]
    assert list(cats["downtime_min"]) == pytest.approx([99.0, 60.0])
    assert list(cats["cum_pct"]) == pytest.approx([99 / 159 * 100, 100.0])
    assert list(view["open"]["breakdown_id"]) == ["BD3"]
    assert view["open"]["running_min"].iloc[0] == pytest.approx(45.0)
    pm = view["maintenance"].set_index("machine_code")  # today = NOW's date = D
    assert pm.loc["L01-M02", "pm_status"] == "overdue" and pm.loc["L01-M02", "days_left"] == -10
    assert pm.loc["L02-M01", "days_left"] == 0 and not pm.loc["L02-M01", "overdue"]
    assert pm.loc["L01-M01", "pm_due"] == date(2026, 3, 12)
    assert list(view["maintenance"]["machine_code"])[0] == "L01-M02"  # most urgent first
    assert set(view["by_day"]["date"]) == {D}


def test_downtime_scope_and_empty_window(ctx):
    only = r.downtime(ctx, DAY, ("line_code",), ("L02",), now=NOW)
    assert list(only["rows"]["line_code"]) == ["L02"]
    assert only["total"]["downtime_min"] == pytest.approx(105.0)
    empty = r.downtime(ctx, Filters(start=date(2025, 1, 1), end=date(2025, 1, 2)), now=NOW)
    assert empty["rows"].empty and empty["total"]["count"] == 0
    assert empty["total"]["mttr_min"] is None and empty["total"]["availability_pct"] is None


def test_downtime_kpi_against_the_previous_period(ctx):
    cur, prev = r._kpi_totals(ctx, DAY, None, NOW)
    # the previous production day (D-1 08:00 -> D 08:00) holds BD2's first 15 h 30 min
    assert cur == pytest.approx(159.0) and prev == pytest.approx(15 * 60 + 30)
    # seen from today, BD3 (still open) runs 16:00 -> 08:00 of the window: 30 + 24 + 960 + 60
    card = r.downtime_kpis(ctx, DAY, None)[0]
    assert card["key"] == "downtime_min" and card["value"] == pytest.approx(1074.0)
    assert card["previous"] == pytest.approx(930.0) and card["better"] == "down"


# --- API -----------------------------------------------------------------------------------------

@pytest.fixture
def client(api_client, engine):
    quality_downtime(engine)
    return api_client


def test_api_downtime_by_machine_and_category(client):
    body = client.get(f"/api/v1/downtime?{RANGE}&group_by=machine").get_json()
    rows = {row["machine_code"]: row for row in body["rows"]}
    assert rows["L01-M01"]["downtime_min"] == pytest.approx(30.0)
    assert rows["L01-M03"]["count"] == 0 and rows["L01-M03"]["mtbf_min"] is None
    body = client.get(f"/api/v1/downtime?{RANGE}&group_by=category").get_json()
    assert {row["category"] for row in body["rows"]} >= {"Style changeover"}
    assert set(body["total"]) >= {"count", "downtime_min", "mttr_min", "open_count"}


def test_api_downtime_by_date_and_line(client):
    body = client.get(f"/api/v1/downtime?{RANGE}&group_by=date,line").get_json()
    rows = {(row["date"], row["line_code"]): row for row in body["rows"]}
    # BD2 started on D-1 but its minutes in the window count on the window's first day
    assert rows[("2026-03-02", "L01")]["downtime_min"] == pytest.approx(54.0)
    assert rows[("2026-03-02", "L01")]["count"] == 2


def test_api_downtime_bad_group_by(client):
    resp = client.get(f"/api/v1/downtime?{RANGE}&group_by=operation")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_group_by"
