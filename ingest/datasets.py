"""Ingesting items of any file of SPEC section 2 (`POST /api/v1/data/<name>`, SPEC section 10).

One path for every dataset: each item is judged by the CSV import's own column rules
(`ingest.csv_rules`: kinds, bounds, choices, lengths, row checks, codes that must exist), a bad
item is rejected with its index and reason while the valid ones are stored, and rows are upserted
by the file's natural key (the table's primary key) in one transaction that also rewrites the
rollups of the days touched and moves the data version.

An item is one row of the file as a JSON object keyed by column name. A key that is absent or
null is a blank cell: it takes the column's default, so a posted row replaces the stored row
whole (a breakdown posted open and again with its end_ts is one breakdown, now closed). An item
identical to the stored row (or to another item of the batch) is a duplicate and writes nothing.
Events keep their own rule (SPEC section 6): an event is stored once, and a later item with the
same event_id is a duplicate whatever it says.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import select, tuple_

from data import db, schema
from ingest import rollups
from ingest.csv_rules import BY_NAME, FILES, FileSpec, parse_column, shift_day_columns
from metrics.calendar import assign_shift_day

log = logging.getLogger(__name__)

MAX_ITEMS = 10_000
MAX_BYTES = 20 * 1024 * 1024
NAMES = tuple(spec.name for spec in FILES)

# What a path needs beyond the file's own rules.
REQUIRED = {"events": ("ts", "emp_code", "station_code", "event_type")}  # a worker, a place, a time
EXTRA_FIELDS = {"punches": ("device_user_id",)}  # a punch may name its worker by the device's id
KEEP_FIRST = {"events"}  # stored once: a later item with the same key is a duplicate
NOUN = {"events": "an event", "punches": "a punch"}
_LOOKUP_CHUNK = 500


class UnknownDataset(LookupError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class TooManyItems(ValueError):
    pass


@dataclass
class IngestResult:
    accepted: int = 0  # rows written, new or changed (SPEC section 10)
    updated: int = 0  # of those, rows that replaced a stored row with the same key
    duplicates: int = 0  # items identical to the stored row or to another item of the batch
    rejected: list[dict] = field(default_factory=list)  # {"index": i, "reason": "..."}

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "updated": self.updated,
                "duplicates": self.duplicates, "rejected": self.rejected}


def spec_of(name: str) -> FileSpec:
    spec = BY_NAME.get(name)
    if spec is None:
        raise UnknownDataset(name)
    return spec


def ingest_items(engine, name: str, items: list, *, plant_tz: str, now: datetime,
                 source: str = "api") -> IngestResult:
    """Validate `items` (rows of the file `name`), store the valid ones by natural key and answer
    what happened; bad items are listed in the result, never raised. Raises UnknownDataset for a
    name not in SPEC section 2 and TooManyItems for a batch over MAX_ITEMS (nothing stored)."""
    spec = spec_of(name)
    if len(items) > MAX_ITEMS:
        raise TooManyItems(f"{len(items):,} items; at most {MAX_ITEMS:,} per batch")
    result = IngestResult()
    if not items:
        return result
    reasons: dict[int, str] = {}
    with engine.begin() as conn:
        data = _validate(conn, spec, items, plant_tz, now, reasons)
        result.rejected = [{"index": int(i), "reason": r} for i, r in sorted(reasons.items())]
        if not data.empty:
            _store(conn, spec, data, now, result)
    if result.rejected:
        log.info("ingest %s from %s: %d of %d items rejected, first: %s", name, source,
                 len(result.rejected), len(items), result.rejected[0])
    return result


# --- validation ----------------------------------------------------------------------------------


def _as_text(value) -> str | None:
    """A JSON scalar as the trimmed text a CSV cell would hold; None for a value of the wrong
    kind (an object, a list or a boolean). A whole float (5.0) reads as 5."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_frame(spec: FileSpec, items: list, reasons: dict) -> pd.DataFrame:
    """The items as a frame of trimmed strings (one column per column of the file and per extra
    field); a reason for each item that is not an object or holds a field it should not."""
    names = [c.name for c in spec.columns] + list(EXTRA_FIELDS.get(spec.name, ()))
    allowed = set(names)
    columns: dict[str, list] = {n: [] for n in names}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            reasons[i] = f"{NOUN.get(spec.name, 'an item')} must be a JSON object"
            item = {}
        else:
            unknown = [str(k) for k in item if k not in allowed]
            if unknown:
                reasons[i] = f"{unknown[0][:64]}: unknown column"
        for n in names:
            text = _as_text(item.get(n))
            if text is None:
                reasons.setdefault(i, f"{n}: not a single value")
                text = ""
            columns[n].append(text)
    return pd.DataFrame(columns, index=range(len(items)), dtype=object)


