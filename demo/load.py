"""Deterministic demo plant for every domain (SPEC section 9), and loading it into a database.

`generate()` returns one DataFrame per plant-data table with exactly the schema's columns;
`load_demo()` replaces the database's plant data with it in one transaction. The same seed and
end give the same data: every random draw comes from a numpy Generator seeded from (seed,
domain), never from global state, and nothing depends on dict or set ordering.

The data covers the hour `end` names: with end = 14:00, today's production stops at hour 14
(14:00-15:00) and no fact happens at or after 15:00. The parts live in `demo_plant` (calendar,
lines, styles, machines, style runs), `demo_people` (employees, attendance, punches),
`demo_production` (plans, output, QC, defects, downtime, line reports), `demo_events` (cameras)
and `demo_orders` (work orders, materials).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Date, DateTime, Table

from data import db, schema
from ingest import attendance, rollups
from demo import events as demo_events, orders as demo_orders, people as demo_people, production as prod
from demo.plant import Config, build_plant

SCALES = {
    # cameras watch eight stations on each of two day-only lines: about 150,000 events
    "demo": Config(days=90, lines=8, camera_lines=2, camera_stations=8, heartbeat_min=5),
    "medium": Config(days=180, lines=20, camera_lines=4, camera_stations=16, heartbeat_min=5),
    # the benchmark plant: a year, 40 lines, about 2,000 people and 10 million camera events
    "large": Config(days=365, lines=40, camera_lines=8, camera_stations=0, heartbeat_min=5),
    # the cost curve's far end (issue 20): 120 lines, about 6,000 people, 30 million events
    "xlarge": Config(days=365, lines=120, camera_lines=24, camera_stations=0, heartbeat_min=5),
}


def generate(*, days: int | None = None, lines: int | None = None, scale: str = "demo",
             seed: int = 42, end: datetime | date | str | None = None,
             plant_tz: str = "Asia/Dhaka") -> dict[str, pd.DataFrame]:
    """The demo plant as {table name: DataFrame}, for every table in `schema.DATA_TABLES`.

    days and lines default to the scale's (demo: 90 days, 8 lines). `end` is the plant-local
    hour the data runs up to (default: now in plant_tz, truncated to the hour); a date means
    that whole day. attendance_daily is empty: it is computed from the punches.
    """
    frames, events, _ = _build(days=days, lines=lines, scale=scale, seed=seed, end=end,
                               plant_tz=plant_tz)
    chunks = list(events)
    frames["events"] = (pd.concat(chunks, ignore_index=True) if chunks
                        else _empty(schema.events))
    return {table.name: frames[table.name] for table in schema.DATA_TABLES}


def load_demo(engine, *, days: int | None = None, lines: int | None = None, scale: str = "demo",
              seed: int = 42, end: datetime | date | str | None = None,
              plant_tz: str = "Asia/Dhaka",
              progress: Callable[[float, str], None] | None = None,
              rules: tuple[float, float] | None = None) -> dict[str, int]:
    """Replace all plant data with the demo plant in one transaction; return rows per table.

    Camera events stream in one production day at a time, so the large plant fits in memory.
    `progress(fraction, message)`, when given, hears how far the load has come. The daily
    rollups are built with `rules` (EVENT_MAX_GAP_MIN, EVENT_MIN_CONFIDENCE; default: the
    environment's settings).
    """
    report = progress or (lambda fraction, message: None)
    report(0.0, "generating the demo plant")
    frames, events, event_days = _build(days=days, lines=lines, scale=scale, seed=seed,
                                        end=end, plant_tz=plant_tz)
    tables = [t for t in schema.DATA_TABLES if t is not schema.events]
    # the demo's "now" is the end of the hour it runs up to
    now = resolve_end(end, plant_tz) + timedelta(hours=1)
    frames["punches"] = attendance.as_processed(frames["punches"], frames["shifts"], now)
    counts = {"events": 0}
    with engine.begin() as conn, db.sqlite_working_memory(conn):
        with db.bulk_load(conn, schema.DATA_TABLES + schema.ROLLUP_TABLES):
            for i, table in enumerate(tables):
                report(0.1 + 0.3 * i / len(tables), f"loading {table.name}")
                counts[table.name] = db.bulk_insert(conn, table, frames[table.name])
            report(0.4, "loading camera events")
            counts["events"] = db.bulk_insert_stream(conn, schema.events, _reporting(
                events, lambda i: report(0.4 + 0.45 * i / max(event_days, 1),
                                         "loading camera events")))
            report(0.85, "indexing")
        report(0.88, "building the utilisation rollup")
        rollups.rebuild(conn, rules or rollups.rules_of(rollups.default_settings()))
        report(0.91, "building the line-day rollups")
        rollups.rebuild_line_day(conn)
        report(0.92, "building the operator-month rollup")
        rollups.rebuild_operator_month(conn)
        report(0.94, "computing attendance from the punches")
        attendance.forget_progress(conn)
        counts["attendance_daily"] = attendance.process_attendance(engine, now, conn=conn).written
        db.analyze(conn, schema.ROLLUP_TABLES + (schema.attendance_daily,))
        db.bump_data_version(conn)
    report(1.0, "done")
    return {table.name: counts[table.name] for table in schema.DATA_TABLES}


def _reporting(chunks: Iterator, report: Callable[[int], None]) -> Iterator:
    """The chunks, calling report(i) before the i-th is handed on."""
    for i, chunk in enumerate(chunks):
        report(i)
        yield chunk


def resolve_end(end: datetime | date | str | None, plant_tz: str) -> datetime:
    """The naive plant-local hour the data runs up to."""
    if end is None:
        end = datetime.now(ZoneInfo(plant_tz))
    elif isinstance(end, str):
        text = end.strip()
        end = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if not isinstance(end, datetime):  # a date: the whole day
        end = datetime.combine(end, time(23))
    if end.tzinfo is not None:
        end = end.astimezone(ZoneInfo(plant_tz)).replace(tzinfo=None)
    return end.replace(minute=0, second=0, microsecond=0)


# --- building ------------------------------------------------------------------------------------

def _config(scale: str, days: int | None, lines: int | None) -> Config:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    config = SCALES[scale]
    if days is not None:
        config = replace(config, days=int(days))
    if lines is not None:
        config = replace(config, lines=int(lines))
    if config.days < 1 or config.lines < 1:
        raise ValueError("days and lines must be at least 1")
    return replace(config, camera_lines=min(config.camera_lines, config.lines))


def _build(*, days, lines, scale, seed, end, plant_tz
           ) -> tuple[dict[str, pd.DataFrame], Iterator[pd.DataFrame], int]:
    """Every table but events as frames, the events as a per-day stream, and its length."""
    plant = build_plant(_config(scale, days, lines), int(seed), resolve_end(end, plant_tz))
    staff = demo_people.employees(plant)
    rostered = demo_people.attendance(plant, staff)
    slots = prod.plan_slots(plant, rostered)
    bd = prod.breakdowns(plant, slots)
    hours = prod.hourly(plant, slots, bd)
    layout = prod.operation_map(plant, slots)
    op_out = prod.operator_output(slots, hours, rostered, staff, layout)
    qc = prod.qc_checks(plant, hours)
    orders = demo_orders.work_orders(plant, slots, hours)
    stations = demo_events.stations(plant)
    raw = {
        "lines": plant.lines, "shifts": plant.shifts, "styles": plant.styles,
        "employees": staff, "holidays": plant.holidays, "machines": plant.machines,
        "stations": stations, "line_plans": prod.line_plans(slots),
        "production": prod.production(hours), "operator_output": op_out, "qc_checks": qc,
        "defects": prod.defects(plant, qc, slots, op_out), "breakdowns": bd,
        "line_daily": prod.line_daily(plant, slots, hours, bd, rostered),
        "punches": demo_people.punches(plant, rostered),
        "attendance_daily": _empty(schema.attendance_daily), "work_orders": orders,
        "material_issues": demo_orders.material_issues(plant, orders),
    }
    frames = {name: _conform(frame, schema.metadata.tables[name]) for name, frame in raw.items()}
    seen = demo_events.watched(rostered, op_out, stations)
    events = (_conform(chunk, schema.events) for chunk in demo_events.iter_events(plant, seen))
    return frames, events, seen["date"].nunique()


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in table.columns})


def _conform(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Exactly the table's columns, in its order: dates as python dates, timestamps as
    datetime64, everything else as generated."""
    out = pd.DataFrame(index=frame.index)
    for column in table.columns:
        values = frame[column.name] if column.name in frame else pd.Series(None, index=frame.index,
                                                                          dtype=object)
        if isinstance(column.type, DateTime):
            values = pd.to_datetime(values).astype("datetime64[us]")
        elif isinstance(column.type, Date) and values.dtype.kind == "M":
            values = pd.Series(values.dt.date.to_numpy(dtype=object), index=frame.index)
            values[values.isna()] = None
        out[column.name] = values
    return out.reset_index(drop=True)
