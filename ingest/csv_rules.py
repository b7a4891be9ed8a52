"""What a valid CSV import folder looks like (SPEC section 2), as one declarative table.

Each file is a `FileSpec`: its table, its columns in SPEC order (a kind, bounds, choices and the
file whose key a code must name) and its cross-column checks. What the schema already says is not
said again here: the natural key is the table's primary key, a value is required when its column
is part of the key or NOT NULL without a default, a blank optional value takes the column's
default, and text may be no longer than its column. `parse_column` turns one column of trimmed
strings into typed values plus a reason per bad cell; the importer does the rest.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Table

from data import schema
from metrics import order_status

# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "text"  # text | int | float | date | time | ts | choice | weekdays
    ref: str | None = None  # the file (lines, shifts, ...) whose key this code must be
    min: float | None = None
    max: float | None = None
    positive: bool = False  # strictly > 0
    choices: tuple[str, ...] = ()  # canonical spelling; matched case-insensitively
    code: str | None = None  # error code put before the reason, e.g. WORK_ORDER_BAD_STATUS
    required: bool | None = None  # None: as the schema says (key, or NOT NULL without default)


def text(name: str, ref: str | None = None) -> Col:
    return Col(name, "text", ref=ref)


def count(name: str, **kw) -> Col:
    """A whole, non-negative number (pieces, minutes, people)."""
    return Col(name, "int", min=0, **kw)


def amount(name: str, **kw) -> Col:
    """A non-negative decimal (hours, ratios, quantities of material)."""
    return Col(name, "float", min=0, **kw)


# A row check looks at the typed frame and returns (bad-row mask, column, reason) triples.
Check = Callable[[pd.DataFrame], list[tuple[pd.Series, str, str]]]


def not_before(earlier: str, later: str, reason: str | None = None, column: str | None = None,
               ) -> Check:
    """`later` >= `earlier` where both are given; the error names `column` (default `later`)."""
    def check(df: pd.DataFrame):
        if earlier not in df or later not in df:
            return []
        both = df.index[df[earlier].notna() & df[later].notna()]
        bad = pd.Series(False, index=df.index)
        bad[both] = (df.loc[both, later] < df.loc[both, earlier]).to_numpy(dtype=bool)
        return [(bad, column or later, reason or f"{later} before {earlier}")]
    return check


# The status rules live in metrics.order_status, shared with the orders API (SPEC section 13).
WORK_ORDER_STATUSES = order_status.STATUSES


def work_order_rules(df: pd.DataFrame):
    return order_status.row_rules(df)


# --- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    table: Table
    columns: tuple[Col, ...]
    checks: tuple[Check, ...] = ()
    shift_day_of: str | None = None  # the timestamp whose production day, shift, hour we keep
    constants: Mapping[str, object] = field(default_factory=dict)  # written on every row
    fill_key: Callable[[pd.DataFrame], pd.Series] | None = None  # makes blank keys from the row

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def filename(self) -> str:
        return f"{self.table.name}.csv"

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.primary_key.columns)

    def is_required(self, col: Col) -> bool:
        if col.required is not None:
            return col.required
        column = self.table.c[col.name]
        return column.primary_key or (not column.nullable and column.default is None)

    def default(self, name: str):
        """The value a blank cell takes: the schema's scalar default, else null."""
        column_default = self.table.c[name].default
        return column_default.arg if column_default is not None and column_default.is_scalar \
            else None


def event_id_for(ts, emp_code, station_code, event_type, count) -> str:
    """The id of an event that came without one: sha1 of (ts iso, emp, station, type, count)."""
    parts = [pd.Timestamp(ts).isoformat(), _or_blank(emp_code), _or_blank(station_code),
             event_type, str(int(count))]
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()


