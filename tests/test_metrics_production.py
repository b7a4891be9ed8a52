"""Production metrics with numbers worked out by hand from SPEC.md section 4."""
from datetime import date

import pandas as pd
import pytest

from metrics import production as m

SHIFTS = pd.DataFrame({
    "shift_code": ["A", "B"], "start": ["08:00", "20:00"], "end": ["17:00", "05:00"],
    "break_minutes": [60, 60],
})


def test_spec_efficiency_example():
    # 1,600 garments of SMV 7.32 by 36 operators and 2 helpers in 540 minutes -> 57.08 %
    df = pd.DataFrame({"output": [1600], "target": [2000], "earned_minutes": [1600 * 7.32],
                       "available_minutes": [(36 + 2) * 540]})
    out = m.add_production_ratios(df)
    assert out.loc[0, "efficiency_pct"] == pytest.approx(57.076, abs=1e-3)
    assert round(out.loc[0, "efficiency_pct"], 2) == 57.08
    assert out.loc[0, "achievement_pct"] == pytest.approx(80.0)


def test_totals_are_ratio_of_sums_not_mean_of_ratios():
    # L01: 100 of 200 (50 %), L02: 300 of 300 (100 %); plant: 400 / 500 = 80 %, not 75 %.
    df = pd.DataFrame({"line_code": ["L01", "L02"], "output": [100, 300], "target": [200, 300],
                       "earned_minutes": [500.0, 1500.0], "available_minutes": [2000.0, 2000.0]})
    total = m.production_totals(df)
    assert total["achievement_pct"] == pytest.approx(80.0)
    # efficiency: (500 + 1500) / 4000 = 50 %
    assert total["efficiency_pct"] == pytest.approx(50.0)
    assert total["output"] == 400 and total["target"] == 500


def test_zero_or_missing_denominator_is_null_not_zero():
    df = pd.DataFrame({"output": [50, 10], "target": [0, None], "earned_minutes": [10.0, 0.0],
                       "available_minutes": [0.0, None]})
    out = m.add_production_ratios(df)
    assert out["achievement_pct"].isna().all()
    assert out["efficiency_pct"].isna().all()
    total = m.production_totals(df.iloc[:0])
    assert total["achievement_pct"] is None and total["efficiency_pct"] is None
    assert total["output"] == 0


def test_ratio_pct_scalar():
    assert m.ratio_pct(35, 250) == pytest.approx(14.0)
    assert m.ratio_pct(5, 0) is None
    assert m.ratio_pct(5, None) is None
    assert m.ratio_pct(None, 10) is None


def test_hourly_target_spreads_plan_over_working_hours():
    # 800 pieces over 480 working minutes = 100 an hour; the 12:00 hour is the lunch break.
    plans = pd.DataFrame({"date": [date(2026, 3, 2)], "shift_code": ["A"], "line_code": ["L01"],
                          "target_qty": [800], "working_minutes": [480]})
    out = m.hourly_targets(plans, SHIFTS)
    by_hour = dict(zip(out["hour"], out["target"]))
    assert by_hour[8] == pytest.approx(100) and by_hour[16] == pytest.approx(100)
    assert by_hour[12] == 0
    assert out["target"].sum() == pytest.approx(800)
    assert out["slot"].min() == pd.Timestamp("2026-03-02 08:00")


def test_hourly_target_night_shift_slots_run_into_next_day():
    plans = pd.DataFrame({"date": [date(2026, 3, 2)], "shift_code": ["B"], "line_code": ["L01"],
                          "target_qty": [480], "working_minutes": [480]})
    out = m.hourly_targets(plans, SHIFTS).set_index("hour")
    assert out.loc[2, "slot"] == pd.Timestamp("2026-03-03 02:00")
    assert out.loc[2, "date"] == date(2026, 3, 2)  # belongs to the day it starts
    assert out.loc[22, "target"] == pytest.approx(60)


def test_wip_is_cumulative_loading_minus_output_from_first_record():
    # 50 pieces in the line before the window; then +100 loaded / -60 out, then -30 out.
    baseline = pd.DataFrame({"line_code": ["L01"], "wip": [50]})
    deltas = pd.DataFrame({
        "line_code": ["L01", "L01"], "date": [date(2026, 3, 2)] * 2, "shift_code": ["A", "A"],
        "hour": [9, 8], "loading": [0, 100], "output": [30, 60],
    })
    out = m.wip_series(baseline, deltas, SHIFTS)
    assert list(out["wip"]) == [90, 60]
    assert list(out["slot"]) == [pd.Timestamp("2026-03-02 08:00"), pd.Timestamp("2026-03-02 09:00")]


def test_wip_for_line_without_baseline_starts_at_zero():
    deltas = pd.DataFrame({"line_code": ["L02"], "date": [date(2026, 3, 2)], "shift_code": ["A"],
                           "hour": [8], "loading": [40], "output": [10]})
    out = m.wip_series(pd.DataFrame({"line_code": [], "wip": []}), deltas, SHIFTS)
    assert list(out["wip"]) == [30]


