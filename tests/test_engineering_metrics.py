"""Line balance and changeover learning (SPEC section 15), with numbers worked out by hand."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from metrics import engineering as e


def _ops(rows):
    """(operation, smv, qty, operator_minutes) -> the query layer's sums."""
    return pd.DataFrame([{"operation": op, "qty": qty, "smv_pieces": qty,
                          "earned_minutes": qty * smv, "operator_minutes": minutes}
                         for op, smv, qty, minutes in rows])


SPEC_EXAMPLE = [("O1", 1.0, 500, 960.0), ("O2", 2.0, 400, 960.0), ("O3", 0.5, 520, 480.0)]


def test_spec_example():
    rows, total = e.line_balance(_ops(SPEC_EXAMPLE), 480, 480, bulletin=["O1", "O2", "O3"])
    by = rows.set_index("operation")
    assert list(rows["operation"]) == ["O1", "O2", "O3"]
    assert list(by["smv"]) == pytest.approx([1.0, 2.0, 0.5])
    assert list(by["pieces_per_hour"]) == pytest.approx([62.5, 50.0, 65.0])
    assert list(by["target_per_hour"]) == pytest.approx([60.0, 60.0, 60.0])
    assert list(by["balance_pct"]) == pytest.approx([104.1667, 83.3333, 108.3333], abs=1e-4)
    assert list(by["standard_capacity_per_hour"]) == pytest.approx([120.0, 60.0, 120.0])
    assert list(by["operators"]) == pytest.approx([2.0, 2.0, 1.0])
    assert list(rows["bottleneck"]) == [False, True, False]
    assert total["bottleneck"] == "O2"
    assert total["lbe_pct"] == pytest.approx(70.0)  # 3.5 / (5 x 1.0)
    assert total["working_hours"] == 8.0 and total["target_per_hour"] == 60.0
    # O2's operators at standard would just make the target (60/h): they are slow, not few
    assert total["bottleneck_gap"] == "pace"
    assert total["smv"] == pytest.approx(3.5) and total["operators"] == pytest.approx(5.0)


def test_sewing_order_follows_the_bulletin_then_the_alphabet():
    rows, _ = e.line_balance(_ops(SPEC_EXAMPLE + [("Aa extra", 1.0, 500, 480.0)]), 480, 480,
                             bulletin=["O3", "O1", "O2"])
    assert list(rows["operation"]) == ["O3", "O1", "O2", "Aa extra"]
    assert list(rows["sequence"]) == [1, 2, 3, 4]


def test_one_operation_line():
    # smv 2.0, 200 pieces, 480 operator-minutes in 8 h against 240: 25/h against 30/h
    rows, total = e.line_balance(_ops([("Only", 2.0, 200, 480.0)]), 480, 240)
    row = rows.iloc[0]
    assert row["pieces_per_hour"] == pytest.approx(25.0)
    assert row["balance_pct"] == pytest.approx(83.3333, abs=1e-4)
    assert row["operators"] == pytest.approx(1.0)
    assert row["standard_capacity_per_hour"] == pytest.approx(30.0)  # 480 / 2 / 8
    assert bool(row["bottleneck"]) and total["bottleneck"] == "Only"
    assert total["lbe_pct"] == pytest.approx(100.0)  # 2 / (1 x 2)


def test_staffing_gap_when_standard_capacity_is_below_target():
    # 240 operator-minutes of smv 2.0 in 8 h: 15/h at standard against 30/h wanted
    rows, total = e.line_balance(_ops([("Only", 2.0, 100, 240.0)]), 480, 240)
    assert rows.iloc[0]["standard_capacity_per_hour"] == pytest.approx(15.0)
    assert total["bottleneck_gap"] == "staffing"


