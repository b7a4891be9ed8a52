"""Import a folder of CSV files (SPEC section 2): check every row of every file, then write all
of it in one transaction or nothing at all.

The rules per file live in `ingest.csv_rules`; this module reads the files, applies those rules,
checks codes against the import and the database, fills the derived columns (production day,
shift, hour, the station's line) and writes. Every import, good or bad, leaves one row in
`imports` with its row counts and errors.

Errors read `file:line: column: reason`. The line is the physical line in the file (the header
is line 1, which is also where errors about the whole file go); line 0 and the folder's name stand
for errors about the folder itself; the column is `-` where no one column is to blame.
"""
from __future__ import annotations

import io
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from data import db, schema
from ingest import history, rollups, staging
from ingest.csv_rules import BY_FILENAME, BY_NAME, FILES, FileSpec, parse_column, shift_day_columns
from metrics.calendar import assign_shift_day

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass
class ImportReport:
    ok: bool
    row_counts: dict[str, int] = field(default_factory=dict)  # file name -> data rows read
    errors: list[str] = field(default_factory=list)  # "file:line: column: reason", the first
    error_count: int = 0  # history.MAX_ERRORS of error_count
    duration_s: float = 0.0
    import_id: int | None = None  # the row in `imports`


@dataclass
class _File:
    spec: FileSpec
    name: str  # as spelled in the folder
    line: pd.Series  # physical line number of each row (the header is line 1)
    data: pd.DataFrame  # typed values of the columns the file has


class _Errors:
    """Every error of an import, reported sorted by file (dependency order) and line."""

    def __init__(self, shown_as: dict[str, str] | None = None) -> None:
        self._items: list[tuple[int, int, int, str]] = []
        self._shown_as = shown_as or {}  # file name -> the name errors give (an upload's sheet)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def add(self, filename: str, line: int, column: str, reason: str) -> None:
        spec = BY_FILENAME.get(filename.lower())
        rank = FILES.index(spec) if spec else len(FILES)
        shown = self._shown_as.get(filename, filename)
        self._items.append((rank, int(line), len(self._items), f"{shown}:{line}: {column}: "
                                                                f"{reason}"))

    def add_rows(self, f: _File, column: str, reasons: pd.Series) -> None:
        """One error per row whose reason is not null."""
        bad = reasons.notna()
        for line, reason in zip(f.line[bad], reasons[bad]):
            self.add(f.name, line, column, reason)

    def sorted(self, limit: int | None = None) -> list[str]:
        return [item[3] for item in sorted(self._items)[:limit]]


def import_folder(engine: Engine, folder, *, plant_tz: str = "Asia/Dhaka",
                  username: str | None = None, progress: Progress | None = None,
                  kind: str = "csv", source: str | None = None,
                  shown_as: dict[str, str] | None = None) -> ImportReport:
    """Import every known CSV file in `folder`; all or nothing. See SPEC section 2.

    `progress(fraction, message)`, when given, is called as the work advances (for a progress bar).
    An upload (ingest/upload.py) stages its files in a folder and names itself: `kind` and
    `source` for the history, `shown_as` {file name: name in errors} for a workbook's sheets.
    The report keeps the first history.MAX_ERRORS errors and counts them all.
    """
    started, t0 = _now(plant_tz), time.perf_counter()
    step = {"now": "starting"}  # what the import was doing, for the log if it fails

    def report_progress(fraction: float, message: str) -> None:
        step["now"] = message
        if progress is not None:
            progress(fraction, message)

    errors = _Errors(shown_as)
    files: list[_File] = []
    try:
        files = _validate(engine, Path(folder), plant_tz, errors, report_progress)
        if not errors:
            _write(engine, files, report_progress)
    except Exception as exc:  # noqa: BLE001 - reported in the import history, logged in full
        log.exception("CSV import of %s failed unexpectedly while %s", folder, step["now"])
        errors.add(source or Path(folder).name or str(folder), 0, "-",
                   f"unexpected error, nothing was written: {type(exc).__name__}: {exc}")
    report = ImportReport(
        ok=not errors, row_counts={f.name: len(f.data) for f in files},
        errors=errors.sorted(history.MAX_ERRORS), error_count=len(errors),
        duration_s=time.perf_counter() - t0,
    )
    report.import_id = history.record_import(
        engine, kind=kind, source=source or folder, username=username, started=started,
        finished=_now(plant_tz), ok=report.ok, row_counts=report.row_counts, errors=report.errors,
        error_count=report.error_count)
    log.info("%s import of %s: %s, %s rows, %d errors in %.2f s", kind, source or folder,
             "ok" if report.ok else "failed", sum(report.row_counts.values()),
             report.error_count, report.duration_s)
    report_progress(1.0, "done" if report.ok else "failed")
    return report


