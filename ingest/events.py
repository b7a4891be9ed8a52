"""Camera-event ingestion (SPEC section 6): validate each item, derive its production day, shift
and line, and store it exactly once.

Shared by the API (`POST /api/v1/events`) and anything else that ingests events. Items are
checked with the CSV importer's own column rules (`ingest.csv_rules`), so a bad value reads the same
whichever way it came in. Idempotency rests on the primary key: every row goes in with
INSERT ... ON CONFLICT (event_id) DO NOTHING, and the duplicates are counted from the rows the
database actually inserted, which stays right when several clients post overlapping batches at
once. An event without event_id gets the content hash `csv_rules.event_id_for` gives it on import.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from data import db, schema
from ingest import rollups
from ingest.csv_rules import BY_NAME, INT_LIMIT, NUL, event_id_for, parse_column
from metrics.calendar import assign_shift_day

log = logging.getLogger(__name__)

MAX_BATCH = 10_000
SPEC = BY_NAME["events"]
FIELDS = [c.name for c in SPEC.columns]  # event_id, ts, emp_code, station_code, ...
SPEC_EVENT_TYPES = next(c.choices for c in SPEC.columns if c.name == "event_type")
REQUIRED = ("ts", "emp_code", "station_code", "event_type")  # a worker at a station, at a time
COLUMNS = [c.name for c in schema.events.columns]
_DEADLOCK_RETRIES = 3


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"index": i, "reason": "..."}

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": self.rejected}


def _as_text(value) -> str | None:
    """A JSON scalar as the trimmed text the CSV rules parse; None for a value of the wrong kind
    (an object, a list or a boolean)."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        return None
    return str(value).strip()


_FAST_TS = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
                      r"(?:Z|[+-]\d{2}:\d{2})?")
_CHOICES = {c: c for c in SPEC_EVENT_TYPES}
_CODE_MAX = schema.events.c.emp_code.type.length
_ID_MAX = schema.events.c.event_id.type.length
_VERSION_MAX = schema.events.c.model_version.type.length


def _code(value, limit) -> bool:
    return (type(value) is str and 0 < len(value) <= limit and value == value.strip()
            and NUL not in value)


def _fast(item, tz: ZoneInfo) -> tuple | None:
    """The typed row of a plainly well-formed item, or None to leave it to the CSV rules.

    Strictly a subset of what the CSV rules accept, giving the same values, so the rules stay the
    one judge of every item that is at all unusual (text numbers, blanks, odd spacing, ...).
    """
    if type(item) is not dict:
        return None
    get = item.get
    event_id, ts, emp, station = get("event_id"), get("ts"), get("emp_code"), get("station_code")
    kind, confidence, count, version = (get("event_type"), get("confidence"), get("count"),
                                        get("model_version"))
    if not (_code(emp, _CODE_MAX) and _code(station, _CODE_MAX) and kind in _CHOICES
            and type(ts) is str and _FAST_TS.fullmatch(ts)):
        return None
    if event_id is not None and not _code(event_id, _ID_MAX):
        return None
    if version is not None and not _code(version, _VERSION_MAX):
        return None
    if confidence is not None and not (type(confidence) in (int, float)
                                       and 0 <= confidence <= 1):
        return None
    if count is None:
        count = 1
    elif not (type(count) is int and 0 <= count <= INT_LIMIT):
        return None
    try:
        when = datetime.fromisoformat(ts)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(tz).replace(tzinfo=None)
    return (event_id, when, emp, station, kind,
            None if confidence is None else float(confidence), count, version)


def _by_the_rules(items: list, indexes: list[int], plant_tz: str, reasons: dict
                  ) -> pd.DataFrame:
    """Typed values of the items at `indexes`, checked with the CSV importer's column rules;
    the reason for each bad item goes into `reasons`."""
    raw = {name: [] for name in FIELDS}
    for i in indexes:
        item = items[i]
        if not isinstance(item, dict):
            reasons[i] = "an event must be a JSON object"
            item = {}
        for name in FIELDS:
            text = _as_text(item.get(name))
            if text is None:
                reasons.setdefault(i, f"{name}: not a single value")
                text = ""
            raw[name].append(text)
    frame = pd.DataFrame(raw, index=indexes, dtype=object)
    data = pd.DataFrame(index=frame.index)
    for col in SPEC.columns:
        values, why = parse_column(SPEC, col, frame[col.name].astype(str), plant_tz)
        data[col.name] = values
        for i, reason in why[why.notna()].items():
            reasons.setdefault(i, f"{col.name}: {reason}")
    for name in REQUIRED:
        for i in frame.index[frame[name].eq("")]:
            reasons.setdefault(i, f"{name}: missing value")
    return data