def test_operation_with_no_minutes():
    # O4 has pieces but nobody's minutes: no operators, no capacity, left out of LBE
    rows, total = e.line_balance(_ops(SPEC_EXAMPLE + [("O4", 1.0, 300, None)]), 480, 480,
                                 bulletin=["O1", "O2", "O3", "O4"])
    o4 = rows.set_index("operation").loc["O4"]
    assert o4["pieces_per_hour"] == pytest.approx(37.5)
    assert pd.isna(o4["operators"]) and pd.isna(o4["standard_capacity_per_hour"])
    assert pd.isna(o4["gap"])
    assert total["bottleneck"] == "O4"  # 62.5 % of target, the lowest
    assert total["lbe_pct"] == pytest.approx(70.0)


def test_no_plan_gives_nulls():
    rows, total = e.line_balance(_ops(SPEC_EXAMPLE), 0, None)
    assert rows["pieces_per_hour"].isna().all() and rows["balance_pct"].isna().all()
    assert rows["operators"].isna().all()
    assert not rows["bottleneck"].any()
    assert total["bottleneck"] is None and total["lbe_pct"] is None
    assert total["working_hours"] is None and total["target_per_hour"] is None


def test_no_operator_output():
    rows, total = e.line_balance(_ops([]), 480, 480)
    assert rows.empty and total["bottleneck"] is None and total["lbe_pct"] is None
    assert total["target_per_hour"] == 60.0 and total["operations"] == 0


# --- changeover learning -------------------------------------------------------------------------

M1 = date(2026, 3, 1)


def _d(n):
    return M1 + timedelta(days=n - 1)


def _days():
    """L1: A on 1-2 Mar, B from 3 Mar for 10 days, A again on 13-14 Mar.
    L2: C on 1 Mar, D on 2-4 Mar (never reaches day 8). Earned / available minutes per day."""
    rows = [("L1", _d(1), "A", 900, 1000), ("L1", _d(2), "A", 900, 1000)]
    b = [500, 600, 700, 800, 850, 900, 900, 950, 950, 1000]
    rows += [("L1", _d(3 + i), "B", v, 1000) for i, v in enumerate(b)]
    rows += [("L1", _d(13), "A", 400, 1000), ("L1", _d(14), "A", 700, 1000)]
    rows += [("L2", _d(1), "C", 450, 500), ("L2", _d(2), "D", 300, 500),
             ("L2", _d(3), "D", 400, 500), ("L2", _d(4), "D", 450, 500)]
    return pd.DataFrame(rows, columns=e.DAY_COLUMNS)


def test_runs_restart_when_a_style_returns():
    numbered = e.runs(_days()).set_index(["line_code", "date", "style_code"])
    assert numbered.loc[("L1", _d(14), "A"), "k"] == 2  # not day 4 of A
    assert bool(numbered.loc[("L1", _d(13), "A"), "changeover"])
    assert numbered.loc[("L1", _d(13), "A"), "previous_style"] == "B"
    assert not numbered.loc[("L1", _d(1), "A"), "changeover"]  # nothing known before it
    assert numbered.loc[("L1", _d(12), "B"), "k"] == 10