# --- validation ----------------------------------------------------------------------------------


def _validate(engine: Engine, folder: Path, plant_tz: str, errors: _Errors,
              progress: Progress) -> list[_File]:
    paths = _find_files(folder, errors)
    files = []
    for i, (spec, path) in enumerate(paths):
        progress(0.5 * i / max(len(paths), 1), f"checking {path.name}")
        f = _read(spec, path, errors)
        if f is not None:
            _check_rows(f, plant_tz, errors)
            files.append(f)
    progress(0.5, "checking codes")
    with engine.connect() as conn:
        known = _known_keys(conn, files)
    _check_references(files, known, errors)
    return files


def _find_files(folder: Path, errors: _Errors) -> list[tuple[FileSpec, Path]]:
    """The known CSV files of the folder in dependency order; any other .csv is an error."""
    if not folder.is_dir():
        errors.add(folder.name or str(folder), 0, "-", f"not a folder: {folder}")
        return []
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        spec = BY_FILENAME.get(path.name.lower())
        if spec is None:
            errors.add(path.name, 1, "-", "unknown file; expected one of "
                       + ", ".join(s.filename for s in FILES))
        elif spec.name in found:
            errors.add(path.name, 1, "-", f"same file as {found[spec.name].name}")
        else:
            found[spec.name] = path
    if not found and not errors:
        errors.add(folder.name or str(folder), 0, "-", "no CSV files to import")
    return [(spec, found[spec.name]) for spec in FILES if spec.name in found]