def _validate(conn, spec: FileSpec, items: list, plant_tz: str, now: datetime,
              reasons: dict) -> pd.DataFrame:
    """Typed, derived rows of the valid items (indexed by batch position), deduplicated within
    the batch; the reason for every bad item goes into `reasons`."""
    raw = _raw_frame(spec, items, reasons)
    if spec.name == "punches":
        _punch_names(conn, raw, reasons)
    data = pd.DataFrame(index=raw.index)
    for col in spec.columns:
        values, why = parse_column(spec, col, raw[col.name], plant_tz)
        data[col.name] = values
        _note(reasons, why, col.name)
    for name in REQUIRED.get(spec.name, ()):
        _note(reasons, pd.Series("missing value", index=raw.index).where(raw[name].eq("")), name)
    data = data.drop(index=list(reasons), errors="ignore")
    for check in spec.checks:
        for bad, column, reason in check(data):
            _note(reasons, pd.Series(reason, index=bad.index).where(bad), column)
    data = data.drop(index=list(reasons), errors="ignore")
    if data.empty:
        return data
    if spec.fill_key is not None:
        (key_column,) = spec.key
        data[key_column] = spec.fill_key(data)
    _check_codes(conn, spec, data, reasons)
    data = data.drop(index=list(reasons), errors="ignore")
    if data.empty:
        return data
    for name, value in spec.constants.items():
        data[name] = value
    return _derive(conn, spec, data)


def _note(reasons: dict, why: pd.Series, column: str) -> None:
    """Keep the first reason of each item: `column: reason`."""
    for i, reason in why[why.notna()].items():
        reasons.setdefault(i, f"{column}: {reason}")


def _punch_names(conn, raw: pd.DataFrame, reasons: dict) -> None:
    """A punch without emp_code names its worker by device_user_id (SPEC section 7); without a
    direction it is BOTH (the device did not say)."""
    by_device = raw["emp_code"].eq("") & raw["device_user_id"].ne("")
    if by_device.any():
        from ingest.punches import device_user_map
        devices = device_user_map(conn)
        for i, user in raw.loc[by_device, "device_user_id"].items():
            emp = devices.get(user)
            if emp is None:
                reasons.setdefault(i, f"device_user_id: unknown device_user_id '{user}'")
            else:
                raw.at[i, "emp_code"] = emp
    nobody = raw["emp_code"].eq("") & raw["device_user_id"].eq("")
    for i in raw.index[nobody]:
        reasons.setdefault(i, "emp_code: missing value (or give device_user_id)")
    raw.loc[raw["direction"].eq(""), "direction"] = "BOTH"


def _check_codes(conn, spec: FileSpec, data: pd.DataFrame, reasons: dict) -> None:
    """Every code must name a stored row of its file (lines, shifts, styles, ...)."""
    for col in spec.columns:
        if not col.ref or col.name not in data:
            continue
        values = data[col.name]
        wanted = sorted(set(values.dropna()))
        if not wanted:
            continue
        (key,) = BY_NAME[col.ref].key
        known = _existing(conn, BY_NAME[col.ref].table.c[key], wanted)
        unknown = values.notna() & ~values.isin(known)
        for i, code in values[unknown].items():
            reasons.setdefault(i, f"{col.name}: unknown {col.name} '{code}'")


