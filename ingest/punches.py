"""Storing raw punches from the ZKTeco attlog importer (the ingestion API's punches go through
`ingest.datasets`, keyed and stored the same way).

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

from data import schema

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