def _read(spec: FileSpec, path: Path, errors: _Errors) -> _File | None:
    """The file's trimmed strings, blank lines dropped, each row with its physical line number."""
    content = path.read_bytes()
    try:
        # header=None: a row with more fields than the header is an error, not a shifted row
        raw = pd.read_csv(io.BytesIO(content), header=None, dtype=str, keep_default_na=False,
                          skip_blank_lines=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.add(path.name, 1, "-", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except pd.errors.EmptyDataError:
        errors.add(path.name, 1, "-", "empty file: no header row")
        return None
    except pd.errors.ParserError as exc:
        where = re.search(r"line (\d+)", str(exc))
        reason = str(exc).split("error: ")[-1].strip()
        errors.add(path.name, int(where.group(1)) if where else 1, "-", f"not valid CSV: {reason}")
        return None
    raw = raw.fillna("").astype(str)
    line = pd.Series(np.arange(1, len(raw) + 1), index=raw.index)
    if b'"' in content:
        # A quoted value may span lines: count its line breaks so later rows keep their number.
        breaks = sum(raw[c].str.count("\n") for c in raw.columns)
        line += pd.Series(breaks, index=raw.index).cumsum().shift(fill_value=0)
    raw = raw.apply(lambda column: column.str.strip())
    # a trailing comma on every line (as spreadsheets write) makes an empty, nameless column
    raw = raw.loc[:, raw.iloc[0].ne("") | raw.iloc[1:].ne("").any()]
    header = list(raw.iloc[0])
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        errors.add(path.name, 1, ",".join(twice), "column named twice in the header")
        return None
    raw = raw.iloc[1:].set_axis(header, axis=1)
    blank = raw.eq("").all(axis=1)
    return _File(spec, path.name, line[raw.index[~blank]].astype(int), raw[~blank])


def _check_rows(f: _File, plant_tz: str, errors: _Errors) -> None:
    """Header, types and bounds, row checks and duplicate keys; `f.data` becomes typed values."""
    spec, raw = f.spec, f.data
    known = {c.name for c in spec.columns}
    for column in raw.columns:
        if column not in known:
            errors.add(f.name, 1, column or "-",
                       "unknown column" if column else "a column without a name has values")
    missing = [c.name for c in spec.columns if spec.is_required(c) and c.name not in raw]
    if missing:
        errors.add(f.name, 1, ",".join(missing),
                   "missing required column" + ("s" if len(missing) > 1 else ""))
    data = pd.DataFrame(index=raw.index)
    for col in spec.columns:
        if col.name in raw:
            data[col.name], reasons = parse_column(spec, col, raw[col.name], plant_tz)
            errors.add_rows(f, col.name, reasons)
    if not missing:
        for check in spec.checks:
            for bad, column, reason in check(data):
                errors.add_rows(f, column, pd.Series(reason, index=bad.index).where(bad))
        if spec.fill_key is not None:
            (key_column,) = spec.key
            made = data[key_column].isna()
            data[key_column] = spec.fill_key(data)
            # a row keyed by its content that repeats an earlier row is the same fact sent twice:
            # a duplicate, left out as the ingestion API does (ingest.events), not an error
            keep = ~(made & data[key_column].notna() & data[key_column].duplicated())
            data, f.line = data[keep], f.line[keep]
        _check_duplicates(f, data, errors)
    for name, value in spec.constants.items():
        data[name] = value
    f.data = data


def _check_duplicates(f: _File, data: pd.DataFrame, errors: _Errors) -> None:
    key = list(f.spec.key)
    keys = data.loc[data[key].notna().all(axis=1), key]
    again = keys.duplicated(keep="first")
    if not again.any():
        return
    first_line = f.line[keys.index].groupby([keys[c] for c in key], sort=False).transform("first")
    for index in keys.index[again]:
        shown = "/".join(str(v) for v in keys.loc[index])
        errors.add(f.name, f.line[index], ",".join(key),
                   f"duplicate key {shown} (first on line {first_line[index]})")


def _known_keys(conn, files: list[_File]) -> dict[str, set]:
    """Keys of every file some code refers to: those in this import plus those in the database."""
    by_name = {f.spec.name: f for f in files}
    targets = {c.ref for f in files for c in f.spec.columns if c.ref and c.name in f.data}
    known = {}
    for name in targets:
        (key,) = BY_NAME[name].key
        table = BY_NAME[name].table
        known[name] = set(conn.execute(select(table.c[key])).scalars())
        if name in by_name and key in by_name[name].data:
            known[name].update(by_name[name].data[key].dropna())
    return known


def _check_references(files: list[_File], known: dict[str, set], errors: _Errors) -> None:
    for f in files:
        for col in f.spec.columns:
            if col.ref and col.name in f.data:
                values = f.data[col.name]
                unknown = values[values.notna() & ~values.isin(known[col.ref])]
                errors.add_rows(f, col.name, unknown.map(f"unknown {col.name} '{{}}'".format)
                                .reindex(values.index))


# --- writing -------------------------------------------------------------------------------------


def _write(engine: Engine, files: list[_File], progress: Progress) -> None:
    """Derived columns, then every table in dependency order, the rollups and the data
    version: one transaction. The rows wait in `ingest.staging` first (on SQLite a side
    database, with the import's line_day days computed there too, so that the one transaction,
    which holds SQLite's write lock, only copies them across)."""
    line_days: set = set()  # days whose production, checks or defects this import writes
    operator_days: set = set()  # days whose operator output it writes
    with staging.stage(engine) as stage:
        shifts, station_lines = _calendar(stage.conn, files)
        derived = []
        for i, f in enumerate(files):
            progress(0.5 + 0.3 * i / len(files), f"preparing {f.spec.table.name}")
            data = _derive(f, shifts, station_lines)
            stage.put(f.spec.table, _records(data))
            days = data["date"].unique() if "date" in data else ()
            derived.append((f.spec.table, days))
            if f.spec.table.name in rollups.LINE_DAY_FACTS:
                line_days.update(days)
            if f.spec.table is schema.operator_output:
                operator_days.update(days)
        if line_days:
            progress(0.8, "preparing the daily rollups")
            stage.prepare_line_day(line_days)
        touched = {f.spec.table.name for f in files}
        t0 = time.perf_counter()
        with stage.transaction() as conn:
            for i, (table, days) in enumerate(derived):
                progress(0.82 + 0.16 * i / len(derived), f"writing {table.name}")
                stage.write(table)
                if table is schema.events:
                    rollups.mark_stale(conn, days)
            t1 = time.perf_counter()
            if line_days:
                if not stage.write_line_day(line_days):
                    rollups.rebuild_line_day(conn, line_days, tables=touched)
                elif "defects" in touched:  # line_day came staged; its defect months did not
                    rollups.rebuild_months(conn, schema.defect_month, line_days)
            if operator_days:
                rollups.rebuild_operator_month(conn, operator_days)
            _finish(conn, touched, progress)
        log.info("import transaction: %.2f s (rows %.2f s, rollups and version %.2f s)",
                 time.perf_counter() - t0, t1 - t0, time.perf_counter() - t1)


def _finish(conn, touched: set[str], progress: Progress) -> None:
    """In the import's transaction: the utilisation rollups of what it wrote (the tables
    `touched`), and the data version."""
    if "shifts" in touched:  # shift ends cap every state: all days change
        rollups.mark_all_stale(conn)
    if touched & {"events", "shifts"}:
        progress(0.98, "building the daily rollups")
        rollups.refresh(conn)
    db.bump_data_version(conn)


def _calendar(conn, files: list[_File]) -> tuple[pd.DataFrame, dict]:
    """Shifts and the station -> line map as they will be once this import is in."""
    shifts = {row.shift_code: row for row in conn.execute(
        select(schema.shifts.c.shift_code, schema.shifts.c.start, schema.shifts.c.end))}
    stations = {row.station_code: row.line_code for row in conn.execute(
        select(schema.stations.c.station_code, schema.stations.c.line_code))}
    for f in files:
        if f.spec.name == "shifts":
            shifts.update({row.shift_code: row for row in f.data.itertuples()})
        if f.spec.name == "stations" and "line_code" in f.data:
            stations.update(zip(f.data["station_code"], f.data["line_code"]))
    frame = pd.DataFrame([(r.shift_code, r.start, r.end) for r in shifts.values()],
                         columns=["shift_code", "start", "end"])
    return frame, stations


def _derive(f: _File, shifts: pd.DataFrame, station_lines: dict) -> pd.DataFrame:
    """Production day, shift and hour of the file's timestamp; an event's line is its station's."""
    data = f.data.copy()
    columns = shift_day_columns(f.spec)
    if columns:
        day = assign_shift_day(data[f.spec.shift_day_of], shifts)
        for column in columns:
            data[column] = day[column].to_numpy()
    if f.spec.name == "events":
        data["line_code"] = data["station_code"].map(station_lines) \
            if "station_code" in data else None
    return data


def _records(data: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, null as None (what DBAPI drivers accept)."""
    columns = [data[c].astype(object).where(data[c].notna(), None).tolist() for c in data]
    return [dict(zip(data.columns, values)) for values in zip(*columns)]


# --- bookkeeping ---------------------------------------------------------------------------------


def _now(plant_tz: str) -> datetime:
    return datetime.now(ZoneInfo(plant_tz)).replace(tzinfo=None)
