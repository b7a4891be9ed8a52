"""The shared production-day/shift mapping (SPEC section 3), worked by hand."""
from datetime import date

import pandas as pd
import pytest

from metrics.calendar import assign_shift_day, shift_hours, to_plant_local

SHIFTS = pd.DataFrame({
    "shift_code": ["A", "B"], "start": ["08:00", "20:00"], "end": ["17:00", "05:00"],
    "checkin_before_min": [120, 120], "checkout_after_min": [240, 240],
})


@pytest.mark.parametrize("ts, day, shift", [
    ("2026-03-02 08:00", date(2026, 3, 2), "A"),   # the start is inside
    ("2026-03-02 16:59", date(2026, 3, 2), "A"),
    ("2026-03-02 23:30", date(2026, 3, 2), "B"),   # night shift, same calendar day
    ("2026-03-03 02:00", date(2026, 3, 2), "B"),   # after midnight: the day the shift started
    ("2026-03-02 18:30", date(2026, 3, 2), "A"),   # overtime after A stays with A
    ("2026-03-02 19:55", date(2026, 3, 2), "A"),   # both windows: the shift that started first
    ("2026-03-03 06:30", date(2026, 3, 2), "B"),   # B's overtime, though A's window opened
    ("2026-03-03 07:00", date(2026, 3, 2), "B"),
])
def test_assign_shift_day(ts, day, shift):
    out = assign_shift_day(pd.Series(pd.to_datetime([ts])), SHIFTS)
    assert (out.loc[0, "date"], out.loc[0, "shift_code"]) == (day, shift)
    assert out.loc[0, "hour"] == pd.Timestamp(ts).hour


def test_outside_every_window_goes_to_the_nearest_shift():
    narrow = SHIFTS.assign(checkin_before_min=0, checkout_after_min=0)
    out = assign_shift_day(pd.Series(pd.to_datetime(["2026-03-02 18:00", "2026-03-02 19:30",
                                                     "2026-03-03 07:30"])), narrow)
    assert list(out["shift_code"]) == ["A", "B", "A"]
    assert list(out["date"]) == [date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 3)]


def test_no_shifts_means_calendar_days():
    out = assign_shift_day(pd.Series(pd.to_datetime(["2026-03-03 02:00"])), pd.DataFrame())
    assert out.loc[0, "date"] == date(2026, 3, 3) and out.loc[0, "shift_code"] is None


def test_shift_hours_take_the_break_at_the_mid_point():
    hours = shift_hours("08:00", "17:00", 60)
    assert [h for _, h, m in hours if m == 0] == [12]
    assert sum(m for _, _, m in hours) == 480
    night = shift_hours("22:00", "06:00", 30)
    assert night[0] == (0, 22, 60) and night[-1] == (1, 5, 60)
    assert sum(m for _, _, m in night) == 450


def test_to_plant_local_converts_offsets_and_keeps_naive_times():
    out = to_plant_local(["2026-03-02T07:58:00", "2026-03-02T02:00:00+00:00",
                          "2026-03-02T02:00:00Z", ""], "Asia/Dhaka")
    assert list(out[:3]) == [pd.Timestamp("2026-03-02 07:58"), pd.Timestamp("2026-03-02 08:00"),
                             pd.Timestamp("2026-03-02 08:00")]
    assert pd.isna(out[3])
    with pytest.raises(ValueError):
        to_plant_local(["yesterday"], "Asia/Dhaka")