def _or_blank(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _event_ids(df: pd.DataFrame) -> pd.Series:
    """event_id as given, else made from the row (where the row's parts are valid)."""
    absent = pd.Series(None, index=df.index, dtype=object)
    ids = df.get("event_id", absent).copy()
    counts = df.get("count", pd.Series(1, index=df.index))  # the schema's default
    if not ids.isna().any():  # every event came with its id
        return ids
    todo = ids.isna() & df["ts"].notna() & df["event_type"].notna() & counts.notna()
    ids[todo] = [
        event_id_for(*parts) for parts in zip(
            df.loc[todo, "ts"], df.get("emp_code", absent)[todo],
            df.get("station_code", absent)[todo], df.loc[todo, "event_type"], counts[todo])
    ]
    return ids


_SHIFT_DAY_COLUMNS = ("date", "shift_code", "hour")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# In dependency order: every file comes after the files its codes refer to.
FILES: tuple[FileSpec, ...] = (
    FileSpec(schema.lines, (text("line_code"), text("name"), text("department"), text("floor"))),
    FileSpec(schema.shifts, (
        text("shift_code"), text("name"), Col("start", "time"), Col("end", "time"),
        count("break_minutes"), count("late_grace_min"), count("early_grace_min"),
        amount("half_day_hours"), amount("absent_hours"), count("checkin_before_min"),
        count("checkout_after_min"), count("ot_min_minutes"), Col("weekly_off", "weekdays"),
    )),
    FileSpec(schema.styles, (text("style_code"), text("description"),
                             Col("smv", "float", positive=True))),
    FileSpec(schema.employees, (
        text("emp_code"), text("name"), text("department"), text("designation"),
        text("line_code", ref="lines"), text("shift_code", ref="shifts"), text("device_user_id"),
        text("rfid"), Col("date_joined", "date"), Col("date_left", "date"),
    ), checks=(not_before("date_joined", "date_left"),), constants={"is_placeholder": False}),
    FileSpec(schema.holidays, (Col("date", "date"), text("name"))),
    FileSpec(schema.machines, (
        text("machine_code"), text("line_code", ref="lines"), text("type"), text("make"),
        text("model"), Col("installed_date", "date"), Col("last_pm_date", "date"),
        count("pm_interval_days"),
    )),
    FileSpec(schema.stations, (text("station_code"), text("name"), text("type"),
                               text("line_code", ref="lines"))),
    FileSpec(schema.work_orders, (
        text("wo_number"), text("style_code", ref="styles"), text("line_code", ref="lines"),
        count("order_qty"), count("produced_qty"),
        Col("status", "choice", choices=WORK_ORDER_STATUSES, code=order_status.BAD_STATUS),
        Col("planned_start", "date"), Col("due_date", "date"), Col("released_at", "ts"),
        Col("started_at", "ts"), Col("completed_at", "ts"),
    ), checks=(work_order_rules,)),
    FileSpec(schema.line_plans, (
        Col("date", "date"), text("shift_code", ref="shifts"), text("line_code", ref="lines"),
        text("style_code", ref="styles"), count("target_qty"), count("operators"),
        count("helpers"), count("working_minutes", positive=True),
    )),
    FileSpec(schema.production, (
        Col("date", "date"), text("shift_code", ref="shifts"), text("line_code", ref="lines"),
        count("hour", max=23), text("style_code", ref="styles"),
        Col("stage", "choice", choices=("loading", "output", "packing")), count("qty"),
    )),
    FileSpec(schema.operator_output, (
        Col("date", "date"), text("shift_code", ref="shifts"), text("emp_code", ref="employees"),
        text("operation"), text("line_code", ref="lines"), text("style_code", ref="styles"),
        Col("smv", "float", positive=True), count("qty"), amount("minutes_worked"),
    )),
    FileSpec(schema.qc_checks, (
        Col("date", "date"), text("shift_code", ref="shifts"), text("line_code", ref="lines"),
        count("hour", max=23), text("style_code", ref="styles"), count("checked_qty"),
        count("defective_qty"),
    ), checks=(not_before("defective_qty", "checked_qty", "defective_qty greater than "
                          "checked_qty", column="defective_qty"),)),
    FileSpec(schema.defects, (
        text("defect_id"), Col("ts", "ts"), text("line_code", ref="lines"),
        text("style_code", ref="styles"), text("emp_code", ref="employees"), text("operation"),
        text("reason"), count("qty"), Col("repaired_ts", "ts"),
    ), checks=(not_before("ts", "repaired_ts"),), shift_day_of="ts"),
    FileSpec(schema.breakdowns, (
        text("breakdown_id"), text("line_code", ref="lines"),
        text("machine_code", ref="machines"), text("category"), text("reason"),
        Col("start_ts", "ts"), Col("end_ts", "ts"),
    ), checks=(not_before("start_ts", "end_ts"),), shift_day_of="start_ts"),
    FileSpec(schema.punches, (
        text("emp_code", ref="employees"), Col("ts", "ts"),
        Col("direction", "choice", choices=("IN", "OUT", "BOTH")), text("device_id"),
    )),
    FileSpec(schema.events, (
        Col("event_id", required=False),  # made from the row when blank (SPEC section 6)
        Col("ts", "ts"), text("emp_code", ref="employees"), text("station_code", ref="stations"),
        Col("event_type", "choice", choices=("working", "idle", "absent", "product_count")),
        amount("confidence", max=1), count("count"), text("model_version"),
    ), shift_day_of="ts", fill_key=_event_ids),
    FileSpec(schema.material_issues, (
        text("wo_number", ref="work_orders"), text("material_code"), amount("required_qty"),
        amount("issued_qty"), text("unit"),
    )),
    FileSpec(schema.line_daily, (
        Col("date", "date"), text("line_code", ref="lines"), text("department"),
        amount("smv"), amount("operators"), amount("target_productivity"),
        amount("actual_productivity"), amount("overtime_min"), amount("idle_min"),
        amount("idle_men"), count("style_changes"), amount("wip"), amount("incentive"),
    )),
)
BY_FILENAME = {spec.filename: spec for spec in FILES}
BY_NAME = {spec.name: spec for spec in FILES}


def shift_day_columns(spec: FileSpec) -> tuple[str, ...]:
    """The production day/shift/hour columns this file's table keeps, filled at ingest."""
    return tuple(c for c in _SHIFT_DAY_COLUMNS if c in spec.table.c) if spec.shift_day_of else ()


# --- parsing one column --------------------------------------------------------------------------

INT_LIMIT = 2**31 - 1  # INTEGER on PostgreSQL
NUL = "\x00"  # in no code, name or note of ours, and PostgreSQL cannot store it in text
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # ASCII digits only: "\d" also matches "١" and "１"
_TS = _DATE + (r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
               r"(?P<tz>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?")
_INT = r"[+-]?[0-9]{1,18}"
_FLOAT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"

# The plant-plausible window (README "Sending data"): a timestamp from 2000-01-01 up to one day
# ahead of now (device clocks drift; anything further is a wrong clock or a typo), a date from
# 1900 (people joined long ago) to 2099. Every ingestion path judges by it, so no stored value
# can overflow pandas' nanosecond range (1677-2262) in a later job.
TS_MIN = datetime(2000, 1, 1)
TS_AHEAD = timedelta(days=1)
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2099, 12, 31)


