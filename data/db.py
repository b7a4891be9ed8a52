"""Engine, schema creation, portable upsert and the data version that keys the cache."""
from __future__ import annotations

import csv
import io
import logging
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean, Date, DateTime, Engine, Integer, String, Table, cast, create_engine, event, func,
    select, text, update,
)
from sqlalchemy.dialects import postgresql, sqlite

from data import schema

log = logging.getLogger(__name__)

_ENGINES: dict[str, Engine] = {}


def _forget_pools_after_fork() -> None:
    """A forked child (gunicorn --preload, a multiprocessing fork) must open its own connections:
    sharing the parent's sockets mixes both processes' conversations."""
    for engine in _ENGINES.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools_after_fork)


def get_engine(database_url: str) -> Engine:
    """One engine per URL per process (engines own connection pools)."""
    engine = _ENGINES.get(database_url)
    if engine is None:
        engine = _make_engine(database_url)
        _ENGINES[database_url] = engine
    return engine


def _make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the importer
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.close()

        return engine
    # values_plus_batch: executemany of upserts goes out as multi-row VALUES / execute_batch
    # instead of one round trip per row (about 4x faster for imports).
    return create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         executemany_mode="values_plus_batch")


def create_schema(engine: Engine) -> list[str]:
    """Bring the schema to the newest migration (data/migrate.py): an empty database gets every
    table, an older one its missing revisions; at head it does nothing. Returns the revisions
    before and after.

    A new database also gets a random instance id, so that caches shared between databases (or
    kept across a database that was dropped and made again) never mix their results.
    """
    from data import migrate
    with engine.begin() as conn:
        lock_for_schema(conn)  # several gunicorn workers may start on an empty database at once
        revisions = migrate.upgrade(conn)
        insert_ignore(conn, schema.meta, [{"key": INSTANCE_ID_KEY, "value": uuid.uuid4().hex}])
    return revisions


SCHEMA_LOCK_KEY = 0x46505343  # "FPSC": any fixed number, the same in every process


def lock_for_schema(conn) -> None:
    """Hold the database's write lock until the transaction ends, so one process at a time
    changes the schema: PostgreSQL by an advisory lock (its DDL is transactional), SQLite by
    BEGIN IMMEDIATE (the others wait up to the engine's 30 s timeout)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def has_data(conn) -> bool:
    """True when any plant-data table holds at least one row."""
    for table in schema.DATA_TABLES:
        if conn.execute(select(1).select_from(table).limit(1)).first() is not None:
            return True
    return False


def upsert(conn, table: Table, rows: Sequence[Mapping], chunk: int = 5000) -> int:
    """Insert rows, updating those whose primary key exists (re-import updates, never duplicates).

    Uses INSERT ... ON CONFLICT (pk) DO UPDATE, which SQLite and PostgreSQL both speak.
    """
    if not rows:
        return 0
    dialect = conn.dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    pk = [c.name for c in table.primary_key.columns]
    columns = list(rows[0].keys())
    updatable = [c for c in columns if c not in pk]
    # SQLite limits bound parameters per statement; executemany sidesteps that entirely.
    stmt = insert_fn(table)
    if updatable:
        stmt = stmt.on_conflict_do_update(
            index_elements=pk, set_={c: stmt.excluded[c] for c in updatable}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=pk)
    for i in range(0, len(rows), chunk):
        conn.execute(stmt, list(rows[i:i + chunk]))
    return len(rows)


def upsert_rows(conn, table: Table, names: Sequence[str], rows: Sequence[tuple], *,
                update: bool = True) -> int:
    """`upsert` for many rows of plain Python values (`names` in each tuple's order, every
    primary-key column among them, no two rows with the same key), without SQLAlchemy's per-row
    work: PostgreSQL COPYs them into a temporary table and upserts from it in one statement;
    SQLite runs one executemany of the statement with the values in its storage forms.
    `update` False: a row whose key is stored already is left alone (DO NOTHING)."""
    if not rows:
        return 0
    pk = [c.name for c in table.primary_key.columns]
    quoted = ", ".join(f'"{n}"' for n in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n not in pk and update)
    keys = ", ".join(f'"{k}"' for k in pk)
    conflict = f"ON CONFLICT ({keys}) " + (f"DO UPDATE SET {updates}" if updates else
                                            "DO NOTHING")
    if conn.dialect.name == "postgresql":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)  # None: empty, read as NULL
        buffer.seek(0)
        staging = f"{table.name}_upsert_in"
        with conn.connection.dbapi_connection.cursor() as cursor:
            cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
                           f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS')
            cursor.copy_expert(f'COPY "{staging}" ({quoted}) FROM STDIN WITH (FORMAT csv)',
                               buffer)
            cursor.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM '
                           f'"{staging}" {conflict}')
            cursor.execute(f'TRUNCATE "{staging}"')
        return len(rows)
    stored = [_sqlite_form(table.c[n].type) for n in names]
    values = [tuple(v if f is None or v is None else f(v) for f, v in zip(stored, row))
              for row in rows]
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks}) {conflict}',
                         values)
    return len(rows)


def _sqlite_form(kind):
    """How SQLAlchemy stores a value of this type on SQLite (so bound values compare with it)."""
    if isinstance(kind, DateTime):
        return lambda v: v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(kind, Date):
        return lambda v: v.isoformat()
    if isinstance(kind, Boolean):
        return lambda v: int(bool(v))
    return None


def insert_ignore(conn, table: Table, rows: Sequence[Mapping]) -> int:
    """Insert rows whose primary key is new; return how many were inserted."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    pk = [c.name for c in table.primary_key.columns]
    stmt = insert_fn(table).on_conflict_do_nothing(index_elements=pk)
    result = conn.execute(stmt, list(rows))
    return max(result.rowcount, 0)


