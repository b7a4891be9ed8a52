"""The utilisation daily rollup (data/rollups.py) on SQLite and PostgreSQL: built from the events
it gives the hand-worked numbers of tests/camera_plant.py, ingestion marks the days it touches so
reads take them from the events, a refresh folds them in, other rules bypass it, and on the demo
plant every utilisation view is the same whether it reads the rollup or the events."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
from pytest import approx
from sqlalchemy import func, select, update

from data import db, schema
from demo import load as demo
from ingest import events, rollups
from reports import utilisation as reports
from core.filters import Filters
from tests.camera_plant import PLANT_TZ, _ev, camera_plant
from tests.factories import D

RULES = (30.0, 0.0)
DAY = Filters(start=D, end=D)
U = schema.util_daily


def workers(ctx, filters=DAY) -> dict:
    return reports.workers(ctx, filters)["rows"].set_index("emp_code").to_dict("index")


def refresh(engine, rules=RULES) -> int:
    with engine.begin() as conn:
        written = rollups.refresh(conn, rules)
        db.bump_data_version(conn)
    return written


def stale(engine, start=D, end=D, rules=RULES):
    with engine.connect() as conn:
        return rollups.stale_days(conn, rules, start, end)


def test_rollup_holds_the_hand_worked_minutes_and_units(engine, make_ctx):
    camera_plant(engine)
    assert stale(engine) is None  # never built: reads use the events
    assert refresh(engine) > 0
    assert stale(engine) == []
    with engine.connect() as conn:
        rows = conn.execute(select(U.c.emp_code, func.sum(U.c.working_min),
                                   func.sum(U.c.idle_min), func.sum(U.c.absent_min),
                                   func.sum(U.c.units)).group_by(U.c.emp_code)).all()
    got = {r[0]: tuple(r[1:]) for r in rows}
    assert got["W1"] == (approx(80), approx(40), approx(0), 8)
    assert got["W2"] == (approx(60), approx(60), approx(30), 14)
    assert got["W3"] == (approx(30), approx(10), approx(0), 6)
    w = workers(make_ctx())
    assert w["W1"]["utilisation_pct"] == approx(200 / 3) and w["W1"]["units"] == 8


def test_reads_come_from_the_rollup_except_the_days_ingestion_touched(engine, make_ctx):
    camera_plant(engine)
    refresh(engine)
    ctx = make_ctx()
    # a rollup row changed by hand shows: the read really comes from the rollup
    with engine.begin() as conn:
        conn.execute(update(U).where(U.c.emp_code == "W1", U.c.working_min > 0).values(
            working_min=U.c.working_min + 1000))
        db.bump_data_version(conn)
    assert workers(ctx)["W1"]["working_min"] == approx(1080)
    # W3 goes idle at 08:25 on D, and works on D + 1: both days are now stale
    nxt = (D + timedelta(days=1)).isoformat()
    late = [_ev("W3", "ST3", "08:25", "idle"),
            {**_ev("W3", "ST3", "08:00", "working"), "ts": f"{nxt}T08:00:00"}]
    assert events.ingest(engine, late, PLANT_TZ).accepted == 2
    assert stale(engine, D, D + timedelta(days=1)) == [D, D + timedelta(days=1)]
    both = Filters(start=D, end=D + timedelta(days=1))
    w = workers(ctx, both)
    # from the events: W1 as worked out by hand again, W3 working 15 + 30, idle 10 + 30
    assert w["W1"]["working_min"] == approx(80)
    assert (w["W3"]["working_min"], w["W3"]["idle_min"]) == (approx(45), approx(40))
    # a refresh builds the stale days again, and clears their marks
    refresh(engine)
    assert stale(engine, D, D + timedelta(days=1)) == []
    w = workers(ctx, both)
    assert (w["W3"]["working_min"], w["W3"]["idle_min"]) == (approx(45), approx(40))
    assert w["W1"]["working_min"] == approx(80)


def test_other_rules_read_the_events(engine, make_ctx):
    camera_plant(engine)
    refresh(engine)
    assert stale(engine, rules=(30.0, 0.5)) is None
    # EVENT_MIN_CONFIDENCE = 0.5 (tests/camera_plant.py): W2 works 80, idle 30, 4 units
    w = workers(make_ctx(event_min_confidence=0.5))
    assert (w["W2"]["working_min"], w["W2"]["idle_min"], w["W2"]["units"]) == (
        approx(80), approx(30), 4)


def test_demo_views_are_the_same_from_the_rollup_and_from_the_events(engine, make_ctx):
    end = "2026-03-31T14:00"
    demo.load_demo(engine, days=6, lines=2, end=end, rules=RULES)
    window = Filters(start=pd.Timestamp("2026-03-26").date(), end=pd.Timestamp(end).date())
    assert stale(engine, window.start, window.end) == []
    ctx = make_ctx()
    from_rollup = reports.page(ctx, window)
    with engine.begin() as conn:
        rollups.mark_all_stale(conn)
        db.bump_data_version(conn)
    assert stale(engine, window.start, window.end) is None
    from_events = reports.page(ctx, window)
    assert from_rollup["total"] == approx(from_events["total"])
    for key in ("workers", "stations", "daily"):
        a, b = from_rollup[key], from_events[key]
        assert len(a) > 0
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                      check_exact=False, rtol=1e-9, check_dtype=False)


def test_attendance_groupings_read_the_day_rollup_that_processing_keeps(engine):
    from ingest.attendance import process_attendance
    from queries import attendance as qa
    from tests.attendance_plant import NOW, attendance_plant
    from tests.factories import D as START

    attendance_plant(engine)
    process_attendance(engine, NOW)
    window = Filters(start=START, end=START + timedelta(days=6))
    keys = [["date"], ["line_code"], ["department"], ["shift_code"], ["date", "line_code"], []]

    def summaries():
        with engine.connect() as conn:
            return [qa.summary_by(conn, window, k) for k in keys]

    with engine.connect() as conn:
        assert qa.day_rollup_kept(conn)
        rolled = conn.execute(select(func.count()).select_from(schema.attendance_day)).scalar()
        records = conn.execute(select(func.count()).select_from(schema.attendance_daily)).scalar()
    assert 0 < rolled < records
    from_rollup = summaries()
    with engine.begin() as conn:  # without the flag every grouping reads the records
        conn.execute(schema.meta.delete().where(schema.meta.c.key == qa.ROLLUP_KEY))
    from_records = summaries()
    for a, b in zip(from_rollup, from_records):
        assert a["records"].sum() > 0
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    # an older database (no rollup kept) gets it built on the next processing run
    with engine.begin() as conn:
        conn.execute(schema.attendance_day.delete())
    process_attendance(engine, NOW)
    assert [len(s) for s in summaries()] == [len(s) for s in from_records]
    with engine.connect() as conn:
        assert conn.execute(select(func.count())
                            .select_from(schema.attendance_day)).scalar() == rolled


def _same(a, b, path="") -> None:
    """Equal report results: frames to 1e-9, dicts and lists element by element."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                      check_exact=False, rtol=1e-9, check_dtype=False,
                                      obj=path)
    elif hasattr(a, "as_dict") and hasattr(b, "as_dict"):  # a KPI card (reports.kpis.Kpi)
        _same(a.as_dict(), b.as_dict(), path)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == approx(b, nan_ok=True), path
    else:
        assert a == b, path


