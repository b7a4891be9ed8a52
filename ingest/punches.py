"""Storing raw punches from the ZKTeco attlog importer (the ingestion API's punches go through
`ingest.datasets`, keyed and stored the same way).

A punch is keyed by (emp_code, ts, direction): the same punch sent twice is a duplicate, counted
and not stored again, so retries are safe. Punches are stored as they come (the attendance engine
drops the 60-second doubles when it reads them) with received_at = now and processed = null, so
the next `process-attendance` recomputes their days.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select

from sqlalchemy.dialects import postgresql, sqlite

from data import db, schema
from ingest.csv_rules import NUL

P = schema.punches
E = schema.employees
DIRECTIONS = ("IN", "OUT", "BOTH")
KEY = ["emp_code", "ts", "direction"]


def device_user_map(conn) -> dict[str, str]:
    """device_user_id -> emp_code (the first employee by code when two share an id)."""
    rows = conn.execute(select(E.c.device_user_id, E.c.emp_code)
                        .where(E.c.device_user_id.is_not(None)).order_by(E.c.emp_code)).all()
    out: dict[str, str] = {}
    for device_user_id, emp_code in rows:
        out.setdefault(str(device_user_id).strip(), emp_code)
    return out


def known_employees(conn, emp_codes) -> set[str]:
    codes = sorted({c for c in emp_codes if c})
    found: set[str] = set()
    for i in range(0, len(codes), 500):
        found |= set(conn.execute(select(E.c.emp_code).where(
            E.c.emp_code.in_(codes[i:i + 500]))).scalars())
    return found


def store(conn, punches: pd.DataFrame, received_at: datetime) -> tuple[int, int]:
    """Insert punches (emp_code, ts, direction, device_id) that are new; (accepted, duplicates).

    Duplicates within the batch and punches already stored are counted, not stored again.
    """
    if punches.empty:
        return 0, 0
    df = punches[KEY + ["device_id"]].copy()
    df["ts"] = pd.to_datetime(df["ts"]).astype("datetime64[us]")
    unique = df.drop_duplicates(KEY, keep="first")
    existing = _existing_keys(conn, unique)
    keys = list(zip(unique["emp_code"], unique["ts"].dt.to_pydatetime(), unique["direction"]))
    new_mask = [k not in existing for k in keys]
    new = unique[new_mask]
    rows = [{"emp_code": e, "ts": t, "direction": d,
             "device_id": None if dev is None or dev != dev else str(dev),
             "received_at": received_at, "processed": None, "unmatched": None}
            for e, t, d, dev in zip(new["emp_code"], new["ts"].dt.to_pydatetime(),
                                    new["direction"], new["device_id"])]
    accepted = _insert_new(conn, rows)
    return accepted, len(df) - accepted


def _insert_new(conn, rows: list[dict], chunk: int = 5000) -> int:
    """Insert rows whose key was not found; a concurrent writer's copy is skipped, not an error."""
    if not rows:
        return 0
    stmt = (postgresql.insert(P) if conn.dialect.name == "postgresql"
            else sqlite.insert(P)).on_conflict_do_nothing(index_elements=KEY)
    for i in range(0, len(rows), chunk):
        conn.execute(stmt, rows[i:i + chunk])
    return len(rows)


def _existing_keys(conn, df: pd.DataFrame) -> set[tuple]:
    """Keys of `df` already stored (read per employee over the batch's time span)."""
    if df.empty:
        return set()
    lo, hi = df["ts"].min().to_pydatetime(), df["ts"].max().to_pydatetime()
    codes = sorted(df["emp_code"].unique())
    found: set[tuple] = set()
    for i in range(0, len(codes), 500):
        stmt = select(P.c.emp_code, P.c.ts, P.c.direction).where(
            P.c.emp_code.in_(codes[i:i + 500]), P.c.ts.between(lo, hi))
        found |= {(e, pd.Timestamp(t).to_pydatetime(), d) for e, t, d in conn.execute(stmt)}
    return found



# --- manual punches (SPEC section 10) ------------------------------------------------------------

MAX_REASON = 500


class ManualPunchError(ValueError):
    """A manual punch that cannot be stored: status, code and message for the API."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def enter_manual(engine, item, *, username: str, plant_tz: str, now: datetime,
                 default_shift: str | None = None) -> dict:
    """HR corrects a forgotten punch: {emp_code, ts, direction, reason} checked by the same rules
    as every ingested punch, stored marked manual with its reason and who entered it, its days
    recomputed (the day before and after too: windows reach across midnight) and an audit row —
    one transaction. Returns the punch and the days recomputed."""
    from ingest import datasets
    from ingest.attendance import process_attendance

    if not isinstance(item, dict):
        raise ManualPunchError(400, "bad_json", "Send one punch: {emp_code, ts, direction, "
                               "reason}.")
    reason = item.get("reason")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or NUL in reason:
        raise ManualPunchError(400, "bad_punch", "reason: say why the punch is entered by hand.")
    if len(reason) > MAX_REASON:
        raise ManualPunchError(400, "bad_punch", f"reason: at most {MAX_REASON} characters.")
    if item.get("emp_code") in (None, ""):
        raise ManualPunchError(400, "bad_punch", "emp_code is required.")
    if str(item.get("direction") or "").strip().upper() not in ("IN", "OUT"):
        raise ManualPunchError(400, "bad_punch", "direction: IN or OUT.")
    with engine.begin() as conn:
        # the rules of every ingested punch (ingest/datasets.py: one validation for all paths)
        rows, reasons = datasets.validate(conn, "punches", [{k: item.get(k) for k in (
            "emp_code", "ts", "direction")}], plant_tz=plant_tz, now=now)
        if reasons:
            problem = reasons[0]
            unknown = problem.startswith("emp_code: unknown")
            raise ManualPunchError(404 if unknown else 400,
                                   "unknown_employee" if unknown else "bad_punch", problem)
        punch = rows.iloc[0].to_dict()
        ts = pd.Timestamp(punch["ts"]).to_pydatetime()
        stored = _existing_keys(conn, pd.DataFrame([{**punch, "ts": pd.Timestamp(ts)}]))
        if (punch["emp_code"], ts, punch["direction"]) in stored:
            raise ManualPunchError(409, "punch_exists", f"{punch['emp_code']} has a "
                                   f"{punch['direction']} punch at {ts.isoformat()} already.")
        conn.execute(P.insert().values(
            emp_code=punch["emp_code"], ts=ts, direction=punch["direction"], device_id=None,
            received_at=now, processed=None, unmatched=None, manual=True,
            manual_reason=reason, entered_by=username))
        day = ts.date()
        report = process_attendance(engine, now, start=day - timedelta(days=1),
                                    end=day + timedelta(days=1),
                                    default_shift=default_shift, conn=conn)
        conn.execute(schema.audit_log.insert().values(
            ts=now.replace(microsecond=0), username=username, action="manual punch",
            details=json.dumps({"emp_code": punch["emp_code"], "ts": ts.isoformat(),
                                "direction": punch["direction"], "reason": reason},
                               sort_keys=True)))
        db.bump_data_version(conn)
    recomputed = [d.isoformat() for a, b in report.days
                  for d in pd.date_range(a, b).date]
    return {"punch": {"emp_code": punch["emp_code"], "ts": ts.isoformat(),
                      "direction": punch["direction"], "manual": True, "reason": reason,
                      "entered_by": username},
            "recomputed_days": recomputed}