# --- bulk loading ---------------------------------------------------------------------------------

SQLITE_CHUNK = 50_000


def bulk_insert(conn, table: Table, frame: pd.DataFrame) -> int:
    """Append a DataFrame's rows to `table` as fast as the backend allows; return the row count.

    PostgreSQL: COPY FROM STDIN (CSV). SQLite: one executemany of plain tuples per 50,000 rows,
    inside the caller's transaction. Never row by row, never through SQLAlchemy's per-row dict
    processing. Columns of the table missing from the frame are left to their defaults; values
    are written in the forms SQLAlchemy itself uses (timestamps with microseconds on SQLite), so
    bound parameters compare with them as usual. A key conflict raises, as a plain INSERT would.
    """
    names = [c.name for c in table.columns if c.name in frame.columns]
    if frame.empty or not names:
        return 0
    quoted = ", ".join(f'"{n}"' for n in names)
    if conn.dialect.name == "postgresql":
        buffer = io.StringIO(copy_csv(frame, table, names))
        with conn.connection.dbapi_connection.cursor() as cursor:
            cursor.copy_expert(f'COPY "{table.name}" ({quoted}) FROM STDIN WITH (FORMAT csv)',
                               buffer)
        return len(frame)
    rows = plain_rows(frame, table, names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" for _ in names)})'
    for i in range(0, len(rows), SQLITE_CHUNK):
        conn.exec_driver_sql(sql, rows[i:i + SQLITE_CHUNK])
    return len(rows)


def bulk_insert_stream(conn, table: Table, frames: Iterable[pd.DataFrame]) -> int:
    """`bulk_insert` of a stream of frames (a day at a time, say); return the row count.

    PostgreSQL: one COPY for the whole stream, fed as the frames come, so the server parses one
    frame while Python makes the next (the two use both cores; a COPY per frame waits for the
    server at every frame's end). SQLite: `bulk_insert` frame by frame."""
    if conn.dialect.name != "postgresql":
        return sum(bulk_insert(conn, table, frame) for frame in frames)
    stream = _CsvStream(table, iter(frames))
    if not stream.names:
        return 0
    quoted = ", ".join(f'"{n}"' for n in stream.names)
    with conn.connection.dbapi_connection.cursor() as cursor:
        cursor.copy_expert(f'COPY "{table.name}" ({quoted}) FROM STDIN WITH (FORMAT csv)',
                           stream, size=1 << 20)
    return stream.rows


class _CsvStream:
    """A file-like reader of a stream of frames as COPY's CSV, made one frame at a time."""

    def __init__(self, table: Table, frames: Iterator[pd.DataFrame]):
        self.table, self.frames, self.rows = table, frames, 0
        self.text, self.at = "", 0
        self.first = next(self.frames, None)
        self.names = ([c.name for c in table.columns if c.name in self.first.columns]
                      if self.first is not None else [])

    def _next_frame(self) -> pd.DataFrame | None:
        if self.first is not None:
            frame, self.first = self.first, None
            return frame
        return next(self.frames, None)

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.text) - self.at < size:
            frame = self._next_frame()
            if frame is None:
                break
            if frame.empty:
                continue
            self.text = self.text[self.at:] + copy_csv(frame, self.table, self.names)
            self.at = 0
            self.rows += len(frame)
        end = len(self.text) if size < 0 else self.at + size
        out, self.at = self.text[self.at:end], min(end, len(self.text))
        return out


