"""The demo plant generator: deterministic, complete, shaped like SPEC section 9, loadable."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import select

from data import db, schema
from demo import load as demo
from metrics.calendar import assign_shift_day

END = datetime(2026, 3, 4, 14)  # a Wednesday; the range holds Shaheed Day (Sat 21 Feb)
SMALL = dict(days=14, lines=3, seed=7, end=END)


@pytest.fixture(scope="module")
def plant():
    return demo.generate(**SMALL)


def test_same_seed_and_end_give_the_same_data(plant):
    again = demo.generate(**SMALL)
    for name, frame in plant.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)


def test_another_seed_gives_other_data(plant):
    other = demo.generate(**{**SMALL, "seed": 8})
    for name in ("production", "punches", "defects", "events"):
        assert not plant[name].equals(other[name]), name


def test_every_table_is_filled_with_exactly_the_schema_columns(plant):
    assert set(plant) == {t.name for t in schema.DATA_TABLES}
    for table in schema.DATA_TABLES:
        frame = plant[table.name]
        assert list(frame.columns) == [c.name for c in table.columns], table.name
        if table is schema.attendance_daily:
            assert frame.empty  # computed from the punches, not generated
        else:
            assert len(frame) > 0, table.name


def test_primary_keys_are_unique(plant):
    for table in schema.DATA_TABLES:
        key = [c.name for c in table.primary_key.columns]
        assert not plant[table.name].duplicated(key).any(), table.name


def test_data_runs_up_to_the_end_hour(plant):
    prod = plant["production"]
    assert prod["date"].max() == END.date()
    today = prod[(prod["date"] == END.date()) & (prod["shift_code"] == "A")]
    assert today["hour"].max() == END.hour
    assert set(today["stage"]) >= {"loading", "output"}
    horizon = END + timedelta(hours=1)
    for name, column in (("punches", "ts"), ("defects", "ts"), ("breakdowns", "start_ts"),
                         ("events", "ts"), ("defects", "repaired_ts"), ("breakdowns", "end_ts")):
        assert plant[name][column].dropna().max() < horizon, (name, column)
    still_open = plant["breakdowns"]["end_ts"].isna().sum()
    assert 1 <= still_open <= 2


def test_no_production_or_punches_on_holidays_and_weekly_offs(plant):
    holidays = set(plant["holidays"]["date"])
    worked = set(plant["line_plans"]["date"]) | set(plant["production"]["date"])
    assert date(2026, 2, 21) in holidays
    assert not worked & holidays
    assert all(d.weekday() != 4 for d in worked if d != END.date())  # Friday off
    punch_days = set((plant["punches"]["ts"] - pd.Timedelta(hours=6)).dt.date)  # night: day D
    assert date(2026, 2, 21) not in punch_days and date(2026, 2, 27) not in punch_days


def test_line_efficiency_is_realistic_and_differs_by_line(plant):
    smv = plant["styles"].set_index("style_code")["smv"]
    out = plant["production"].query("stage == 'output' and date < @END.date()")
    earned = (out["qty"] * out["style_code"].map(smv)).groupby(out["line_code"]).sum()
    plans = plant["line_plans"].query("date < @END.date()")
    available = ((plans["operators"] + plans["helpers"]) * plans["working_minutes"]).groupby(
        plans["line_code"]).sum()
    efficiency = earned / available * 100
    assert efficiency.between(35, 85).all(), efficiency.to_dict()
    assert efficiency.max() - efficiency.min() > 3


def test_targets_follow_manpower_smv_and_efficiency(plant):
    plans = plant["line_plans"].merge(plant["styles"], on="style_code")
    assert plans["operators"].between(20, 45).all() and plans["helpers"].between(1, 6).all()
    implied = plans["target_qty"] * plans["smv"] / (plans["operators"] * plans["working_minutes"])
    assert implied.between(0.3, 0.96).all()


def test_absenteeism_is_around_five_to_eight_percent(plant):
    emp, plans, punches = plant["employees"], plant["line_plans"], plant["punches"]
    rostered = plans.query("date < @END.date()")[["date", "line_code", "shift_code"]].merge(
        emp, on=["line_code", "shift_code"])
    left = rostered["date_left"].where(rostered["date_left"].notna(), date.max)
    rostered = rostered[(rostered["date_joined"] <= rostered["date"]) & (rostered["date"] <= left)]
    # every punch of a shift falls within 6 h after the calendar day of its production day
    came = pd.DataFrame({"emp_code": punches["emp_code"],
                         "date": (punches["ts"] - pd.Timedelta(hours=6)).dt.date}).drop_duplicates()
    seen = rostered.merge(came, on=["emp_code", "date"], how="left", indicator=True)
    absent_pct = (seen["_merge"] == "left_only").mean() * 100
    assert 3 <= absent_pct <= 10


def test_wip_stays_a_few_hundred_and_packing_lags_output(plant):
    prod = plant["production"]
    total = prod.groupby(["line_code", "stage"])["qty"].sum().unstack(fill_value=0)
    wip = total["loading"] - total["output"]
    assert wip.between(50, 800).all(), wip.to_dict()
    assert (total["packing"] <= total["output"]).all()


def test_quality_is_realistic(plant):
    qc, defects = plant["qc_checks"], plant["defects"]
    defective_pct = qc["defective_qty"].sum() / qc["checked_qty"].sum() * 100
    assert 2 <= defective_pct <= 8
    assert defects["qty"].sum() >= qc["defective_qty"].sum()  # a piece can have two defects
    by_reason = defects.groupby("reason")["qty"].sum().sort_values(ascending=False)
    assert by_reason.iloc[:3].sum() / by_reason.sum() > 0.4  # a Pareto
    assert defects["repaired_ts"].notna().mean() > 0.9
    repaired = defects[defects["repaired_ts"].notna()]
    assert (repaired["repaired_ts"] > repaired["ts"]).all()


def test_derived_columns_agree_with_the_shared_shift_mapping(plant):
    shifts = plant["shifts"]
    for name, column in (("defects", "ts"), ("breakdowns", "start_ts"), ("events", "ts")):
        frame = plant[name]
        mapped = assign_shift_day(frame[column], shifts)
        assert (mapped["date"].to_numpy() == frame["date"].to_numpy()).all(), name
        assert (mapped["shift_code"].to_numpy() == frame["shift_code"].to_numpy()).all(), name
    assert (plant["defects"]["hour"] == plant["defects"]["ts"].dt.hour).all()
    stations = plant["stations"].set_index("station_code")["line_code"]
    events = plant["events"]
    assert (events["station_code"].map(stations) == events["line_code"]).all()


def test_camera_events_look_like_a_camera_stream(plant):
    events = plant["events"]
    assert set(events["event_type"]) == {"working", "idle", "absent", "product_count"}
    assert events["confidence"].between(0.6, 0.99).all()
    assert (events["ts"].diff().dt.total_seconds() < 0).any()  # out of ts order
    content = ["ts", "emp_code", "station_code", "event_type", "count"]
    assert events.duplicated(content).any()  # resent after a reconnect, with a new id
    counts = events[events["event_type"] == "product_count"]["count"]
    assert (counts >= 1).all()


def test_punches_have_the_usual_mess(plant):
    punches = plant["punches"].sort_values(["emp_code", "ts"])
    assert set(punches["direction"]) == {"IN", "OUT", "BOTH"}
    gap = punches.groupby("emp_code")["ts"].diff().dt.total_seconds()
    assert ((gap > 0) & (gap < 60)).any()  # doubled punches seconds apart
    ins = (punches["direction"] == "IN").sum()
    outs = (punches["direction"] == "OUT").sum()
    assert outs < ins  # missing OUT punches (and today's shift still at work)


def test_work_order_statuses_carry_their_timestamps_in_order(plant):
    orders = plant["work_orders"]
    assert orders["wo_number"].str.fullmatch(r"WO-\d{5}").all()
    assert {"COMPLETED", "IN_PROGRESS", "RELEASED"} <= set(orders["status"])
    status = orders["status"]
    assert orders.loc[status == "RELEASED", "released_at"].notna().all()
    assert orders.loc[status.isin(["IN_PROGRESS", "ON_HOLD"]), "started_at"].notna().all()
    assert orders.loc[status == "COMPLETED", "completed_at"].notna().all()
    stamps = orders[["released_at", "started_at", "completed_at"]]
    assert (stamps["released_at"].isna() | stamps["started_at"].isna()
            | (stamps["released_at"] <= stamps["started_at"])).all()
    assert (stamps["started_at"].isna() | stamps["completed_at"].isna()
            | (stamps["started_at"] <= stamps["completed_at"])).all()
    issued = plant["material_issues"]
    assert set(issued["wo_number"]) <= set(orders["wo_number"])
    assert (issued["issued_qty"] < issued["required_qty"]).any()  # some shortages


def test_resolve_end():
    assert demo.resolve_end(datetime(2026, 3, 4, 14, 37, 12), "Asia/Dhaka") == END
    assert demo.resolve_end(date(2026, 3, 4), "Asia/Dhaka") == datetime(2026, 3, 4, 23)
    assert demo.resolve_end("2026-03-04", "Asia/Dhaka") == datetime(2026, 3, 4, 23)
    utc = datetime(2026, 3, 4, 8, 15, tzinfo=timezone.utc)
    assert demo.resolve_end(utc, "Asia/Dhaka") == END  # UTC+6
    with pytest.raises(ValueError):
        demo.generate(scale="huge")


def test_load_demo_writes_the_generated_rows(engine, plant):
    with engine.begin() as conn:
        before = db.get_data_version(conn)
    heard = []
    counts = demo.load_demo(engine, **SMALL, progress=lambda f, message: heard.append(f))
    assert heard[0] == 0.0 and heard[-1] == 1.0 and heard == sorted(heard)
    # attendance_daily is not generated: the load computes it from the punches (issue 5)
    assert counts["attendance_daily"] > 0
    assert counts == {**{name: len(frame) for name, frame in plant.items()},
                      "attendance_daily": counts["attendance_daily"]}
    with engine.connect() as conn:
        assert db.count_rows(conn, schema.DATA_TABLES) == counts
        assert db.get_data_version(conn) == before + 1
        first = conn.execute(select(schema.production.c.date, schema.production.c.qty)
                             .order_by(*schema.production.primary_key.columns).limit(1)).one()
    assert isinstance(first.date, date) and first.qty > 0
    # loading again replaces everything, never adds to it
    smaller = demo.load_demo(engine, **{**SMALL, "days": 2, "lines": 1})
    with engine.connect() as conn:
        assert db.count_rows(conn, schema.DATA_TABLES) == smaller
        assert db.get_data_version(conn) == before + 2


def test_a_short_range_over_a_weekly_off_in_the_small_hours_still_has_data(sqlite_url):
    """Two days ending Saturday 02:00: Friday is the weekly off and no Saturday shift has started;
    the range reaches back to Thursday, the last working day, instead of failing."""
    engine = db.get_engine(sqlite_url)
    counts = demo.load_demo(engine, days=2, end=datetime(2026, 3, 7, 2, 0))
    assert counts["production"] > 0
    with engine.connect() as conn:
        days = {r[0] for r in conn.execute(select(schema.production.c.date).distinct())}
    assert min(days) == date(2026, 3, 5)  # Thursday


def test_loaded_punches_are_flagged_as_processing_them_again_flags_them(sqlite_url):
    """The load writes punches with the flags processing leaves (processed up to the last closed
    day, the unmatched ones flagged; today's not yet); taking every flag away and processing from
    the first punch again gives exactly the same flags."""
    from ingest import attendance
    engine = db.get_engine(sqlite_url)
    db.create_schema(engine)
    demo.load_demo(engine, **SMALL)
    P = schema.punches

    def flags():
        with engine.connect() as conn:
            return sorted(conn.execute(select(P.c.emp_code, P.c.ts, P.c.direction,
                                              P.c.processed, P.c.unmatched)).all())

    loaded = flags()
    assert {p for *_, p, _ in loaded} == {True, None}  # today's punches wait for the day's end
    assert any(u for *_, u in loaded)  # the small plant has forgotten punches to flag
    with engine.begin() as conn:
        conn.execute(P.update().values(processed=None, unmatched=None))
        attendance.forget_progress(conn)
    attendance.process_attendance(engine, END + timedelta(hours=1))
    assert flags() == loaded