def _existing(conn, column, values: list) -> set:
    found: set = set()
    for i in range(0, len(values), _LOOKUP_CHUNK):
        found |= set(conn.execute(select(column).where(
            column.in_(values[i:i + _LOOKUP_CHUNK]))).scalars())
    return found


def _derive(conn, spec: FileSpec, data: pd.DataFrame) -> pd.DataFrame:
    """Production day, shift and hour of the file's timestamp (SPEC section 3); an event's line is
    its station's (as the CSV import fills them)."""
    columns = shift_day_columns(spec)
    if columns:
        shifts = pd.DataFrame(conn.execute(select(
            schema.shifts.c.shift_code, schema.shifts.c.start, schema.shifts.c.end)).all(),
            columns=["shift_code", "start", "end"])
        day = assign_shift_day(pd.to_datetime(data[spec.shift_day_of]), shifts)
        for column in columns:
            data[column] = day[column].to_numpy()
    if spec.name == "events":
        stations = dict(conn.execute(select(schema.stations.c.station_code,
                                            schema.stations.c.line_code)).all())
        data["line_code"] = data["station_code"].map(stations)
    return data


# --- storing -------------------------------------------------------------------------------------


def _canonical(value):
    """A value as comparable between a typed item and a stored row (numpy and pandas scalars,
    Timestamps and NaN made plain)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is pd.NaT:
        return None
    return value


def _rows(data: pd.DataFrame, names: list[str]) -> list[tuple]:
    return [tuple(_canonical(v) for v in row)
            for row in zip(*(data[n].tolist() for n in names))]


def _store(conn, spec: FileSpec, data: pd.DataFrame, now: datetime, result: IngestResult) -> None:
    table = spec.table
    key = list(spec.key)
    names = [c for c in data.columns if c in table.c]
    rows = _rows(data, names)
    at = {n: i for i, n in enumerate(names)}
    key_at = [at[k] for k in key]

    # items apply in order, as if posted one by one: new, a duplicate of what its key holds by
    # then, or a change of it; the last item of a key is what is written
    keep_first = spec.name in KEEP_FIRST
    keys = list(dict.fromkeys(tuple(row[j] for j in key_at) for row in rows))
    stored = _stored(conn, table, key, names, keys)
    current = dict(stored)
    for row in rows:
        k = tuple(row[j] for j in key_at)
        before = current.get(k)
        if before is None:
            result.accepted += 1
        elif keep_first or before == row:
            result.duplicates += 1
            continue
        else:
            result.accepted += 1
            result.updated += 1
        current[k] = row
    write, old_days = [], set()
    for k in keys:
        row, before = current[k], stored.get(k)
        if row is before:
            continue
        write.append(row)
        if before is not None and "date" in at:
            old_days.add(before[at["date"]])
    if not write:
        return
    records = [dict(zip(names, row)) for row in write]
    if spec.name == "punches":  # the next process-attendance recomputes their days
        for record in records:
            record.update(received_at=now, processed=None, unmatched=None)
    db.upsert(conn, table, records)
    days = {r["date"] for r in records if "date" in r} | old_days
    if table.name in rollups.LINE_DAY_FACTS:
        rollups.rebuild_line_day(conn, days)
    if table.name == "events":
        rollups.mark_stale(conn, days)
    if table.name == "shifts":  # shift ends cap every state: every day changes
        rollups.mark_all_stale(conn)
    db.bump_data_version(conn)


def _stored(conn, table, key: list[str], names: list[str], keys: list[tuple]
            ) -> dict[tuple, tuple]:
    """The stored rows (the `names` columns) whose key is among `keys`, by key."""
    if not keys:
        return {}
    cols = [table.c[n] for n in names]
    key_cols = [table.c[k] for k in key]
    found: dict[tuple, tuple] = {}
    key_at = [names.index(k) for k in key]
    for i in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[i:i + _LOOKUP_CHUNK]
        where = (key_cols[0].in_([k[0] for k in chunk]) if len(key_cols) == 1
                 else tuple_(*key_cols).in_(chunk))
        for row in conn.execute(select(*cols).where(where)):
            row = tuple(_canonical(v) for v in row)
            found[tuple(row[j] for j in key_at)] = row
    return found
