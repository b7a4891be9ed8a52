"""ZKTeco attlog.dat exports (SPEC section 2): parse, map device users, store every punch.

A line is tab separated: user id (space-padded), `YYYY-MM-DD HH:MM:SS` plant-local, device (verify
mode), state, then work code fields. State 0 = IN, 1 = OUT, 4 = overtime IN, 5 = overtime OUT;
any other state is BOTH (the engine alternates). The user id maps to employees.device_user_id; an
unknown id becomes a placeholder employee (following the default shift) so no punch is dropped.

The whole file is parsed first: any malformed line fails the import with `file:line: reason`
errors and nothing is written. Otherwise placeholders and punches go in one transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from data import db, schema
from ingest import history, punches
from ingest.csv_rules import ts_window

log = logging.getLogger(__name__)

STATES = {"0": "IN", "1": "OUT", "4": "IN", "5": "OUT"}
TS_FORMAT = "%Y-%m-%d %H:%M:%S"
PLACEHOLDER_PREFIX = "DEV-"


@dataclass
class AttlogReport:
    ok: bool
    lines: int = 0  # punch lines read
    accepted: int = 0
    duplicates: int = 0
    placeholders: list[str] = field(default_factory=list)  # emp_codes created
    errors: list[str] = field(default_factory=list)


def parse(text: str, name: str = "attlog.dat", now: datetime | None = None
          ) -> tuple[pd.DataFrame, list[str]]:
    """(punches with device_user_id, ts, direction, device_id, state; errors as file:line: ...).

    A timestamp outside the plant-plausible window of `now` (`csv_rules.ts_window`, the rule of
    every ingestion path; the current time when not given) is an error of its line."""
    rows, errors = [], []
    lo, hi = ts_window(now or datetime.now())
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r").split("\t")
        user = fields[0].strip()
        if not user:
            errors.append(f"{name}:{number}: user id: is empty")
            continue
        if len(fields) < 2:
            errors.append(f"{name}:{number}: expected tab-separated user id and timestamp, "
                          f"got '{line.strip()[:60]}'")
            continue
        raw_ts = fields[1].strip()
        try:
            ts = datetime.strptime(raw_ts, TS_FORMAT)
        except ValueError:
            errors.append(f"{name}:{number}: timestamp: '{raw_ts[:40]}' is not "
                          f"YYYY-MM-DD HH:MM:SS")
            continue
        if not lo <= ts <= hi:
            errors.append(f"{name}:{number}: timestamp: '{raw_ts}' is outside {lo:%Y-%m-%d} to "
                          f"{hi:%Y-%m-%d %H:%M} (one day ahead of now)")
            continue
        if len(user) > schema.CODE - len(PLACEHOLDER_PREFIX):
            errors.append(f"{name}:{number}: user id: longer than "
                          f"{schema.CODE - len(PLACEHOLDER_PREFIX)} characters")
            continue
        state = fields[3].strip() if len(fields) > 3 else ""
        device = fields[2].strip() if len(fields) > 2 else ""
        rows.append((user, ts, STATES.get(state, "BOTH"), device or None, state))
    df = pd.DataFrame(rows, columns=["device_user_id", "ts", "direction", "device_id", "state"])
    return df, errors


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # old terminals write latin-1 names in work codes
        return raw.decode("latin-1")


def import_attlog(engine, path, *, now: datetime, username: str | None = None) -> AttlogReport:
    """Import one attlog file: all of it or, with any bad line, nothing."""
    path = Path(path)
    started = datetime.now()
    df, errors = parse(read_text(path), path.name, now)
    report = AttlogReport(ok=not errors, lines=len(df) + len(errors), errors=errors)
    if report.ok:
        with engine.begin() as conn:
            report.placeholders = _map_users(conn, df)
            report.accepted, report.duplicates = punches.store(conn, df, now)
            if report.accepted or report.placeholders:
                db.bump_data_version(conn)
    history.record_import(
        engine, kind="attlog", source=path, username=username, started=started,
        finished=datetime.now(), ok=report.ok, errors=report.errors,
        row_counts={path.name: report.lines, "accepted": report.accepted,
                    "duplicates": report.duplicates, "placeholders": len(report.placeholders)})
    return report


def _map_users(conn, df: pd.DataFrame) -> list[str]:
    """Fill df.emp_code from device_user_id, creating placeholders for unknown ids."""
    known = punches.device_user_map(conn)
    unknown = sorted(set(df["device_user_id"]) - set(known), key=_natural)
    created = []
    if unknown:
        taken = set(conn.execute(select(schema.employees.c.emp_code)).scalars())
        first_day = df.groupby("device_user_id")["ts"].min().dt.date
        rows = []
        for user in unknown:
            code = f"{PLACEHOLDER_PREFIX}{user}"
            n = 2
            while code in taken:
                code = f"{PLACEHOLDER_PREFIX}{user}-{n}"
                n += 1
            taken.add(code)
            known[user] = code
            created.append(code)
            rows.append({"emp_code": code, "name": f"Device user {user}",
                         "device_user_id": user, "is_placeholder": True,
                         "date_joined": first_day[user], "shift_code": None})
        conn.execute(schema.employees.insert(), rows)
    df["emp_code"] = df["device_user_id"].map(known)
    return created


def _natural(value: str):
    return (0, int(value), "") if value.isdigit() else (1, 0, value)
