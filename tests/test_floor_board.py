"""The TV board's report (SPEC section 11) on the small plant, numbers worked out by hand.

Small plant (tests/factories.py), day D, shift A 08:00-17:00, break 12:00-13:00 (around the
mid-point 12:30). The board is read at 11:30 on D.
- L01: plan 2,000 pcs in 540 working minutes -> 2000/540 = 3.7037 pcs a minute, 222.22 an hour;
  the shift has 480 working minutes, so the plan's last 60 run 17:00-18:00 (overtime).
  Output 200 at 08, 09, 10, 11 (and later hours, not yet counted: they have not begun).
  Hours 08-10 are gone, 11:00 is half gone: target so far 210 min x 3.7037 = 777.78;
  output so far 800 (the 11:00 count is all there is of it). Variance 08:00 = 200 - 222.22 =
  -22.22 (90.0 % of it: amber); the running 11:00 hour: 200 - 111.11 = +88.89 (green). Cumulative at 10:00:
  600 against 666.67. Achievement so far 800 / 777.78 = 102.86 % (green).
  SMV efficiency so far today: 800 x 7.32 / (38 x 210) = 5856 / 7980 = 73.38 %.
  DHU today: 35 defects in 250 checked = 14.0.
- L02: plan 400 pcs in 480 min -> 50 an hour; output 100 at 08, 09, 10 = 300; target so far
  210 x 400/480 = 175; efficiency 300 x 10 / (20 x 210) = 71.43 %; no checks: DHU null.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.filters import FilterError
from data import db, schema
from ingest import rollups
from reports import floor
from tests.factories import D, small_plant

NOW = datetime(D.year, D.month, D.day, 11, 30)


@pytest.fixture
def ctx(make_ctx, engine):
    small_plant(engine)
    with engine.begin() as conn:
        db.upsert(conn, schema.qc_checks, [{"date": D, "shift_code": "A", "line_code": "L01",
                                            "hour": 9, "style_code": "S1", "checked_qty": 250,
                                            "defective_qty": 30}])
        db.upsert(conn, schema.defects, [{"defect_id": "X1", "ts": NOW - timedelta(hours=2),
                                          "line_code": "L01", "style_code": "S1", "qty": 35,
                                          "reason": "Broken stitch", "date": D,
                                          "shift_code": "A", "hour": 9}])
        rollups.rebuild_line_day(conn, [D])  # as every write of checks or defects does
        db.bump_data_version(conn)
    return make_ctx()


def _line(board, code):
    return next(b for b in board["lines"] if b["line_code"] == code)


def test_board_of_one_line_hour_by_hour(ctx):
    board = floor.floor_board(ctx, ("L01",), None, now=NOW)
    assert board["date"] == D.isoformat() and board["shift"]["shift_code"] == "A"
    l01 = _line(board, "L01")
    hours = {h["hour"]: h for h in l01["hours"]}
    # 08..17 (the break hour has no target; 17:00 is the plan's overtime hour)
    assert list(hours) == [f"{h:02d}:00" for h in range(8, 18)]
    assert hours["08:00"]["target"] == pytest.approx(2000 / 9)
    assert hours["08:00"]["variance"] == pytest.approx(200 - 2000 / 9)
    # 200 of 222.22 = 90.0 % of the hour's target: amber under the default thresholds (green at
    # 100 %, amber at 90 %; tests/test_thresholds.py changes them)
    assert hours["08:00"]["status"] == "amber"
    assert hours["10:00"]["output_cum"] == 600
    assert hours["10:00"]["target_cum"] == pytest.approx(3 * 2000 / 9)
    assert hours["11:00"]["running"] and hours["11:00"]["variance"] == pytest.approx(200 - 1000 / 9)
    assert hours["11:00"]["status"] == "green"
    assert hours["12:00"]["target"] == 0 and hours["12:00"]["output"] is None  # not begun
    assert hours["13:00"]["output"] is None and hours["13:00"]["status"] == "grey"
    assert l01["output"] == 800
    assert l01["target_so_far"] == pytest.approx(210 * 2000 / 540)
    assert l01["achievement_pct"] == pytest.approx(800 / (210 * 2000 / 540) * 100)
    assert l01["status"] == "green"
    assert l01["target_shift"] == pytest.approx(2000)
    assert l01["efficiency_pct"] == pytest.approx(5856 / 7980 * 100)
    assert l01["dhu"] == pytest.approx(14.0)
    assert l01["alerts"] == []


def test_plant_view_has_every_line_in_scope(ctx):
    board = floor.floor_board(ctx, (), None, now=NOW)
    assert [b["line_code"] for b in board["lines"]] == ["L01", "L02"]
    l02 = _line(board, "L02")
    assert l02["output"] == 300
    assert l02["target_so_far"] == pytest.approx(175)
    assert l02["efficiency_pct"] == pytest.approx(3000 / 4200 * 100)
    assert l02["dhu"] is None
    # a line manager's board holds only their lines
    scoped = floor.floor_board(ctx, (), ("L02",), now=NOW)
    assert [b["line_code"] for b in scoped["lines"]] == ["L02"]


def test_lines_outside_the_scope_or_unknown_are_refused(ctx):
    with pytest.raises(FilterError):
        floor.floor_board(ctx, ("L01",), ("L02",), now=NOW)
    with pytest.raises(FilterError):
        floor.floor_board(ctx, ("L99",), None, now=NOW)


def test_state_moves_with_the_data_and_the_clock(ctx, engine):
    state = floor.board_state(ctx, NOW)
    assert floor.board_state(ctx, NOW + timedelta(minutes=4)) == state  # same clock step
    assert floor.board_state(ctx, NOW + timedelta(minutes=5)) != state
    with engine.begin() as conn:
        db.bump_data_version(conn)
    assert floor.board_state(ctx, NOW) != state


def test_a_count_for_the_running_hour_shows_at_once(ctx, engine):
    before = _line(floor.floor_board(ctx, ("L02",), None, now=NOW), "L02")
    with engine.begin() as conn:
        db.upsert(conn, schema.production, [{"date": D, "shift_code": "A", "line_code": "L02",
                                             "hour": 11, "style_code": "S2", "stage": "output",
                                             "qty": 40}])
        rollups.rebuild_line_day(conn, [D])
        db.bump_data_version(conn)
    after = _line(floor.floor_board(ctx, ("L02",), None, now=NOW), "L02")
    assert before["output"] == 300 and after["output"] == 340
    hour = {h["hour"]: h for h in after["hours"]}["11:00"]
    assert hour["output"] == 40 and hour["variance"] == pytest.approx(40 - 25)


def test_between_shifts_a_line_keeps_its_last_shift_up(ctx):
    # 19:00: shift A (08:00-17:00) and L01's overtime hour (17:00-18:00) are over
    board = floor.floor_board(ctx, ("L01",), None, now=NOW.replace(hour=19))
    l01 = _line(board, "L01")
    assert l01["shift"]["shift_code"] == "A" and l01["shift"]["date"] == D.isoformat()
    assert not any(h["running"] for h in l01["hours"])
    assert l01["output"] == 1600 and l01["target_so_far"] == pytest.approx(2000)
    assert l01["achievement_pct"] == pytest.approx(80.0)
    # SPEC's example: 1600 x 7.32 / (38 x 540) = 57.08 %
    assert l01["efficiency_pct"] == pytest.approx(1600 * 7.32 / (38 * 540) * 100)


def test_at_night_a_day_line_shows_its_day_and_the_clock_shift_is_b(ctx):
    # 02:00 the next morning: by the clock it is night shift B of D; L01 has no B plan
    board = floor.floor_board(ctx, (), None, now=NOW.replace(hour=2) + timedelta(days=1))
    assert board["shift"]["shift_code"] == "B" and board["date"] == D.isoformat()
    assert _line(board, "L01")["shift"]["shift_code"] == "A"
    assert _line(board, "L01")["output"] == 1600


def test_a_line_without_a_plan_shows_the_clock_shift_hours(ctx, engine):
    with engine.begin() as conn:
        db.upsert(conn, schema.lines, [{"line_code": "L03", "name": "Line 3"}])
        db.bump_data_version(conn)
    l03 = _line(floor.floor_board(ctx, ("L03",), None, now=NOW), "L03")
    assert l03["shift"]["shift_code"] == "A"
    assert [h["hour"] for h in l03["hours"]][:2] == ["08:00", "09:00"]
    assert all(h["target"] == 0 for h in l03["hours"])
    assert l03["target_so_far"] is None and l03["achievement_pct"] is None
    assert l03["efficiency_pct"] is None and l03["output"] == 0
