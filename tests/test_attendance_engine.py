"""The attendance engine (metrics/attendance.py) against SPEC section 5, numbers worked by hand.

Acceptance cases use shift 08:00-12:00, windows 60/60, break 0, no thresholds unless stated.
Day D = 2026-03-02 (a Monday).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from metrics import attendance as att

D = date(2026, 3, 2)


def shift(**overrides) -> pd.DataFrame:
    row = dict(shift_code="S", start="08:00", end="12:00", break_minutes=0, late_grace_min=0,
               early_grace_min=0, half_day_hours=0, absent_hours=0, checkin_before_min=60,
               checkout_after_min=60, ot_min_minutes=0, weekly_off=None)
    row.update(overrides)
    return pd.DataFrame([row])


def staff(emp="E1", shift_code="S", joined=None, left=None) -> pd.DataFrame:
    return pd.DataFrame([{"emp_code": emp, "shift_code": shift_code, "date_joined": joined,
                          "date_left": left}])


def at(hhmm: str, day: date = D) -> datetime:
    parts = [int(x) for x in hhmm.split(":")]
    return datetime(day.year, day.month, day.day, *parts)


def punches(*items, emp="E1") -> pd.DataFrame:
    return pd.DataFrame([{"emp_code": emp, "ts": ts, "direction": d} for d, ts in items],
                        columns=["emp_code", "ts", "direction"])


def day(p, shifts=None, holidays=(), first=D, last=D, employees=None):
    records, assigned = att.daily_records(p, staff() if employees is None else employees,
                                          shift() if shifts is None else shifts, holidays,
                                          first, last)
    return records, assigned


def one(p, **kw) -> dict:
    records, _ = day(p, **kw)
    assert len(records) == 1
    return records.iloc[0].to_dict()


# --- SPEC section 5, table rows 1-10 --------------------------------------------------------------

def test_case_1_full_shift():
    r = one(punches(("IN", at("08:00")), ("OUT", at("12:00"))))
    assert (r["status"], r["work_minutes"], r["late_minutes"], r["early_exit_minutes"],
            r["overtime_minutes"], r["missing_out"]) == ("P", 240, 0, 0, 0, False)


def test_case_2_late_and_early_exit_are_measured_from_the_shift_times_not_the_grace():
    # in 09:30 > 08:00 + 60 -> late 90 (not 30); out 10:30 < 12:00 - 60 -> early 90; work 60
    r = one(punches(("IN", at("09:30")), ("OUT", at("10:30"))),
            shifts=shift(late_grace_min=60, early_grace_min=60))
    assert (r["status"], r["work_minutes"], r["late_minutes"], r["early_exit_minutes"]) == (
        "P", 60, 90, 90)


def test_case_3_half_day():
    r = one(punches(("IN", at("08:00")), ("OUT", at("09:30"))), shifts=shift(half_day_hours=2))
    assert (r["status"], r["work_minutes"]) == ("HD", 90)  # 90 < 120


def test_case_4_absent_threshold():
    r = one(punches(("IN", at("08:00")), ("OUT", at("09:30"))), shifts=shift(absent_hours=2))
    assert (r["status"], r["work_minutes"]) == ("A", 90)


def test_case_5_absent_is_checked_before_half_day():
    r = one(punches(("IN", at("08:00")), ("OUT", at("08:45"))),
            shifts=shift(half_day_hours=2, absent_hours=1))
    assert (r["status"], r["work_minutes"]) == ("A", 45)  # 45 < 60 -> A before HD


def test_case_6_both_alternates():
    # IN 08:00 OUT 09:30 (90) IN 10:00 OUT 13:00 (180) = 270; overtime 270 - 240 = 30
    r = one(punches(("BOTH", at("08:00")), ("BOTH", at("09:30")), ("BOTH", at("10:00")),
                    ("BOTH", at("13:00"))))
    assert (r["status"], r["work_minutes"], r["out_time"], r["overtime_minutes"]) == (
        "P", 270, pd.Timestamp(at("13:00")), 30)


def test_case_7_stray_out_and_second_in_are_ignored():
    # OUT 07:30 ignored (no open IN), IN 09:00 ignored (second IN): 08:00->11:00 = 180;
    # out_time is the last OUT 11:30 -> early exit 12:00 - 11:30 = 30
    r = one(punches(("OUT", at("07:30")), ("IN", at("08:00")), ("IN", at("09:00")),
                    ("OUT", at("11:00")), ("OUT", at("11:30"))))
    assert (r["status"], r["in_time"], r["out_time"], r["work_minutes"],
            r["early_exit_minutes"]) == ("P", pd.Timestamp(at("08:00")),
                                         pd.Timestamp(at("11:30")), 180, 30)


def test_case_8_night_shift_belongs_to_the_day_it_starts():
    # window D 21:00 .. D+1 07:00; work counted from 22:00 to 06:05 = 485; overtime 485-480 = 5
    night = shift(start="22:00", end="06:00")
    records, _ = day(punches(("IN", at("21:55")), ("OUT", at("06:05", D + timedelta(days=1)))),
                     shifts=night, last=D + timedelta(days=1))
    r = records.set_index("date").loc[D]
    assert (r["status"], r["in_time"], r["work_minutes"], r["overtime_minutes"]) == (
        "P", pd.Timestamp(at("21:55")), 485, 5)
    assert records.set_index("date").loc[D + timedelta(days=1), "status"] == "A"  # no punch


def test_case_9_missing_out():
    r = one(punches(("IN", at("08:00"))))
    assert (r["status"], r["missing_out"], r["work_minutes"]) == ("P", True, 0)
    r = one(punches(("IN", at("08:00"))), shifts=shift(absent_hours=2))
    assert (r["status"], r["missing_out"]) == ("A", True)
    assert r["in_time"] == pd.Timestamp(at("08:00"))  # came: not the same as a no-punch absence


def test_case_10_doubled_punch_counts_once():
    r = one(punches(("IN", at("08:00")), ("IN", at("08:00:40")), ("OUT", at("12:00"))))
    assert (r["status"], r["work_minutes"], r["punch_count"]) == ("P", 240, 2)


# --- beyond the table ----------------------------------------------------------------------------

def test_no_punch_on_a_working_day_is_absent_without_in_time():
    r = one(punches())
    assert r["status"] == "A" and pd.isna(r["in_time"]) and r["work_minutes"] == 0


def test_weekly_off_and_holiday_without_punches():
    # D is a Monday: a Mon weekly off gives WO; a holiday on D gives PH
    assert one(punches(), shifts=shift(weekly_off="Sat;Mon"))["status"] == "WO"
    assert one(punches(), holidays=[D])["status"] == "PH"


def test_work_on_a_weekly_off_counts_as_overtime():
    # 08:00-10:00 on a weekly off: evaluated normally (P), all 120 minutes are overtime, no late
    r = one(punches(("IN", at("09:00")), ("OUT", at("11:00"))), shifts=shift(weekly_off="Mon"))
    assert (r["status"], r["day_type"], r["work_minutes"], r["overtime_minutes"],
            r["late_minutes"]) == ("P", "WO", 120, 120, 0)


def test_work_on_a_holiday_counts_as_overtime():
    r = one(punches(("IN", at("08:00")), ("OUT", at("12:00"))), holidays=[D])
    assert (r["status"], r["day_type"], r["overtime_minutes"]) == ("P", "PH", 240)


def test_overtime_needs_the_minimum_and_early_arrival_is_not_overtime():
    # IN 07:10 (counted from 08:00) OUT 12:20: 260 min, 20 beyond 240 < ot_min 30 -> 0
    r = one(punches(("IN", at("07:10")), ("OUT", at("12:20"))), shifts=shift(ot_min_minutes=30))
    assert (r["work_minutes"], r["overtime_minutes"]) == (260, 0)
    r = one(punches(("IN", at("07:10")), ("OUT", at("12:40"))), shifts=shift(ot_min_minutes=30))
    assert (r["work_minutes"], r["overtime_minutes"]) == (280, 40)


def test_break_is_deducted_only_when_the_span_covers_the_mid_point():
    # 08:00-17:00 with a 60-minute break: mid-point 12:30
    day_shift = shift(end="17:00", break_minutes=60)
    assert one(punches(("IN", at("08:00")), ("OUT", at("17:00"))),
               shifts=day_shift)["work_minutes"] == 540 - 60
    # left at 12:00: the span does not cover 12:30, nothing is deducted
    assert one(punches(("IN", at("08:00")), ("OUT", at("12:00"))),
               shifts=day_shift)["work_minutes"] == 240
    # punched out for lunch: 08:00-12:00 (240) + 13:00-17:00 (240), no pair covers 12:30
    assert one(punches(("IN", at("08:00")), ("OUT", at("12:00")), ("IN", at("13:00")),
                       ("OUT", at("17:00"))), shifts=day_shift)["work_minutes"] == 480


def test_unmatched_punch_is_reported_not_dropped():
    # 15:00 lies after 12:00 + 60: in no window of D, D-1 or D+1
    records, assigned = day(punches(("IN", at("08:00")), ("OUT", at("12:00")),
                                    ("IN", at("15:00"))))
    assert records.iloc[0]["work_minutes"] == 240
    lost = assigned[assigned["unmatched"]]
    assert len(assigned) == 3 and list(lost["ts"]) == [pd.Timestamp(at("15:00"))]


def test_open_shift_is_closed_before_a_new_one_opens():
    # frappe/hrms#3298: shift 20:00-08:00, windows 4 h before, 14 h after: the window of D runs
    # to D+1 22:00 and overlaps D+1's (from D+1 16:00). An OUT at D+1 17:00 closes D's open shift
    # (IN D 20:00) instead of starting D+1; D+1's own IN at 19:50 opens D+1.
    s = shift(start="20:00", end="08:00", checkin_before_min=240, checkout_after_min=840)
    d1 = D + timedelta(days=1)
    records, assigned = day(punches(("IN", at("20:00")), ("OUT", at("17:00", d1)),
                                    ("IN", at("19:50", d1)),
                                    ("OUT", at("08:00", d1 + timedelta(days=1)))),
                            shifts=s, last=d1)
    by_day = records.set_index("date")
    # D: 20:00 -> D+1 17:00 = 21 h = 1260 min; D+1: counted from 20:00 to 08:00 = 720
    assert by_day.loc[D, "work_minutes"] == 1260 and not by_day.loc[D, "missing_out"]
    assert by_day.loc[d1, "work_minutes"] == 720
    assert by_day.loc[d1, "in_time"] == pd.Timestamp(at("19:50", d1))


def test_both_in_the_overlap_opens_the_next_day_when_the_earlier_is_closed():
    s = shift(start="20:00", end="08:00", checkin_before_min=240, checkout_after_min=840)
    d1 = D + timedelta(days=1)
    records, _ = day(punches(("BOTH", at("20:00")), ("BOTH", at("08:00", d1)),
                             ("BOTH", at("19:55", d1)),
                             ("BOTH", at("08:00", d1 + timedelta(days=1)))),
                     shifts=s, last=d1)
    by_day = records.set_index("date")
    assert by_day.loc[D, "work_minutes"] == 720 and by_day.loc[d1, "work_minutes"] == 720
    assert not by_day["missing_out"].any()


def test_employee_who_joined_and_one_who_left_mid_range():
    # 5 days D..D+4; E1 joined D+2, E2's last day is D+1: no absences outside employment
    emps = pd.concat([staff("E1", joined=D + timedelta(days=2)),
                      staff("E2", left=D + timedelta(days=1))], ignore_index=True)
    records, _ = day(punches(), employees=emps, last=D + timedelta(days=4))
    days = records.groupby("emp_code")["date"].apply(list).to_dict()
    assert days["E1"] == [D + timedelta(days=i) for i in (2, 3, 4)]
    assert days["E2"] == [D, D + timedelta(days=1)]
    assert set(records["status"]) == {"A"}


def test_employee_without_shift_follows_the_default_shift():
    shifts = pd.concat([shift(), shift(shift_code="T", start="14:00", end="18:00")])
    emps = staff(shift_code=None)
    records, _ = att.daily_records(punches(("IN", at("14:00")), ("OUT", at("18:00"))), emps,
                                   shifts, [], D, D, default_shift="T")
    assert (records.iloc[0]["shift_code"], records.iloc[0]["work_minutes"]) == ("T", 240)
    # no DEFAULT_SHIFT: the first shift by code (S 08:00-12:00) -> 14:00 is outside its window
    records, assigned = att.daily_records(punches(("IN", at("14:00")), ("OUT", at("18:00"))), emps,
                                          shifts, [], D, D)
    assert records.iloc[0]["status"] == "A" and assigned["unmatched"].all()


def test_punches_of_another_employee_do_not_mix():
    p = pd.concat([punches(("IN", at("08:00")), ("OUT", at("12:00"))),
                   punches(("IN", at("08:00:30")), ("OUT", at("10:00")), emp="E2")])
    emps = pd.concat([staff("E1"), staff("E2")], ignore_index=True)
    records, _ = day(p, employees=emps)
    assert records.set_index("emp_code")["work_minutes"].to_dict() == {"E1": 240, "E2": 119.5}


def test_attendance_pct_is_a_ratio_of_sums_and_null_without_scheduled_days():
    # 18 P + 2 HD over 20 scheduled days -> (18 + 1) / 20 = 95 %
    assert att.attendance_pct(18, 2, 20) == pytest.approx(95.0)
    assert att.attendance_pct(0, 0, 0) is None


def test_last_closed_day_waits_for_the_latest_window():
    # 08:00-12:00 + 60 after: D closes at 13:00
    assert att.last_closed_day(at("12:59"), shift()) == D - timedelta(days=1)
    assert att.last_closed_day(at("13:00"), shift()) == D