def test_production_and_quality_views_are_the_same_from_line_day_and_from_the_facts(
        engine, make_ctx, monkeypatch):
    from datetime import datetime
    from queries import line_day
    from reports import production, quality, trends

    end = datetime(2026, 3, 31, 14)
    demo.load_demo(engine, days=20, lines=2, end=end, rules=RULES)
    ctx = make_ctx()
    windows = [Filters(start=end.date(), end=end.date()),
               Filters(start=end.date() - timedelta(days=9), end=end.date()),
               Filters(start=end.date() - timedelta(days=9), end=end.date(), shifts=("A",))]

    def views():
        out = []
        for f in windows:
            out += [production.overview(ctx, f, None, now=end),
                    production.line_detail(ctx, f, None, now=end),
                    production.production(ctx, f, ("line_code", "date", "style_code")),
                    quality.quality_view(ctx, f), trends.trends(ctx, f)]
        return out

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.line_day)).scalar() > 0
    from_rollup = views()
    monkeypatch.setattr(line_day, "usable", lambda keys: False)  # every grouping reads the facts
    with engine.begin() as conn:
        db.bump_data_version(conn)
    _same(from_rollup, views())


def test_year_views_are_the_same_from_the_month_rollups_and_from_the_facts(
        engine, make_ctx, monkeypatch):
    """Workforce's people grid, Quality's Paretos and Lines' operator grid read whole months from
    attendance_month, defect_month and operator_month and the edge days from the facts: the same
    numbers as the facts alone, with and without filters, and a rollup row changed by hand shows
    (the reads really come from it)."""
    from datetime import date, datetime
    from queries import months
    from reports import production, quality, workforce

    end = datetime(2026, 3, 31, 14)
    demo.load_demo(engine, days=75, lines=2, end=end, rules=RULES)
    ctx = make_ctx()
    windows = [Filters(start=date(2026, 1, 20), end=date(2026, 3, 25)),  # edges both sides
               Filters(start=date(2026, 1, 16), end=date(2026, 3, 31)),  # one edge
               Filters(start=date(2026, 2, 1), end=date(2026, 3, 31), shifts=("A",)),
               Filters(start=date(2026, 1, 25), end=date(2026, 3, 10), lines=("L01",)),
               Filters(start=date(2026, 3, 2), end=date(2026, 3, 31))]  # no whole month
    assert months.split(windows[0].start, windows[0].end) == (
        (date(2026, 2, 1), date(2026, 2, 1)),
        [(date(2026, 1, 20), date(2026, 1, 31)), (date(2026, 3, 1), date(2026, 3, 25))])
    # attendance takes the days outside the window away when they are fewer than those in it
    assert months.cover(windows[0].start, windows[0].end) == (
        (date(2026, 2, 1), date(2026, 3, 1)), [(date(2026, 1, 20), date(2026, 1, 31))],
        [(date(2026, 3, 26), date(2026, 3, 31))])
    assert months.cover(windows[4].start, windows[4].end) == (
        (date(2026, 3, 1), date(2026, 3, 1)), [], [(date(2026, 3, 1), date(2026, 3, 1))])

    def views():
        out = []
        for f in windows:
            w = workforce.workforce(ctx, f)
            lines = production.line_detail(ctx, f, None, now=end)
            ops = lines["operators"].sort_values(["emp_code", "line_code"], ignore_index=True)
            q = quality.quality_view(ctx, f)
            out += [w["employees"], w["heat_employees"], w["heat"], ops,
                    quality.quality(ctx, f, ("reason", "operation")),
                    quality.quality(ctx, f, ("line_code", "reason")),
                    {k: v for k, v in q.items() if k not in ("open_defects",)}]
        return out

    with engine.connect() as conn:
        for table in (schema.attendance_month, schema.defect_month, schema.operator_month):
            assert conn.execute(select(func.count()).select_from(table)).scalar() > 0, table
    from_rollups = views()
    assert all(len(v) > 0 for v in from_rollups if isinstance(v, pd.DataFrame))
    with monkeypatch.context() as m:
        m.setattr(months, "split", lambda start, end: (None, [(start, end)]))
        m.setattr(months, "cover", lambda start, end: (None, [(start, end)], []))
        with engine.begin() as conn:
            db.bump_data_version(conn)
        _same(from_rollups, views())

    # a change by hand to each rollup shows in the views: they are read
    with engine.begin() as conn:
        for table, column in ((schema.attendance_month, "late_count"),
                              (schema.defect_month, "defects"),
                              (schema.operator_month, "qty")):
            conn.execute(update(table).where(table.c.month == date(2026, 2, 1))
                         .values({column: table.c[column] + 1000}))
        db.bump_data_version(conn)
    f = windows[0]
    people = workforce.workforce(ctx, f)["employees"]
    assert people["late_count"].sum() > from_rollups[0]["late_count"].sum() + 1000
    causes = quality.quality(ctx, f, ("reason", "operation"))["rows"]
    assert causes["defects"].sum() > from_rollups[4]["rows"]["defects"].sum() + 1000
    ops = production.line_detail(ctx, f, None, now=end)["operators"]
    assert ops["qty"].sum() > from_rollups[3]["qty"].sum() + 1000