def validate(conn, items: list, plant_tz: str) -> tuple[pd.DataFrame, list[dict]]:
    """Typed, derived rows of the valid items (indexed by batch position) and the rejections."""
    reasons: dict[int, str] = {}
    tz = ZoneInfo(plant_tz)
    fast, fast_at, slow_at = [], [], []
    for i, item in enumerate(items):
        row = _fast(item, tz)
        if row is None:
            slow_at.append(i)
        else:
            fast.append(row)
            fast_at.append(i)
    data = pd.DataFrame(fast, index=fast_at, columns=FIELDS, dtype=object)
    if slow_at:
        slow = _by_the_rules(items, slow_at, plant_tz, reasons)
        data = pd.concat([data, slow]) if fast else slow

    stations = dict(conn.execute(select(schema.stations.c.station_code,
                                        schema.stations.c.line_code)).all())
    workers = set(conn.execute(select(schema.employees.c.emp_code)).scalars())
    for name, known in (("station_code", stations), ("emp_code", workers)):
        for i, code in zip(data.index, data[name]):
            if code is not None and code not in known:
                reasons.setdefault(i, f"{name}: unknown {name} '{code}'")

    rejected = [{"index": int(i), "reason": r} for i, r in sorted(reasons.items())]
    good = data.drop(index=list(reasons)) if reasons else data
    if good.empty:
        return good.assign(date=[], shift_code=[], line_code=[]), rejected
    good = good.assign(count=good["count"].fillna(1))
    no_id = good["event_id"].isna()
    if no_id.any():
        good.loc[no_id, "event_id"] = [
            event_id_for(*parts) for parts in good.loc[no_id, ["ts", "emp_code", "station_code",
                                                               "event_type", "count"]]
            .itertuples(index=False)]
    shifts = pd.DataFrame(conn.execute(select(schema.shifts.c.shift_code, schema.shifts.c.start,
                                              schema.shifts.c.end)).all(),
                          columns=["shift_code", "start", "end"])
    good = good.assign(**derived_columns(good["ts"], good["station_code"], shifts, stations))
    return good, rejected


def derived_columns(ts: pd.Series, station_codes: pd.Series, shifts: pd.DataFrame,
                    station_lines: dict) -> dict[str, np.ndarray]:
    """Production day and shift of each timestamp (SPEC section 3) and its station's line."""
    day = assign_shift_day(pd.to_datetime(ts), shifts)
    return {"date": day["date"].to_numpy(), "shift_code": day["shift_code"].to_numpy(),
            "line_code": station_codes.map(station_lines).to_numpy()}


def ingest(engine, items: list, plant_tz: str) -> IngestResult:
    """Validate `items` and store the valid ones once each; the data version moves when any row
    was new. Raises nothing for bad items: they are listed in the result."""
    with engine.connect() as conn:
        rows, rejected = validate(conn, items, plant_tz)
    result = IngestResult(rejected=rejected)
    if rows.empty:
        return result
    inserted = store(engine, rows)
    result.accepted = inserted
    result.duplicates = len(rows) - inserted
    return result


def store(engine, rows: pd.DataFrame) -> int:
    """Insert the rows whose event_id is new, in one transaction; return how many went in.

    PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING
    in event_id order (two batches that share ids then lock them in the same order and cannot
    deadlock). SQLite: one executemany of INSERT ... ON CONFLICT DO NOTHING.
    """
    for attempt in range(_DEADLOCK_RETRIES):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    inserted = PG_STORES[PG_STORE](conn, rows)
                else:
                    inserted = _store_sqlite(conn, rows)
                if inserted:
                    rollups.mark_stale(conn, rows["date"].unique())
                    db.bump_data_version(conn)
                return inserted
        except OperationalError as err:  # a deadlock or a busy SQLite file: try again
            if attempt == _DEADLOCK_RETRIES - 1:
                raise
            log.warning("storing %d events failed (%s); retrying", len(rows), err.orig)
            time.sleep(0.05 * (attempt + 1))
    return 0  # pragma: no cover - the loop returns or raises


def _store_sqlite(conn, rows: pd.DataFrame) -> int:
    records = db.plain_rows(rows, schema.events, COLUMNS)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO events ({names}) VALUES ({marks}) ON CONFLICT (event_id) DO NOTHING"
    before = conn.connection.dbapi_connection.total_changes
    conn.exec_driver_sql(sql, records)
    return conn.connection.dbapi_connection.total_changes - before


def _store_postgresql_values(conn, rows: pd.DataFrame) -> int:
    """One multi-row INSERT ... VALUES ... ON CONFLICT DO NOTHING (psycopg2's execute_values,
    one page: one statement, so rowcount is every row inserted), rows in event_id order."""
    from psycopg2.extras import execute_values
    rows = rows.sort_values("event_id", kind="stable").drop_duplicates("event_id")
    records = db.plain_rows(rows, schema.events, COLUMNS)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        execute_values(cursor, f"INSERT INTO events ({names}) VALUES %s "
                               f"ON CONFLICT (event_id) DO NOTHING", records,
                       page_size=len(records))
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


def _store_postgresql(conn, rows: pd.DataFrame) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(db.plain_rows(rows, schema.events, COLUMNS))  # None -> an empty unquoted field, which COPY reads as NULL
    buffer.seek(0)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS events_in "
                       "(LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        cursor.copy_expert(f"COPY events_in ({names}) FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(f"INSERT INTO events ({names}) SELECT DISTINCT ON (event_id) {names} "
                       f"FROM events_in ORDER BY event_id ON CONFLICT (event_id) DO NOTHING")
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


# PostgreSQL's storage step, measured both ways by bench/ingest_events.py (--store): COPY into a
# temporary table then INSERT ... SELECT, or one multi-row INSERT ... VALUES
PG_STORES = {"copy": _store_postgresql, "values": _store_postgresql_values}
PG_STORE = "copy"
