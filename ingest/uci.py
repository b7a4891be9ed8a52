"""Import the UCI "Productivity Prediction of Garment Employees" file into line_daily.

Dataset: UCI Machine Learning Repository, dataset 597, DOI 10.24432/C51S6D, CC BY 4.0.
Team N of department D becomes line `D-N` (D trimmed, the file's `sweing` read as `sewing`);
dates are M/D/YYYY; a blank wip is null. Every row is checked first: any bad row and nothing is
written (the errors say `file:line: column: reason`). Re-importing updates rows by (date, line).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data import db, schema
from ingest import history

REQUIRED = ["date", "department", "team", "targeted_productivity", "smv", "wip", "over_time",
            "incentive", "idle_time", "idle_men", "no_of_style_change", "no_of_workers",
            "actual_productivity"]
DEPARTMENT_FIXES = {"sweing": "sewing"}
# line_daily column <- UCI column, for the numbers copied as they are
NUMBERS = {"smv": "smv", "operators": "no_of_workers",
           "target_productivity": "targeted_productivity",
           "actual_productivity": "actual_productivity", "overtime_min": "over_time",
           "idle_min": "idle_time", "idle_men": "idle_men", "wip": "wip",
           "incentive": "incentive"}
OPTIONAL_NUMBERS = {"wip"}  # blank in about 40 % of the rows: unknown, not 0


class UciImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class UciReport:
    rows: int = 0
    lines: int = 0
    dates: int = 0
    errors: list[str] = field(default_factory=list)


def read_uci(path) -> pd.DataFrame:
    """Parse and check the file into line_daily rows; raise UciImportError listing bad rows."""
    path = Path(path)
    name = path.name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise UciImportError([f"{name}: cannot read the file: {err}"]) from None
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise UciImportError([f"{name}:1: {c}: missing column" for c in missing])
    raw = raw.apply(lambda s: s.str.strip())
    errors: list[str] = []
    line_no = pd.Series(range(2, len(raw) + 2), index=raw.index)  # header is line 1

    def bad(mask, column, reason):
        errors.extend(f"{name}:{n}: {column}: {reason}" for n in line_no[mask])

    out = pd.DataFrame(index=raw.index)
    dates = pd.to_datetime(raw["date"], format="%m/%d/%Y", errors="coerce")
    bad(dates.isna(), "date", "not a M/D/YYYY date")
    out["date"] = dates.dt.date
    dept = raw["department"].str.lower().replace(DEPARTMENT_FIXES)
    bad(dept == "", "department", "empty")
    team = pd.to_numeric(raw["team"], errors="coerce")
    bad(team.isna() | (team != team.round()), "team", "not a whole number")
    out["line_code"] = dept + "-" + team.astype("Int64").astype(str)
    out["department"] = dept
    for column, source in NUMBERS.items():
        value = pd.to_numeric(raw[source], errors="coerce")
        may_be_blank = (raw[source] == "") & (column in OPTIONAL_NUMBERS)
        bad(value.isna() & ~may_be_blank, source, "not a number")
        out[column] = value
    changes = pd.to_numeric(raw["no_of_style_change"], errors="coerce")
    bad(changes.isna(), "no_of_style_change", "not a number")
    out["style_changes"] = changes.astype("Int64")
    dup = out.duplicated(["date", "line_code"], keep="first") & dates.notna()
    bad(dup, "team", "a second row for the same date, department and team")
    if errors:
        raise UciImportError(sorted(set(errors), key=_line_order))
    return out.reset_index(drop=True)


def _line_order(message: str):
    parts = message.split(":")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0, message)


def import_uci(engine: Engine, path, *, username: str | None = None) -> UciReport:
    """Read, check, then write everything in one transaction (or nothing)."""
    started = datetime.now()
    report = UciReport()
    try:
        rows = read_uci(path)
    except UciImportError as err:
        report.errors = err.errors
        _record(engine, path, username, started, report)
        return report
    records = [{k: (None if pd.isna(v) else v) for k, v in row.items()}
               for row in rows.astype(object).to_dict("records")]
    lines = [{"line_code": code, "name": f"{dept.title()} team {code.rsplit('-', 1)[1]}",
              "department": dept.title()}
             for code, dept in rows[["line_code", "department"]].drop_duplicates().itertuples(
                 index=False)]
    with engine.begin() as conn:
        db.insert_ignore(conn, schema.lines, lines)  # so the filter bar and API know them
        db.upsert(conn, schema.line_daily, records)
        db.bump_data_version(conn)
    report.rows, report.lines, report.dates = (len(rows), rows["line_code"].nunique(),
                                               rows["date"].nunique())
    _record(engine, path, username, started, report)
    return report


def _record(engine: Engine, path, username, started, report: UciReport) -> None:
    history.record_import(engine, kind="uci", source=path, username=username, started=started,
                          finished=datetime.now(), ok=not report.errors,
                          row_counts={"line_daily": report.rows}, errors=report.errors)