def test_attendance_sums_read_alone_are_the_full_summarys_columns(engine):
    """summary_by(sums=...) reads only the sums asked for (Trends reads three of fifteen) and they
    are the full summary's, from the day rollup, the month rollup with edge days added and taken
    away, and the records."""
    from datetime import date, datetime
    from queries import attendance as qa

    demo.load_demo(engine, days=75, lines=2, end=datetime(2026, 3, 31, 14), rules=RULES)
    sums = ["P", "HD", "scheduled_days"]
    windows = [Filters(start=date(2026, 1, 20), end=date(2026, 3, 25)),
               Filters(start=date(2026, 3, 2), end=date(2026, 3, 31), lines=("L01",))]
    with engine.connect() as conn:
        for f in windows:
            for keys, emps in ((["date", "line_code"], ()), (["emp_code"], ()), ([], ()),
                               (["line_code"], ("E10001", "E10002"))):  # the last: the records
                full = qa.summary_by(conn, f, keys, emps=emps)
                some = qa.summary_by(conn, f, keys, emps=emps, sums=("scheduled_days", "HD", "P"))
                assert list(some.columns) == keys + sums
                assert full["scheduled_days"].sum() > 0, (f, keys)
                pd.testing.assert_frame_equal(some, full[keys + sums], check_dtype=False)