def ts_window(now: datetime) -> tuple[datetime, datetime]:
    """The first and last plausible timestamp for a plant whose local time is `now`."""
    return TS_MIN, now + TS_AHEAD


def plausible_days(now: datetime) -> tuple[date, date]:
    """The production days a plausible timestamp can fall on (a night shift's day is the day
    before its morning hours: one day of slack below)."""
    lo, hi = ts_window(now)
    return lo.date() - timedelta(days=1), hi.date()


def window_text(now: datetime) -> str:
    lo, hi = ts_window(now)
    return f"{lo:%Y-%m-%d} to {hi:%Y-%m-%d %H:%M}"


def _window_reason(now: datetime) -> str:
    return f"outside {window_text(now)} (one day ahead of now)"


def _plant_now(plant_tz: str) -> datetime:
    return datetime.now(ZoneInfo(plant_tz)).replace(tzinfo=None)


def _checked(values: pd.Series, ok: pd.Series, reason: str) -> tuple[pd.Series, pd.Series]:
    """Typed values (null where bad) and the reason per bad cell (null where fine)."""
    ok = ok.fillna(False).astype(bool)
    return values.where(ok, None), pd.Series(np.where(ok, None, reason), index=values.index,
                                             dtype=object)


def _parse_int(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    ok = s.str.fullmatch(_INT)
    return _checked(pd.to_numeric(s.where(ok, "0")).astype(object), ok, "not a whole number")


def _parse_float(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    form = s.str.fullmatch(_FLOAT).fillna(False).astype(bool)
    values = pd.to_numeric(s.where(form, "nan"), errors="coerce")
    ok = form & values.notna() & np.isfinite(values.fillna(0))
    return _checked(values.astype(object), ok, "not a number")


def _parse_date(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    form = s.str.fullmatch(_DATE).fillna(False).astype(bool)
    year = pd.to_numeric(s.str[:4].where(form), errors="coerce")
    inside = form & year.between(DATE_MIN.year, DATE_MAX.year)
    values = pd.to_datetime(s.where(inside), format="%Y-%m-%d", errors="coerce")
    values, reasons = _checked(values.dt.date.astype(object), values.notna(),
                               "not a date (YYYY-MM-DD)")
    reasons[form & ~inside] = f"outside {DATE_MIN} to {DATE_MAX}"
    return values, reasons


def _parse_time(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    parts = s.str.extract(r"^([0-9]{1,2}):([0-9]{2})$")
    hh = pd.to_numeric(parts[0], errors="coerce")
    mm = pd.to_numeric(parts[1], errors="coerce")
    ok = (hh < 24) & (mm < 60)
    values = hh.fillna(0).astype(int).map("{:02d}".format) + ":" + parts[1].fillna("")
    return _checked(values.astype(object), ok, "not a time (HH:MM)")


def _parse_ts(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    """ISO 8601; naive is plant-local, an offset is converted to plant-local (SPEC section 2);
    inside the plant-plausible window (`ts_window`)."""
    form = s.str.extract(f"^(?P<all>{_TS})$")
    matched = form["all"].notna()
    # a year pandas cannot hold (before 1678, after 2261) is out of the window anyway
    year = pd.to_numeric(s.str[:4].where(matched), errors="coerce")
    matched &= year.between(1900, 2200)
    out_of_range = form["all"].notna() & ~matched
    with_offset = matched & form["tz"].notna()
    values = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    naive = matched & ~with_offset
    values[naive] = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
    if with_offset.any():
        # what metrics.calendar.to_plant_local does, vectorised: it goes value by value
        aware = pd.to_datetime(s[with_offset], format="ISO8601", errors="coerce", utc=True)
        values[with_offset] = aware.dt.tz_convert(plant_tz).dt.tz_localize(None)
    lo, hi = ts_window(now)
    out_of_range |= values.notna() & ((values < lo) | (values > hi))
    objects = pd.Series([None if pd.isna(v) else v.to_pydatetime() for v in values],
                        index=s.index, dtype=object)
    objects, reasons = _checked(objects, values.notna() & ~out_of_range,
                                "not an ISO 8601 timestamp")
    reasons[out_of_range] = _window_reason(now)
    return objects, reasons


def _parse_choice(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    values = s.str.lower().map({c.lower(): c for c in col.choices})
    return _checked(values.astype(object), values.notna(), f"not one of {', '.join(col.choices)}")


def _parse_weekdays(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    canonical = {d.lower(): d for d in DAYS}

    def one(value: str):
        days = [canonical.get(part.strip().lower()) for part in value.split(";")]
        return None if None in days else ";".join(days)
    values = s.map(one)
    return _checked(values.astype(object), values.notna(),
                f"not weekdays like Fri or Sat;Sun ({'/'.join(DAYS)})")


def _parse_text(s: pd.Series, col: Col, plant_tz: str, now: datetime):
    return _checked(s.astype(object), ~s.str.contains(NUL, regex=False),
                    "contains a NUL character")


_PARSERS = {"int": _parse_int, "float": _parse_float, "date": _parse_date, "time": _parse_time,
            "ts": _parse_ts, "choice": _parse_choice, "weekdays": _parse_weekdays,
            "text": _parse_text}


def parse_column(spec: FileSpec, col: Col, raw: pd.Series, plant_tz: str,
                 now: datetime | None = None) -> tuple[pd.Series, pd.Series]:
    """Typed values of one column (default where blank) and a reason per bad cell.

    `raw` holds trimmed strings. Bad cells get a reason ending in the offending value; blank cells
    are fine unless the column is required. Timestamps must fall in `ts_window(now)` (`now`:
    plant-local, the current time when not given).
    """
    now = now or _plant_now(plant_tz)
    blank = raw.eq("")
    s = raw[~blank]
    if s.empty:  # every cell blank (some parsers cannot take an empty column)
        values = reasons = pd.Series([], index=s.index, dtype=object)
    else:
        values, reasons = _PARSERS[col.kind](s, col, plant_tz, now)
    reasons = reasons.copy()
    fine = reasons.isna()
    if col.kind in ("int", "float"):
        number = pd.to_numeric(values.where(fine), errors="coerce")
        for bad, reason in _bounds(col, number):
            reasons[fine & bad] = reason
            fine = reasons.isna()
    length = getattr(spec.table.c[col.name].type, "length", None)
    if length and col.kind in ("text", "choice"):
        reasons[fine & s.str.len().gt(length)] = f"longer than {length} characters"
    bad = reasons.notna()
    reasons[bad] = [f"{col.code + ': ' if col.code else ''}{reason}: '{_shown(value)}'"
                    for reason, value in zip(reasons[bad], s[bad])]

    required = spec.is_required(col)
    filled = ~blank.to_numpy()
    out_values = np.full(len(raw), None if required else spec.default(col.name), dtype=object)
    out_values[filled] = values.where(reasons.isna(), None).to_numpy(dtype=object)
    out_reasons = np.full(len(raw), "missing value" if required else None, dtype=object)
    out_reasons[filled] = reasons.to_numpy(dtype=object)
    return (pd.Series(out_values, index=raw.index, dtype=object),
            pd.Series(out_reasons, index=raw.index, dtype=object))


def _shown(value: str) -> str:
    """A bad value as a reason quotes it: a NUL spelled out, so the reason can be stored."""
    return value.replace(NUL, "\\0")


def _bounds(col: Col, number: pd.Series):
    if col.min is not None:
        yield number < col.min, ("must not be negative" if col.min == 0 else
                                 f"must be at least {col.min:g}")
    if col.positive:
        yield number <= 0, "must be greater than 0"
    limit = col.max if col.max is not None else (INT_LIMIT if col.kind == "int" else None)
    if limit is not None:
        yield number > limit, f"must be at most {limit:g}" if limit < 1e6 else "too large"


# --- judging one JSON value ----------------------------------------------------------------------

SLOW = object()  # "not plainly valid: let parse_column judge it"
_QUICK_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}"
                       r"(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_QUICK_DATE = re.compile(_DATE)
_QUICK_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")


def quick_parser(spec: FileSpec, col: Col, plant_tz: str, now: datetime
                 ) -> Callable[[object], object]:
    """A function from one JSON value of `col` to its typed value, or SLOW.

    It accepts only what `parse_column` plainly accepts and gives the same value (the ingestion
    endpoints take it for the common case of well-formed items, and hand everything else to
    `parse_column`, which stays the one judge of what is wrong and why); tests/test_data_api.py
    checks the two agree on random values.
    """
    required = spec.is_required(col)
    default = None if required else spec.default(col.name)
    length = getattr(spec.table.c[col.name].type, "length", None) or 10**9
    low = col.min if col.min is not None else -float("inf")
    high = col.max if col.max is not None else (INT_LIMIT if col.kind == "int" else float("inf"))
    positive = col.positive
    kind = col.kind
    tz = ZoneInfo(plant_tz)
    ts_lo, ts_hi = ts_window(now)
    choices = frozenset(col.choices)

    def blank():
        return SLOW if required else default

    def text(value):
        if value is None or value == "":
            return blank()
        if type(value) is not str or len(value) > length or NUL in value \
                or value != value.strip():
            return SLOW
        return value

    floats = kind == "float"
    infinite = float("inf")

    def number(value):
        t = type(value)
        if t is int:
            pass
        elif t is float and floats:
            if not -infinite < value < infinite:  # NaN fails both comparisons
                return SLOW
        elif value is None:
            return blank()
        else:
            return SLOW
        if value < low or value > high or (positive and value <= 0):
            return SLOW
        return float(value) if floats else value

    def day(value):
        if value is None or value == "":
            return blank()
        if type(value) is not str or not _QUICK_DATE.fullmatch(value):
            return SLOW
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return SLOW
        return d if DATE_MIN <= d <= DATE_MAX else SLOW

    def ts(value):
        if value is None or value == "":
            return blank()
        if type(value) is not str or not _QUICK_TS.fullmatch(value):
            return SLOW
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return SLOW
        if when.tzinfo is not None:
            when = when.astimezone(tz).replace(tzinfo=None)
        return when if ts_lo <= when <= ts_hi else SLOW

    def clock(value):
        if value is None or value == "":
            return blank()
        return value if type(value) is str and _QUICK_TIME.fullmatch(value) else SLOW

    def choice(value):
        if value is None or value == "":
            return blank()
        return value if type(value) is str and value in choices else SLOW

    def other(value):
        return blank() if value is None or value == "" else SLOW

    return {"text": text, "int": number, "float": number, "date": day, "ts": ts,
            "time": clock, "choice": choice}.get(kind, other)