def copy_csv(frame: pd.DataFrame, table: Table, names: list[str]) -> str:
    """The frame's `names` columns as COPY's CSV text: whole numbers without ".0", ISO
    timestamps and dates, empty (NULL) for a missing value, quotes only where a value needs them.

    Made column by column with numpy (a year of camera events is 10 million rows: pandas'
    to_csv, row by row, was 3 us a row, this is about 1.3)."""
    columns = [_copy_text(frame[name], table.c[name].type) for name in names]
    return "\n".join(map(",".join, zip(*columns))) + "\n" if len(frame) else ""


_NEEDS_QUOTES = '",\n\r'  # a value holding one of these is quoted


def _copy_text(s: pd.Series, kind) -> np.ndarray:
    missing = pd.isna(s).to_numpy()
    if isinstance(kind, DateTime):
        s = pd.to_datetime(s)
        if s.dt.tz is not None:  # the wall time, as stored
            s = s.dt.tz_localize(None)
        out = np.datetime_as_string(s.to_numpy(), unit="us").astype(object)
    elif isinstance(kind, Date):
        out = np.datetime_as_string(pd.to_datetime(s).to_numpy(), unit="D").astype(object)
    elif isinstance(kind, Integer) and s.dtype.kind in "fO":
        out = s.astype("Int64").astype(str).to_numpy(dtype=object)
    elif isinstance(kind, Boolean) and s.dtype.kind != "b":
        out = np.array([str(bool(v)) for v in s.tolist()], dtype=object)
    elif s.dtype.kind in "biuf":
        out = s.to_numpy().astype(str).astype(object)
    else:  # text: quoted where it holds a comma, a quote or a line break
        out = s.to_numpy(dtype=object, copy=True)
        out[missing] = ""
        if not all(type(v) is str for v in out):  # numbers or other objects in the column
            out = np.array([str(v) for v in out], dtype=object)
            out[missing] = ""
        if _may_need_quotes(out):
            quote = np.array([any(ch in v for ch in _NEEDS_QUOTES) for v in out], dtype=bool)
            out[quote] = ['"' + v.replace('"', '""') + '"' for v in out[quote]]
        return out
    if missing.any():
        out[missing] = ""
    return out


def _may_need_quotes(values: np.ndarray) -> bool:
    """Whether a value of the column needs quotes: one scan of the column joined (a few
    microseconds), not a regular expression per value."""
    joined = "".join(values)
    return any(ch in joined for ch in _NEEDS_QUOTES)


