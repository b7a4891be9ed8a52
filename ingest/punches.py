"""Storing raw punches: one path for the ingestion API and the ZKTeco attlog importer.

A punch is keyed by (emp_code, ts, direction): the same punch sent twice is a duplicate, counted
and not stored again, so retries are safe. Punches are stored as they come (the attendance engine
drops the 60-second doubles when it reads them) with received_at = now and processed = null, so
the next `process-attendance` recomputes their days.
"""
from __future__ import annotations

from datetime import datetime

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
