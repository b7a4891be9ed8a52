"""Order metrics (SPEC section 4, Orders) with numbers worked out by hand."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from metrics import orders as m

TODAY = date(2026, 3, 10)  # a Tuesday


def _daily():
    """L01 sews S1 on 03-01..03-07 and 03-09 (nothing on 03-08), S3 on 03-09; L02 nothing."""
    rows = [("L01", "S1", date(2026, 3, d), q) for d, q in
            [(1, 900), (2, 800), (3, 1000), (4, 1000), (5, 1200), (6, 1000), (7, 1000), (9, 1000)]]
    rows.append(("L01", "S3", date(2026, 3, 9), 500))
    rows.append(("L01", "S4", date(2026, 3, 8), 0))  # a day without output is not a day with output
    return pd.DataFrame(rows, columns=["line_code", "style_code", "date", "output"])


def _order(wo, line, style, qty, produced, status, due, completed_at=None):
    return {"wo_number": wo, "line_code": line, "style_code": style, "order_qty": qty,
            "produced_qty": produced, "status": status, "due_date": due,
            "completed_at": completed_at}


ORDERS = pd.DataFrame([
    _order("WO1", "L01", "S1", 10000, 4000, "IN_PROGRESS", date(2026, 3, 15)),
    _order("WO2", "L01", "S2", 3000, 0, "RELEASED", date(2026, 3, 12)),
    _order("WO3", "L02", "S2", 500, 100, "IN_PROGRESS", date(2026, 3, 9)),
    _order("WO4", "L01", "S1", 800, 0, "CANCELLED", date(2026, 3, 1)),
    _order("WO5", "L01", "S1", 900, 900, "COMPLETED", date(2026, 3, 5), datetime(2026, 3, 5, 18)),
    _order("WO6", "L01", "S1", 900, 910, "COMPLETED", date(2026, 3, 5), datetime(2026, 3, 6, 9)),
    _order("WO7", "L01", "S1", 900, 900, "COMPLETED", date(2026, 3, 10), datetime(2026, 3, 8, 9)),
    _order("WO8", "L01", "S1", 1000, 1200, "ON_HOLD", date(2026, 3, 20)),
    _order("WO9", "L02", "S2", 400, 400, "COMPLETED", date(2026, 3, 10), datetime(2026, 3, 9, 7)),
])


@pytest.fixture
def result():
    return m.add_order_metrics(ORDERS, _daily(), TODAY).set_index("wo_number")


def test_progress_and_remaining(result):
    assert result.loc["WO1", "progress_pct"] == pytest.approx(40.0)  # 4000 / 10000
    assert result.loc["WO1", "remaining"] == 6000
    assert result.loc["WO8", "progress_pct"] == pytest.approx(120.0)  # over-produced: 1200/1000
    assert result.loc["WO8", "remaining"] == -200


def test_daily_rate_is_the_mean_of_the_last_seven_days_with_output_of_the_style(result):
    # S1 on L01: the last 7 days with output are 03-02..03-07 and 03-09 (03-08 had none):
    # (800 + 1000 + 1000 + 1200 + 1000 + 1000 + 1000) / 7 = 7000 / 7 = 1000; 03-01 drops out
    assert result.loc["WO1", "daily_rate"] == pytest.approx(1000.0)
    assert result.loc["WO1", "rate_basis"] == "style"
    # 6000 remaining / 1000 a day = 6 days -> 03-16, after the due date 03-15: at risk
    assert result.loc["WO1", "projected_completion"] == date(2026, 3, 16)
    assert bool(result.loc["WO1", "at_risk"]) and not bool(result.loc["WO1", "late"])
    assert result.loc["WO1", "risk"] == "at_risk"


def test_without_the_style_the_line_pace_is_used(result):
    # L01 never sewed S2: the line's last 7 days with output are 03-02..03-07 and 03-09 (S1 + S3
    # = 1500 on 03-09): (800 + 1000 + 1000 + 1200 + 1000 + 1000 + 1500) / 7 = 7500 / 7
    assert result.loc["WO2", "daily_rate"] == pytest.approx(7500 / 7)
    assert result.loc["WO2", "rate_basis"] == "line"
    # 3000 / (7500 / 7) = 2.8 days -> 03-12 19:12, the due day itself: not after it, not at risk
    assert result.loc["WO2", "projected_completion"] == date(2026, 3, 12)
    assert not bool(result.loc["WO2", "at_risk"])
    assert result.loc["WO2", "risk"] == "on_track"


def test_an_order_with_no_recent_output_has_no_projection(result):
    assert pd.isna(result.loc["WO3", "daily_rate"]) and result.loc["WO3", "rate_basis"] is None
    assert result.loc["WO3", "projected_completion"] is None
    assert not bool(result.loc["WO3", "at_risk"])
    # due 03-09, before today 03-10: late even without a projection
    assert bool(result.loc["WO3", "late"]) and result.loc["WO3", "risk"] == "late"


def test_a_cancelled_order_is_neither_late_nor_at_risk(result):
    # WO4's due date 03-01 has passed, but it was cancelled
    assert not bool(result.loc["WO4", "late"]) and not bool(result.loc["WO4", "at_risk"])
    assert result.loc["WO4", "projected_completion"] is None
    assert result.loc["WO4", "risk"] == "cancelled"
    assert not bool(result.loc["WO5", "late"]) and result.loc["WO5", "risk"] == "completed"


def test_an_order_sewn_in_full_projects_today(result):
    assert result.loc["WO8", "projected_completion"] == TODAY
    assert result.loc["WO8", "risk"] == "on_track"


def test_rate_zero_gives_no_projection():
    daily = pd.DataFrame([("L01", "S1", date(2026, 3, 9), 0)],
                         columns=["line_code", "style_code", "date", "output"])
    out = m.add_order_metrics(ORDERS.iloc[:1], daily, TODAY)
    assert out.loc[0, "projected_completion"] is None and not bool(out.loc[0, "at_risk"])


def test_urgency_order_puts_late_then_at_risk_first(result):
    ordered = m.sort_by_urgency(result.reset_index())
    assert list(ordered["wo_number"][:4]) == ["WO3", "WO1", "WO2", "WO8"]


def test_on_time_pct_is_completed_on_or_before_due_over_completed():
    # WO5 on its due day (on time), WO6 a day late, WO7 and WO9 early: 3 / 4 = 75 %
    assert m.on_time(ORDERS) == {"completed": 4, "completed_on_time": 3, "on_time_pct": 75.0}


def test_on_time_pct_with_no_completed_orders_is_null():
    open_only = ORDERS[ORDERS["status"] != "COMPLETED"]
    assert m.on_time(open_only) == {"completed": 0, "completed_on_time": 0, "on_time_pct": None}


def test_on_time_by_week():
    weeks = m.on_time_by_period(ORDERS, "W")
    # week of Mon 03-02: WO5, WO6, WO7 (2 on time of 3); week of Mon 03-09: WO9 (1 of 1)
    assert list(weeks["period"].dt.date) == [date(2026, 3, 2), date(2026, 3, 9)]
    assert list(weeks["completed"]) == [3, 1] and list(weeks["late"]) == [1, 0]
    assert list(weeks["on_time_pct"]) == pytest.approx([200 / 3, 100.0])
    days = m.on_time_by_period(ORDERS, "D")
    assert len(days) == 4 and list(days["on_time"]) == [1, 0, 1, 1]


def test_shortage_is_required_minus_issued_never_below_zero():
    materials = pd.DataFrame([("WO1", "FAB", 100.0, 60.0), ("WO1", "BTN", 50.0, 55.0),
                              ("WO2", "THR", 10.0, 0.0), ("WO2", "LBL", 10.0, 10.0)],
                             columns=["wo_number", "material_code", "required_qty", "issued_qty"])
    out = m.add_shortages(materials)
    assert list(out["shortage"]) == [40.0, 0.0, 10.0, 0.0]  # max(0, 100-60), max(0, 50-55), ...
    assert list(out["issued_pct"]) == pytest.approx([60.0, 110.0, 0.0, 100.0])
    assert m.shortages_per_order(materials).to_dict() == {"WO1": 1, "WO2": 1}


def test_totals_count_each_kind(result):
    total = m.totals(result.reset_index())
    assert total == {"orders": 9, "open": 4, "late": 1, "at_risk": 1, "cancelled": 1,
                     "completed": 4, "completed_on_time": 3, "on_time_pct": 75.0}