def plain_rows(frame: pd.DataFrame, table: Table, names: list[str]) -> list[tuple]:
    """Rows as DBAPI-ready tuples: python scalars, None for missing, timestamps as
    'YYYY-MM-DD HH:MM:SS.ffffff' and dates as 'YYYY-MM-DD' (how SQLAlchemy stores them on SQLite,
    so comparisons with bound values hold; COPY reads the same text on PostgreSQL)."""
    columns = []
    for name in names:
        s, kind = frame[name], table.c[name].type
        missing = pd.isna(s).to_numpy()
        if isinstance(kind, DateTime):
            values = np.array(pd.to_datetime(s).dt.strftime("%Y-%m-%d %H:%M:%S.%f"), dtype=object)
        elif isinstance(kind, Date):
            if s.dtype.kind == "M":
                values = np.array(s.dt.strftime("%Y-%m-%d"), dtype=object)
            else:
                values = np.array([v if isinstance(v, str) or v is None or v != v
                                   else v.isoformat() for v in s.tolist()], dtype=object)
        elif isinstance(kind, Integer) and s.dtype.kind == "f":
            values = np.array([None if v != v else int(v) for v in s.tolist()], dtype=object)
        else:  # numpy scalars inside object columns become python ones too
            values = np.array([v.item() if isinstance(v, np.generic) else v for v in s.tolist()],
                              dtype=object)
        if missing.any():
            values[missing] = None
        columns.append(values.tolist())
    return list(zip(*columns))


_SQLITE_LOAD_CACHE_KB = 512 * 1024


@contextmanager
def sqlite_working_memory(conn) -> Iterator[None]:
    """On SQLite, a big load's index sorts and rollup passes in a 512 MB page cache and memory
    instead of the default 2 MB cache and temporary files; the connection's defaults come back
    after the block (it returns to the pool). PostgreSQL: nothing (bulk_load sets its own)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_LOAD_CACHE_KB}")
    conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default
        conn.exec_driver_sql("PRAGMA temp_store = DEFAULT")


@contextmanager
def bulk_load(conn, tables: Iterable[Table]) -> Iterator[None]:
    """Empty `tables` and drop their secondary indexes for the load inside the block, then build
    the indexes again (faster than keeping them up to date row by row) and refresh the
    planner's statistics. Runs in the caller's transaction: a failure rolls all of it back."""
    tables = list(tables)
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables))
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        # for the rest of the load's transaction: compiling each month's rollup statement
        # (JIT) cost a quarter of a second and saved nothing
        conn.exec_driver_sql("SET LOCAL jit = off")
    else:
        for table in reversed(tables):
            conn.execute(table.delete())
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)
    analyze(conn, tables)


def analyze(conn, tables: Iterable[Table]) -> None:
    """Refresh PostgreSQL's planner statistics of tables just filled (SQLite: nothing to do)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t.name}"' for t in tables))


# --- meta: small named values kept with the data ------------------------------------------------

def get_meta(conn, key: str) -> str | None:
    return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()


def set_meta(conn, key: str, value: str) -> None:
    upsert(conn, schema.meta, [{"key": key, "value": value}])


def delete_meta(conn, key: str) -> None:
    conn.execute(schema.meta.delete().where(schema.meta.c.key == key))


# --- data version -----------------------------------------------------------------------------

DATA_VERSION_KEY = "data_version"
INSTANCE_ID_KEY = "instance_id"


def get_data_version(conn) -> int:
    value = get_meta(conn, DATA_VERSION_KEY)
    return int(value) if value is not None else 0


def data_identity(conn) -> tuple[str | None, int]:
    """(instance id, data version): what a cached result is valid for."""
    rows = dict(conn.execute(select(schema.meta.c.key, schema.meta.c.value).where(
        schema.meta.c.key.in_([INSTANCE_ID_KEY, DATA_VERSION_KEY]))).all())
    return rows.get(INSTANCE_ID_KEY), int(rows.get(DATA_VERSION_KEY) or 0)


def bump_data_version(conn) -> int:
    """Every import, reload or ingestion calls this inside its transaction.

    One UPDATE increments in place, so two concurrent imports can never both write N + 1.
    """
    return bump_counter(conn, DATA_VERSION_KEY)


def bump_counter(conn, key: str) -> int:
    """Increment the meta value `key` (0 when missing) in place; return the new value."""
    m = schema.meta
    bump = update(m).where(m.c.key == key).values(
        value=cast(cast(m.c.value, Integer) + 1, String)).returning(m.c.value)
    value = conn.execute(bump).scalar()  # one round trip: UPDATE ... RETURNING
    if value is None:
        insert_ignore(conn, m, [{"key": key, "value": "0"}])
        value = conn.execute(bump).scalar()
    return int(value)


def count_rows(conn, tables: Iterable[Table]) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}