def test_learning_curve_is_a_ratio_of_sums():
    co = e.changeover_days(_days(), _d(1), _d(14))
    out = e.learning(co)
    curve = out["curve"].set_index("k")
    # day 1: B 500/1000, A 400/1000, D 300/500 -> 1200 / 2500
    assert curve.loc[1, "efficiency_pct"] == pytest.approx(48.0)
    assert curve.loc[1, "changeovers"] == 3
    assert curve.loc[2, "efficiency_pct"] == pytest.approx(68.0)  # 1700 / 2500
    assert curve.loc[3, "efficiency_pct"] == pytest.approx(76.6667, abs=1e-4)  # 1150 / 1500
    assert curve.loc[3, "changeovers"] == 2
    assert curve.loc[10, "efficiency_pct"] == pytest.approx(100.0)
    assert curve.loc[11, "changeovers"] == 0 and pd.isna(curve.loc[11, "efficiency_pct"])
    assert len(curve) == 15
    assert out["steady_pct"] == pytest.approx(96.6667, abs=1e-4)  # 2900 / 3000
    assert out["days_to_90"] == 6  # 90 >= 0.9 x 96.67 = 87; day 5's 85 is not
    ramp = out["ramp"].set_index("k")["target_pct"]
    assert [ramp[k] for k in range(1, 11)] == [50, 70, 80, 85, 90, 95, 95, 100, 100, 105]
    assert pd.isna(ramp[11])
    rows = out["changeovers"].set_index(["line_code", "style_code", "date"])
    d = rows.loc[("L2", "D", _d(2))]
    assert d["previous_style"] == "C" and d["days"] == 3
    assert d["efficiency_pct"] == pytest.approx(76.6667, abs=1e-4) and d["day1_pct"] == 60.0
    assert d["days_to_90"] == 3  # its own 90 % on day 3
    b = rows.loc[("L1", "B", _d(3))]
    assert b["days"] == 10 and b["efficiency_pct"] == pytest.approx(81.5)
    a = rows.loc[("L1", "A", _d(13))]
    assert a["days"] == 2 and pd.isna(a["days_to_90"])


def test_changeover_that_never_reaches_day_8():
    # the window ends on 8 Mar: B is followed to day 6, D to day 3; nothing is steady yet
    out = e.learning(e.changeover_days(_days(), _d(1), _d(8)))
    assert out["steady_pct"] is None and out["days_to_90"] is None
    assert out["ramp"]["target_pct"].isna().all()
    assert out["curve"].set_index("k").loc[6, "changeovers"] == 1
    assert out["curve"].set_index("k").loc[7, "changeovers"] == 0


def test_window_start_looks_back_for_the_previous_style():
    # from 3 Mar: B's previous production day (2 Mar, A) lies before the window; D (2 Mar) is out
    out = e.learning(e.changeover_days(_days(), _d(3), _d(14)))
    assert set(out["changeovers"]["style_code"]) == {"B", "A"}
    assert out["curve"].set_index("k").loc[1, "efficiency_pct"] == pytest.approx(45.0)


def test_style_filter_keeps_changeovers_to_those_styles():
    out = e.learning(e.changeover_days(_days(), _d(1), _d(14), styles=("D",)))
    assert list(out["changeovers"]["style_code"]) == ["D"]


def test_a_day_that_runs_two_styles():
    days = pd.DataFrame([("L3", _d(1), "E", 1, 1), ("L3", _d(2), "E", 1, 1),
                         ("L3", _d(2), "F", 1, 2), ("L3", _d(3), "F", 2, 2)],
                        columns=e.DAY_COLUMNS)
    numbered = e.runs(days).set_index(["date", "style_code"])
    assert bool(numbered.loc[(_d(2), "F"), "changeover"])
    assert not numbered.loc[(_d(2), "E"), "changeover"]  # E goes on: day 2 of its run
    assert numbered.loc[(_d(3), "F"), "k"] == 2


def test_no_changeovers():
    out = e.learning(e.changeover_days(e.runs(pd.DataFrame(columns=e.DAY_COLUMNS)), _d(1),
                                       _d(3)))
    assert out["changeovers"].empty and out["steady_pct"] is None
    assert (out["curve"]["changeovers"] == 0).all()


@pytest.mark.parametrize("pct, expected", [(87.5, 90), (82.5, 85), (82.4, 80), (None, None)])
def test_ramp_rounding_is_half_up(pct, expected):
    assert e.round_to_step(pct) == expected


def test_lbe_terms_are_given_for_the_formula():
    _rows, total = e.line_balance(_ops(SPEC_EXAMPLE), 480, 480)
    assert (total["lbe_smv"], total["lbe_operators"], total["lbe_cycle"]) == pytest.approx(
        (3.5, 5.0, 1.0))