def test_month_rollups_are_kept_by_the_write_paths(engine):
    """Rebuilding the months a write touched gives the rollup a full rebuild gives; process-
    attendance and the CSV import keep their month rollups."""
    from datetime import date, datetime
    from ingest.attendance import process_attendance

    end = datetime(2026, 3, 31, 14)
    demo.load_demo(engine, days=45, lines=2, end=end, rules=RULES)
    tables = (schema.attendance_month, schema.defect_month, schema.operator_month)

    def rows(table):
        with engine.connect() as conn:
            got = conn.execute(select(table)).all()
        # sums of floats to 1e-6: the database adds them in any order
        return sorted(tuple("" if v is None else round(v, 6) if isinstance(v, float) else v
                            for v in r) for r in got)

    built = {t.name: rows(t) for t in tables}
    # facts change on one day of March: each write path's rebuild of that day's months
    day = date(2026, 3, 10)
    with engine.begin() as conn:
        conn.execute(update(schema.defects).where(schema.defects.c.date == day)
                     .values(qty=schema.defects.c.qty + 1))
        conn.execute(update(schema.operator_output).where(schema.operator_output.c.date == day)
                     .values(qty=schema.operator_output.c.qty + 1))
        rollups.rebuild_line_day(conn, [day], tables={"defects"})
        rollups.rebuild_operator_month(conn, [day])
    partly = {t.name: rows(t) for t in tables}
    with engine.begin() as conn:
        for t in tables:
            rollups.rebuild_months(conn, t)
    assert {t.name: rows(t) for t in tables} == partly
    assert partly["defect_month"] != built["defect_month"]
    assert partly["operator_month"] != built["operator_month"]
    # attendance: a day's records computed again rebuild their month (spoiled here by hand)
    AD, AM = schema.attendance_daily, schema.attendance_month
    with engine.begin() as conn:
        conn.execute(AD.delete().where(AD.c.date == day))
        conn.execute(update(AM).where(AM.c.month == date(2026, 3, 1))
                     .values(late_count=AM.c.late_count + 1000))
    assert rows(AM) != built["attendance_month"]
    assert process_attendance(engine, end, start=day, end=day).written > 0
    assert rows(AM) == built["attendance_month"]
