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
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import select, tuple_

from data import db, schema
from ingest import events as event_store, rollups
from ingest.csv_rules import (BY_NAME, FILES, NUL, SLOW, FileSpec, parse_column, quick_parser,
                              shift_day_columns)
from metrics.calendar import assign_shift_day

log = logging.getLogger(__name__)

MAX_ITEMS = 10_000
MAX_BYTES = 20 * 1024 * 1024
NAMES = tuple(spec.name for spec in FILES)

# What a path needs beyond the file's own rules.
REQUIRED = {"events": event_store.REQUIRED}
EXTRA_FIELDS = {"punches": ("device_user_id",)}  # a punch may name its worker by the device's id
# Facts stored once: a later item with the same key is a duplicate whatever else it says (a
# punch re-sent without its device id is the same punch). Events are stored by events.store.
KEEP_FIRST = {"events", "punches"}
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
    if spec.name == "events":
        # validated and stored in one transaction; INSERT ... DO NOTHING counts what went in,
        # right under concurrent posters (a deadlock between them is tried again)
        before, after = event_store.retrying(engine, lambda conn: _events(
            conn, spec, items, plant_tz, now, reasons, result))
    else:
        after = None
        with engine.begin() as conn:
            before = MASTER.identity(conn)
            data = _validate(conn, spec, items, plant_tz, now, reasons, identity_read=True)
            if not data.empty:
                version = _store(conn, spec, data, now, result)
                if spec.name not in MASTER_FILES:  # facts: the master data read stays right
                    after = version
    if after is not None:  # committed: what the batch read holds at the version it made
        MASTER.carry(engine, before, after)
    result.rejected = [{"index": int(i), "reason": r} for i, r in sorted(reasons.items())]
    if result.rejected:
        log.info("ingest %s from %s: %d of %d items rejected, first: %s", name, source,
                 len(result.rejected), len(items), result.rejected[0])
    return result


def _events(conn, spec: FileSpec, items: list, plant_tz: str, now: datetime, reasons: dict,
            result: IngestResult) -> tuple[tuple, int | None]:
    """Validate and store an event batch in `conn`'s transaction; (the data identity it read,
    the data version it made, None when nothing went in)."""
    reasons.clear()  # a retried transaction judges the batch afresh
    before = MASTER.identity(conn)
    data = _validate(conn, spec, items, plant_tz, now, reasons, identity_read=True)
    result.accepted, version = event_store.store_in(conn, data) if not data.empty else (0, None)
    result.duplicates = len(data) - result.accepted
    # events are facts: the master data read stays right at the version their bump makes
    return before, version


# --- master data ---------------------------------------------------------------------------------


class MasterData:
    """The master data items are checked against (the codes of each file a column refers to, the
    shifts, the stations' lines), read once per data version instead of once per batch.

    Process-local, per engine, keyed by the database's data identity (instance id, data version):
    every write of master data moves the data version (`db.bump_data_version`'s contract), so a
    batch reads the identity (one small query) and reuses what was read at that identity. A
    batch of facts (events, production, punches: no file another file refers to) writes no
    master data: when its own bump was the only one since it read the identity, what it read is
    carried to the new version once the batch has committed, so a steady stream of batches reads
    the master data once. Anything else that moved the version empties the cache.
    """

    def __init__(self):
        self._by_engine: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def identity(self, conn) -> tuple:
        identity = db.data_identity(conn)
        entry = self._by_engine.get(conn.engine)
        if identity[0] is None:  # no instance id: a database emptied behind our back
            self._by_engine.pop(conn.engine, None)
        elif entry is None or entry[0] != identity:
            self._by_engine[conn.engine] = (identity, {})
        return identity

    def get(self, conn, what: str, read: Callable):
        """What `read(conn)` gives, read once per data identity (`identity` is read at the start
        of each batch)."""
        entry = self._by_engine.get(conn.engine)
        if entry is None:  # forgotten meanwhile: read afresh
            return read(conn)
        values = entry[1]
        if what not in values:
            values[what] = read(conn)
        return values[what]

    def carry(self, engine, before: tuple, version_now: int) -> None:
        """After a batch of facts committed: what it read at `before` holds at `version_now`
        when its own bump was the only one (called after the commit: a batch rolled back never
        made its version, which another writer's change may then take)."""
        instance, version = before
        entry = self._by_engine.get(engine)
        if entry is not None and entry[0] == before:
            if version_now == version + 1:
                self._by_engine[engine] = ((instance, version_now), entry[1])
            else:
                del self._by_engine[engine]


MASTER = MasterData()
# the files a column of another file refers to: writing one of them changes master data
MASTER_FILES = frozenset(col.ref for spec in FILES for col in spec.columns if col.ref)