def test_end_of_day_keeps_the_last_reading_of_each_line_and_day():
    wip = pd.DataFrame({"line_code": ["L01"] * 3 + ["L02"],
                        "slot": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 16:00",
                                                "2026-03-03 09:00", "2026-03-02 10:00"]),
                        "wip": [10, 30, 20, 5]})
    out = m.end_of(wip, "day")
    assert list(zip(out["line_code"], out["wip"])) == [("L01", 30), ("L01", 20), ("L02", 5)]
    # Mon 2 and Tue 3 March are one week: the last reading of it
    out = m.end_of(wip, "week")
    assert list(zip(out["line_code"], out["wip"])) == [("L01", 20), ("L02", 5)]


def test_by_week_sums_monday_to_sunday_and_keeps_lines_apart():
    df = pd.DataFrame({"line_code": ["L01", "L01", "L01", "L02"],
                       "date": [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 8),
                                date(2026, 3, 2)],
                       "output": [10, 20, 30, 5], "target": [None, 40, 40, None]})
    out = m.by_week(df, ["output", "target"])
    rows = list(out.itertuples(index=False, name=None))
    # Sun 1 March is in the week of Mon 23 Feb; Mon 2 and Sun 8 March share a week
    assert rows[0][:3] == ("L01", date(2026, 2, 23), 10) and rows[0][3] != rows[0][3]
    assert rows[1] == ("L01", date(2026, 3, 2), 50, 80.0)
    assert rows[2][:3] == ("L02", date(2026, 3, 2), 5)


def test_change_pct_against_previous_period():
    assert m.change_pct(110, 100) == pytest.approx(10.0)
    assert m.change_pct(90, 100) == pytest.approx(-10.0)
    assert m.change_pct(5, 0) is None
    assert m.change_pct(None, 100) is None


def test_cumulative_output_per_line_and_day():
    hourly = pd.DataFrame({"line_code": ["L01"] * 3, "slot": pd.to_datetime(
        ["2026-03-02 09:00", "2026-03-02 08:00", "2026-03-02 10:00"]), "output": [20, 10, 30],
        "target": [25, 25, 25]})
    out = m.cumulative(hourly, order="slot", columns=["output", "target"], by=["line_code"])
    assert list(out["output_cum"]) == [10, 30, 60]
    assert list(out["target_cum"]) == [25, 50, 75]


def test_traffic_light_against_target():
    assert m.traffic_light(101.0) == "green"
    assert m.traffic_light(92.0) == "amber"
    assert m.traffic_light(70.0) == "red"
    assert m.traffic_light(None) == "grey"


def test_operator_efficiency():
    # E1: 120 pcs x 1.5 smv + 40 pcs x 3.0 smv = 300 earned over 240 + 240 min -> 62.5 %;
    # E2 has no minutes -> null
    df = pd.DataFrame({"emp_code": ["E1", "E2"], "earned_minutes": [120 * 1.5 + 40 * 3.0, 10.0],
                       "minutes_worked": [240 + 240, 0]})
    out = m.add_operator_efficiency(df)
    assert out.loc[0, "efficiency_pct"] == pytest.approx(62.5)
    assert pd.isna(out.loc[1, "efficiency_pct"])


def test_cumulative_over_all_rows():
    df = pd.DataFrame({"date": [2, 1, 3], "output": [5, 10, None]})
    out = m.cumulative(df, order="date", columns=["output"])
    assert out["output_cum"].tolist()[:2] == [10, 15] and pd.isna(out["output_cum"].iloc[2])


def test_hourly_target_overtime_runs_past_the_shift_end():
    # 540 working minutes on an 08:00-17:00 shift with a 60-minute break: 480 in the shift,
    # then 60 of overtime 17:00-18:00. 1,080 pcs / 540 min = 120 an hour.
    plans = pd.DataFrame({"date": [date(2026, 3, 2)], "shift_code": ["A"], "line_code": ["L01"],
                          "target_qty": [1080], "working_minutes": [540]})
    out = m.hourly_targets(plans, SHIFTS).set_index("hour")
    assert out.loc[17, "target"] == pytest.approx(120) and out.loc[17, "minutes"] == 60
    assert out["target"].sum() == pytest.approx(1080)


def test_hourly_target_short_plan_stops_early():
    # 240 working minutes: 08:00-12:00 only
    plans = pd.DataFrame({"date": [date(2026, 3, 2)], "shift_code": ["A"], "line_code": ["L01"],
                          "target_qty": [400], "working_minutes": [240]})
    out = m.hourly_targets(plans, SHIFTS)
    assert out.loc[out["target"] > 0, "hour"].tolist() == [8, 9, 10, 11]
    assert out["target"].sum() == pytest.approx(400)
