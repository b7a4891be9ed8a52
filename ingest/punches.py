"""Storing raw punches: one path for the ingestion API and the ZKTeco attlog importer.

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


# --- the ingestion API ---------------------------------------------------------------------------

MAX_BATCH = 10_000
FUTURE_SLACK = pd.Timedelta(hours=1)  # device clocks drift; a punch further ahead is an error


def ingest(engine, items: list, *, plant_tz: str, now: datetime) -> dict:
    """Validate and store API punches; SPEC section 7's answer {accepted, duplicates, rejected}.

    Each item is {emp_code or device_user_id, ts, direction, device_id}. Valid items are stored
    even when others fail; a rejected item is listed with its index and the reason.
    """
    from metrics.calendar import to_plant_local

    rejected: list[dict] = []
    valid: list[dict] = []
    with engine.begin() as conn:
        devices = device_user_map(conn)
        wanted = [str(it.get("emp_code")).strip() for it in items
                  if isinstance(it, dict) and it.get("emp_code") not in (None, "")
                  and NUL not in str(it.get("emp_code"))]
        known = known_employees(conn, wanted)
        for i, item in enumerate(items):
            reason, punch = _check(item, devices, known, plant_tz, now, to_plant_local)
            if reason:
                rejected.append({"index": i, "reason": reason})
            else:
                valid.append(punch)
        accepted, duplicates = store(conn, pd.DataFrame(valid, columns=KEY + ["device_id"]), now)
        if accepted:
            db.bump_data_version(conn)
    return {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}


def _check(item, devices, known, plant_tz, now, to_plant_local):
    """(reason, None) for a bad item, else (None, the punch)."""
    if not isinstance(item, dict):
        return "a punch must be an object", None
    for name in ("emp_code", "device_user_id", "device_id"):
        if NUL in str(item.get(name) or ""):
            return f"{name}: contains a NUL character", None
    emp = item.get("emp_code")
    emp = str(emp).strip() if emp not in (None, "") else None
    device_user = item.get("device_user_id")
    device_user = str(device_user).strip() if device_user not in (None, "") else None
    if emp is None and device_user is None:
        return "emp_code or device_user_id is required", None
    if emp is None:
        emp = devices.get(device_user)
        if emp is None:
            return f"unknown device_user_id '{device_user}'", None
    elif emp not in known:
        return f"unknown emp_code '{emp}'", None
    raw_ts = item.get("ts")
    if raw_ts in (None, ""):
        return "ts is required", None
    try:
        ts = to_plant_local([str(raw_ts)], plant_tz).iloc[0]
    except (ValueError, TypeError, OverflowError):
        ts = pd.NaT
    if pd.isna(ts):
        return f"ts must be an ISO 8601 timestamp, not '{raw_ts}'", None
    if ts > pd.Timestamp(now) + FUTURE_SLACK:
        return f"ts {ts.isoformat()} is in the future", None
    direction = str(item.get("direction") or "BOTH").strip().upper()
    if direction not in DIRECTIONS:
        return f"direction must be IN, OUT or BOTH, not '{item.get('direction')}'", None
    device = item.get("device_id")
    return None, {"emp_code": emp, "ts": ts, "direction": direction,
                  "device_id": None if device in (None, "") else str(device)[:64]}


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
    from ingest.attendance import process_attendance
    from metrics.calendar import to_plant_local

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
        known = known_employees(conn, [str(item["emp_code"]).strip()])
        problem, punch = _check({k: item.get(k) for k in ("emp_code", "ts", "direction")}, {},
                                known, plant_tz, now, to_plant_local)
        if problem:
            raise ManualPunchError(404 if problem.startswith("unknown emp_code") else 400,
                                   "unknown_employee" if problem.startswith("unknown") else
                                   "bad_punch", problem)
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