# --- validation ----------------------------------------------------------------------------------


def validate(conn, name: str, items: list, *, plant_tz: str, now: datetime
             ) -> tuple[pd.DataFrame, list[str]]:
    """The typed rows of the valid items of file `name` and the reasons of the bad ones, in batch
    order, by the rules of every ingestion path; nothing is stored (a manual punch is checked by
    it before it is written its own way)."""
    reasons: dict[int, str] = {}
    data = _validate(conn, spec_of(name), items, plant_tz, now, reasons)
    return data, [reasons[i] for i in sorted(reasons)]



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


def _raw_frame(spec: FileSpec, items: list, at: list[int], reasons: dict) -> pd.DataFrame:
    """The items at positions `at` as a frame of trimmed strings (one column per column of the
    file and per extra field); a reason for each item that is not an object or holds a field it
    should not."""
    names = [c.name for c in spec.columns] + list(EXTRA_FIELDS.get(spec.name, ()))
    allowed = set(names)
    columns: dict[str, list] = {n: [] for n in names}
    for i in at:
        item = items[i]
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
    return pd.DataFrame(columns, index=at, dtype=object)


def _validate(conn, spec: FileSpec, items: list, plant_tz: str, now: datetime,
              reasons: dict, identity_read: bool = False) -> pd.DataFrame:
    """Typed, derived rows of the valid items (indexed by batch position, in batch order); the
    reason for every bad item goes into `reasons`.

    A plainly well-formed item is typed value by value (`csv_rules.quick_parser`); any other goes
    through the CSV import's `parse_column`, which gives the reason.
    """
    if not identity_read:
        MASTER.identity(conn)  # the master data read before is right while nothing moved
    names = [c.name for c in spec.columns]
    quick = [quick_parser(spec, c, plant_tz, now) for c in spec.columns]
    allowed = frozenset(names)
    fast, fast_at, slow_at = [], [], []
    for i, item in enumerate(items):
        if type(item) is dict and allowed.issuperset(item):
            row = [parse(item.get(name)) for name, parse in zip(names, quick)]
            if SLOW not in row:
                fast.append(row)
                fast_at.append(i)
                continue
        slow_at.append(i)
    data = pd.DataFrame(fast, index=fast_at, columns=names, dtype=object)
    if slow_at:
        slow = _parse_slowly(conn, spec, items, slow_at, plant_tz, now, reasons)
        data = pd.concat([data, slow]).sort_index() if fast else slow
    for name in REQUIRED.get(spec.name, ()):
        missing = data[name].isna()
        if missing.any():
            _note(reasons, pd.Series("missing value", index=data.index).where(missing), name)
    data = _without(data, reasons)
    for check in spec.checks:
        for bad, column, reason in check(data):
            _note(reasons, pd.Series(reason, index=bad.index).where(bad), column)
    data = _without(data, reasons)
    if data.empty:
        return data
    if spec.fill_key is not None:
        (key_column,) = spec.key
        data[key_column] = spec.fill_key(data)
    _check_codes(conn, spec, data, reasons)
    data = _without(data, reasons)
    if data.empty:
        return data
    for name, value in spec.constants.items():
        data[name] = value
    return _derive(conn, spec, data)


def _without(data: pd.DataFrame, reasons: dict) -> pd.DataFrame:
    """The rows of no rejected item."""
    return data.drop(index=list(reasons), errors="ignore") if reasons else data


def _parse_slowly(conn, spec: FileSpec, items: list, at: list[int], plant_tz: str,
                  now: datetime, reasons: dict) -> pd.DataFrame:
    """The items at `at` typed by the CSV import's column rules (null where bad)."""
    raw = _raw_frame(spec, items, at, reasons)
    if spec.name == "punches":
        _punch_names(conn, raw, reasons)
    data = pd.DataFrame(index=raw.index)
    for col in spec.columns:
        values, why = parse_column(spec, col, raw[col.name], plant_tz, now)
        data[col.name] = values
        _note(reasons, why, col.name)
    return data


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
        users = raw.loc[by_device, "device_user_id"]
        found = users.map(device_user_map(conn))  # whole columns: a per-row .at costs 0.1 ms
        for i, user in users[found.isna()].items():
            if NUL in user:
                reasons.setdefault(i, "device_user_id: contains a NUL character: "
                                      f"'{user.replace(NUL, chr(92) + '0')}'")
            else:
                reasons.setdefault(i, f"device_user_id: unknown device_user_id '{user}'")
        raw.loc[found.index[found.notna()], "emp_code"] = found[found.notna()]
    nobody = raw["emp_code"].eq("") & raw["device_user_id"].eq("")
    for i in raw.index[nobody]:
        reasons.setdefault(i, "emp_code: emp_code or device_user_id is required")
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
        column = BY_NAME[col.ref].table.c[key]
        known = MASTER.get(conn, f"codes:{col.ref}",
                           lambda c: frozenset(c.execute(select(column)).scalars()))
        unknown = values.notna() & ~values.isin(known)
        for i, code in values[unknown].items():
            reasons.setdefault(i, f"{col.name}: unknown {col.name} '{code}'")


