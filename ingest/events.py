"""Camera-event ingestion (SPEC section 6): every event stored exactly once.

Items are validated by the one ingestion path (`ingest.datasets`, the CSV import's column rules),
which derives each event's production day, shift and line and then hands the rows here.
Idempotency rests on the primary key: every row goes in with INSERT ... ON CONFLICT (event_id)
DO NOTHING, and the duplicates are counted from the rows the database actually inserted, which
stays right when several clients post overlapping batches at once. An event without event_id
gets the content hash `csv_rules.event_id_for` gives it on import.
"""
from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.exc import OperationalError

from data import db, schema
from ingest import rollups

log = logging.getLogger(__name__)

MAX_BATCH = 10_000
REQUIRED = ("ts", "emp_code", "station_code", "event_type")  # a worker at a station, at a time
COLUMNS = [c.name for c in schema.events.columns]
_DEADLOCK_RETRIES = 3


def ingest(engine, items: list, plant_tz: str, now: datetime | None = None):
    """Validate `items` and store the valid ones once each (`datasets.ingest_items` for events);
    the data version moves when any row was new. Bad items are listed in the result."""
    from ingest.datasets import ingest_items  # it stores events through this module
    now = now or datetime.now(ZoneInfo(plant_tz)).replace(tzinfo=None)
    return ingest_items(engine, "events", items, plant_tz=plant_tz, now=now, source="events")


def store(engine, rows: pd.DataFrame) -> int:
    """Insert the rows whose event_id is new, in a transaction of their own (`store_in`); return
    how many went in."""
    return retrying(engine, lambda conn: store_in(conn, rows))[0]


def store_in(conn, rows: pd.DataFrame) -> tuple[int, int | None]:
    """Insert the rows whose event_id is new in the transaction of `conn`; return how many and
    the data version that made (None when none was new).

    PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING
    in event_id order (two batches that share ids then lock them in the same order and cannot
    deadlock). SQLite: one executemany of INSERT ... ON CONFLICT DO NOTHING. The days stored are
    marked stale for the rollups and the data version moves when any row was new.
    """
    if conn.dialect.name == "postgresql":
        inserted = PG_STORES[PG_STORE](conn, rows)
    else:
        inserted = _store_sqlite(conn, rows)
    if not inserted:
        return 0, None
    rollups.mark_stale(conn, rows["date"].unique())
    return inserted, db.bump_data_version(conn)


def retrying(engine, work: Callable):
    """`work(conn)` in one transaction, tried again after a deadlock or a busy SQLite file."""
    for attempt in range(_DEADLOCK_RETRIES):
        try:
            with engine.begin() as conn:
                return work(conn)
        except OperationalError as err:
            if attempt == _DEADLOCK_RETRIES - 1:
                raise
            log.warning("storing events failed (%s); retrying", err.orig)
            time.sleep(0.05 * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises


def _store_sqlite(conn, rows: pd.DataFrame) -> int:
    records = db.plain_rows(rows, schema.events, COLUMNS)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO events ({names}) VALUES ({marks}) ON CONFLICT (event_id) DO NOTHING"
    before = conn.connection.dbapi_connection.total_changes
    conn.exec_driver_sql(sql, records)
    return conn.connection.dbapi_connection.total_changes - before


def _store_postgresql_values(conn, rows: pd.DataFrame) -> int:
    """One multi-row INSERT ... VALUES ... ON CONFLICT DO NOTHING (psycopg2's execute_values,
    one page: one statement, so rowcount is every row inserted), rows in event_id order."""
    from psycopg2.extras import execute_values
    rows = rows.sort_values("event_id", kind="stable").drop_duplicates("event_id")
    records = db.plain_rows(rows, schema.events, COLUMNS)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        execute_values(cursor, f"INSERT INTO events ({names}) VALUES %s "
                               f"ON CONFLICT (event_id) DO NOTHING", records,
                       page_size=len(records))
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


def _store_postgresql(conn, rows: pd.DataFrame) -> int:
    buffer = io.StringIO(db.copy_csv(rows, schema.events, COLUMNS))
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS events_in "
                       "(LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        cursor.copy_expert(f"COPY events_in ({names}) FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(f"INSERT INTO events ({names}) SELECT DISTINCT ON (event_id) {names} "
                       f"FROM events_in ORDER BY event_id ON CONFLICT (event_id) DO NOTHING")
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


# PostgreSQL's storage step, measured both ways by bench/ingest_events.py (--store): COPY into a
# temporary table then INSERT ... SELECT, or one multi-row INSERT ... VALUES
PG_STORES = {"copy": _store_postgresql, "values": _store_postgresql_values}
PG_STORE = "copy"
