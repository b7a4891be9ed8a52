"""Traffic-light thresholds (issue 19 item 4): validated, stored per plant and per line, and the
one colour function every coloured figure reads — a changed threshold changes a colour.

Numbers: the TV board of the small plant at 11:30 on D (tests/test_floor_board.py worked them
out by hand): L01 achievement so far 102.86 %, SMV efficiency 73.38 %, DHU 14.0; L02
efficiency 71.43 %.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from core.filters import Filters
from data import db, schema
from ingest import rollups
from ingest.thresholds import clear_threshold, set_threshold
from metrics import production as mp
from metrics.thresholds import DEFAULTS, Rule, ThresholdError, Thresholds, colour, validate
from queries.thresholds import thresholds as stored
from reports import floor, overview
from reports import thresholds as report
from tests.factories import D, small_plant

NOW = datetime(D.year, D.month, D.day, 11, 30)


# --- the colour function ------------------------------------------------------------------------

def test_colour_up_and_down():
    th = Thresholds()
    assert [colour("achievement_pct", v, th) for v in (100.0, 99.9, 90.0, 89.9, None)] == \
        ["green", "amber", "amber", "red", "grey"]
    # DHU: lower is better (defaults: green at or below 3, amber at or below 5)
    assert [colour("dhu", v) for v in (0.0, 3.0, 3.1, 5.0, 5.1, float("nan"))] == \
        ["green", "green", "amber", "amber", "red", "grey"]


def test_a_line_overrides_the_plant_and_only_for_itself():
    th = Thresholds().with_rule(Rule("efficiency_pct", 80.0, 70.0)) \
        .with_rule(Rule("efficiency_pct", 60.0, 50.0), "L02")
    assert colour("efficiency_pct", 65.0, th, "L01") == "red"  # plant: 80 / 70
    assert colour("efficiency_pct", 65.0, th, "L02") == "green"  # its own: 60 / 50
    assert th.for_lines("efficiency_pct", ["L02"]).green_at == 60.0
    assert th.for_lines("efficiency_pct", ["L01", "L02"]).green_at == 80.0  # several: plant's
    assert mp.traffic_light(95.0, th.with_rule(Rule("achievement_pct", 95.0, 80.0))) == "green"


@pytest.mark.parametrize("measure, green, amber, says", [
    ("achievement_pct", "abc", 90, "'abc' is not a number"),
    ("achievement_pct", "", 90, "green threshold is empty"),
    ("achievement_pct", 90, 100, "amber must be at or below green"),
    ("dhu", 5, 3, "amber must be at or above green"),
    ("attendance_pct", 120, 90, "between 0 and 100 %"),
    ("utilisation_pct", 80, -1, "between 0 and 100 %"),
    ("speed", 1, 1, "Unknown measure"),
])
def test_bad_values_are_refused_with_a_clear_message(measure, green, amber, says):
    with pytest.raises(ThresholdError, match=says):
        validate(measure, green, amber)


def test_typed_numbers_are_read():
    assert validate("dhu", "2.5", " 4 ") == Rule("dhu", 2.5, 4.0)


# --- stored ----------------------------------------------------------------------------------------

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
        rollups.rebuild_line_day(conn, [D])
        db.bump_data_version(conn)
    return make_ctx()


def test_stored_per_plant_and_line_and_cleared(ctx, engine):
    with engine.begin() as conn:
        set_threshold(conn, "dhu", "2", "4", username="admin")
        set_threshold(conn, "dhu", 10, 15, line_code="L01", username="admin")
    with engine.connect() as conn:
        th = stored(conn)
    assert th.rule("dhu") == Rule("dhu", 2.0, 4.0)
    assert th.rule("dhu", "L01") == Rule("dhu", 10.0, 15.0)
    assert th.rule("dhu", "L02") == Rule("dhu", 2.0, 4.0)
    assert th.rule("attendance_pct") == DEFAULTS["attendance_pct"]
    with engine.begin() as conn:
        assert clear_threshold(conn, "dhu", "L01")
        assert not clear_threshold(conn, "dhu", "L01")
    with engine.connect() as conn:
        assert stored(conn).rule("dhu", "L01") == Rule("dhu", 2.0, 4.0)


def test_a_bad_value_or_line_writes_nothing(ctx, engine):
    with engine.begin() as conn:
        version = db.get_data_version(conn)
    for kwargs in (dict(green_at="x", amber_at=1), dict(green_at=5, amber_at=6, line_code="L99")):
        with pytest.raises(ThresholdError):
            with engine.begin() as conn:
                set_threshold(conn, "achievement_pct", **kwargs)
    with engine.connect() as conn:
        assert stored(conn).rules == {}
        assert db.get_data_version(conn) == version


def test_a_changed_threshold_changes_the_tv_boards_colours(ctx):
    def board():
        result = floor.floor_board(ctx, (), None, NOW)
        return {b["line_code"]: b for b in result["lines"]}
    before = board()
    assert before["L01"]["achievement_pct"] == pytest.approx(102.857, abs=0.01)
    assert (before["L01"]["status"], before["L01"]["efficiency_status"],
            before["L01"]["dhu_status"]) == ("green", "green", "red")
    report.set_rule(ctx, "admin", "achievement_pct", 105, 100, "L01")  # L01 only
    report.set_rule(ctx, "admin", "dhu", 15, 20)  # the plant's DHU: 14.0 is now green
    report.set_rule(ctx, "admin", "efficiency_pct", 72, 60)  # 73.38 green, 71.43 amber
    after = board()
    assert after["L01"]["status"] == "amber"
    hours = {h["hour"]: h["status"] for h in after["L01"]["hours"]}
    # 08:00 made 90.0 % of its target: amber by default, red under L01's 105 / 100
    assert {h["hour"]: h["status"] for h in before["L01"]["hours"]}["08:00"] == "amber"
    assert hours["08:00"] == "red" and hours["11:00"] == "green"
    assert after["L01"]["dhu_status"] == "green"
    assert after["L01"]["efficiency_status"] == "green"
    assert after["L02"]["efficiency_status"] == "amber"
    assert after["L02"]["status"] == before["L02"]["status"]  # L01's rule is not L02's


def test_a_changed_threshold_changes_the_overview_league_and_cards(ctx):
    day = Filters(D, D)
    league = overview.VIEW.frame("league", ctx, day).set_index("line_code")
    cards = {c.key: c for c in overview.cards(ctx, day)}
    achieved = league.loc["L01", "achievement_pct"]
    report.set_rule(ctx, "admin", "achievement_pct", achieved + 1, achieved - 1, "L01")
    assert overview.VIEW.frame("league", ctx, day).set_index("line_code").loc[
        "L01", "status"] == "amber"
    plant = cards["achievement_pct"].value
    report.set_rule(ctx, "admin", "achievement_pct", plant + 10, plant + 5)
    again = {c.key: c for c in overview.cards(ctx, day)}
    assert again["achievement_pct"].status == "red"
    assert "green ≥" in again["achievement_pct"].threshold
    # one line selected: that line's own rule colours the card
    only = {c.key: c for c in overview.cards(ctx, Filters(D, D, lines=("L01",)))}
    value = only["achievement_pct"].value
    expected = Rule("achievement_pct", achieved + 1, achieved - 1).colour(value)
    assert only["achievement_pct"].status == expected


def test_utilisation_bars_are_coloured_by_the_rule():
    from components.figures import TRAFFIC
    from components.utilisation_figures import lowest
    df = pd.DataFrame({"label": ["a", "b", "c"], "utilisation_pct": [90.0, 80.0, 50.0],
                       "working_h": [1.0, 1.0, 1.0], "idle_h": [0.1, 0.2, 1.0]})
    fig = lowest(df, "label", 75.0, Rule("utilisation_pct", 85.0, 75.0))
    colours = dict(zip(fig.data[0].y, fig.data[0].marker.color))
    assert colours == {"a": TRAFFIC["green"], "b": TRAFFIC["amber"], "c": TRAFFIC["red"]}
    fig = lowest(df, "label", 75.0, Rule("utilisation_pct", 95.0, 85.0))
    assert dict(zip(fig.data[0].y, fig.data[0].marker.color))["a"] == TRAFFIC["amber"]


# --- the Admin page's section, called as Dash calls it -------------------------------------------

def _text(component) -> str:
    import json
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


def test_admin_section_saves_refuses_and_clears(database_url, engine, make_app):
    from dash.exceptions import PreventUpdate
    from flask_login import login_user

    from auth import users
    from core.context import current
    from pages import admin_thresholds as page
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        admin = users.create_user(conn, "boss", "boss-password", role="admin")
        head = users.create_user(conn, "head", "head-password", role="plant_head")
    with app.server.test_request_context("/admin"):
        login_user(admin)
        message, version = page.change("admin-threshold-save", "dhu", None, "6", "4", None, 3)
        assert "amber must be at or above green" in _text(message)
        assert not isinstance(version, int)  # nothing stored, nothing refreshed
        message, version = page.change("admin-threshold-save", "dhu", "L02", "2", "4", None, 3)
        assert version == 4 and "line L02" in _text(message)
        rows = page.refresh(4)
        l02 = next(r for r in rows if r["measure"] == "dhu" and r["line_code"] == "L02")
        assert (l02["green_at"], l02["amber_at"]) == (2.0, 4.0)
        assert report.thresholds(current()).rule("dhu", "L02") == Rule("dhu", 2.0, 4.0)
        message, version = page.change("admin-threshold-clear", None, None, None, None,
                                       [l02], 4)
        assert version == 5 and "cleared" in _text(message)
    with app.server.test_request_context("/admin"):  # a request reads one data version
        assert report.thresholds(current()).rule("dhu", "L02") == DEFAULTS["dhu"]
    with app.server.test_request_context("/admin"):
        login_user(head)
        with pytest.raises(PreventUpdate):
            page.change("admin-threshold-save", "dhu", None, "2", "4", None, 3)


def test_quality_lines_grid_is_coloured_by_each_lines_dhu_rule(ctx):
    from reports import quality
    day = Filters(D, D)
    lines = quality.VIEW.frame("lines", ctx, day).set_index("line_code")
    assert lines.loc["L01", "dhu"] == pytest.approx(14.0)
    assert lines.loc["L01", "dhu_status"] == "red"  # default: amber at or below 5
    report.set_rule(ctx, "admin", "dhu", 15, 20, "L01")
    assert quality.VIEW.frame("lines", ctx, day).set_index("line_code").loc[
        "L01", "dhu_status"] == "green"


def test_workforce_groups_are_coloured_by_attendance_rules(make_ctx, engine):
    from ingest.attendance import process_attendance
    from reports import workforce
    from tests.attendance_plant import NOW as PROCESSED, attendance_plant
    attendance_plant(engine)
    process_attendance(engine, PROCESSED)
    ctx = make_ctx()
    window = Filters(PROCESSED.date() - timedelta(days=6), PROCESSED.date())
    groups = workforce.VIEW.frame("groups", ctx, window)
    line = groups[groups["by"] == "Line"].iloc[0]
    dept = groups[groups["by"] == "Department"].iloc[0]
    assert line["attendance_status"] == DEFAULTS["attendance_pct"].colour(line["attendance_pct"])
    report.set_rule(ctx, "admin", "attendance_pct", 0, 0, line["group"])  # that line: green
    report.set_rule(ctx, "admin", "attendance_pct", 100.0, 100.0)  # the plant: red below 100
    again = workforce.VIEW.frame("groups", ctx, window).set_index(["by", "group"])
    assert again.loc[("Line", line["group"]), "attendance_status"] == "green"
    expected = "green" if dept["attendance_pct"] >= 100 else "red"
    assert again.loc[("Department", dept["group"]), "attendance_status"] == expected