def _derive(conn, spec: FileSpec, data: pd.DataFrame) -> pd.DataFrame:
    """Production day, shift and hour of the file's timestamp (SPEC section 3); an event's line is
    its station's (as the CSV import fills them)."""
    columns = shift_day_columns(spec)
    if columns:
        shifts = MASTER.get(conn, "shifts", lambda c: pd.DataFrame(c.execute(select(
            schema.shifts.c.shift_code, schema.shifts.c.start, schema.shifts.c.end)).all(),
            columns=["shift_code", "start", "end"]))
        ts = pd.to_datetime(data[spec.shift_day_of])
        moments = pd.Series(ts.unique())  # a batch holds few distinct moments: judge each once
        day = assign_shift_day(moments, shifts).set_index(moments)
        for column in columns:
            data[column] = day[column].reindex(ts).tolist()
    if spec.name == "events":
        stations = MASTER.get(conn, "station_lines", lambda c: dict(c.execute(select(
            schema.stations.c.station_code, schema.stations.c.line_code)).all()))
        data["line_code"] = data["station_code"].map(stations)
    return data


# --- storing -------------------------------------------------------------------------------------


def _plain(value):
    """A value as the database driver takes it and as it compares with a stored row: numpy and
    pandas scalars made Python ones, NaN and NaT made None."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is datetime or kind is date:
        return value
    if kind is float:
        return None if value != value else value
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def _rows(data: pd.DataFrame, names: list[str]) -> list[tuple]:
    return list(zip(*([_plain(v) for v in data[n].tolist()] for n in names)))


def _store(conn, spec: FileSpec, data: pd.DataFrame, now: datetime, result: IngestResult
           ) -> int | None:
    """Upsert the batch's rows by key; the data version that made, None when nothing was
    written."""
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
        return None
    if spec.name == "punches":  # the next process-attendance recomputes their days
        db.upsert_rows(conn, table, names + ["received_at", "processed", "unmatched"],
                       [row + (now, None, None) for row in write], update=False)
    else:
        db.upsert_rows(conn, table, names, write)
    days = {row[at["date"]] for row in write} | old_days if "date" in at else set()
    if table.name in rollups.LINE_DAY_FACTS:
        rollups.rebuild_line_day(conn, days, tables={table.name})
    if table.name == "operator_output":
        rollups.rebuild_operator_month(conn, days)
    if table.name == "events":
        rollups.mark_stale(conn, days)
    if table.name == "shifts":  # shift ends cap every state: every day changes
        rollups.mark_all_stale(conn)
    return db.bump_data_version(conn)


def _among(column, values: set):
    """A filter on one key column for a set of batch values: moments and numbers by their range
    (a batch of punches has as many moments as punches, and an index walks a range once where
    it probes an IN list per value of the columns before it), codes by IN."""
    if len(values) > 1 and all(isinstance(v, (datetime, date, int, float)) for v in values) \
            and len({type(v) for v in values}) == 1:
        return column.between(min(values), max(values))
    return column.in_(sorted(values, key=repr))


def _stored(conn, table, key: list[str], names: list[str], keys: list[tuple]
            ) -> dict[tuple, tuple]:
    """The stored rows (the `names` columns) whose key is among `keys`, by key.

    Each key column is filtered by the set of its values in the batch (a plain IN per column is
    cheap to build, where one IN of N key tuples is not); rows of the cross product that are not
    in `keys` are dropped here. A batch from a plant is a run of line-hours or moments, so the
    cross product stays close to the batch.
    """
    if not keys:
        return {}
    cols = [table.c[n] for n in names]
    key_at = [names.index(k) for k in key]
    wanted = set(keys)
    found: dict[tuple, tuple] = {}
    for i in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[i:i + _LOOKUP_CHUNK]
        where = [_among(table.c[k], {kk[j] for kk in chunk}) for j, k in enumerate(key)]
        for row in conn.execute(select(*cols).where(*where)):
            row = tuple(_plain(v) for v in row)
            k = tuple(row[j] for j in key_at)
            if k in wanted:
                found[k] = row
    return found
