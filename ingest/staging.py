"""Where an import's rows wait between their checks and their one transaction.

SQLite has one writer at a time. An import that upserts a million rows row by row (executemany)
held that write lock for as long as it took, and every ingestion batch meanwhile waited (22 s
measured, past which the 30 s busy timeout fails it). On SQLite, therefore, the rows are first
written into a side database of their own (a file next to the database, ATTACHed as `fp_stage`:
its own lock, so the main database stays free), and then one short transaction copies them across
inside SQLite (`INSERT ... SELECT ... ON CONFLICT DO UPDATE`, no Python per row), together with
the rollups and the data version. All or nothing still holds: nothing reaches the main database
before that one transaction, which commits everything or nothing. bench/import_lock.py measures
the wait.

PostgreSQL has row locks, not one database lock: writers of other rows are not held up, and the
rows go straight into the transaction (`Direct`).
"""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from sqlalchemy import Column, Engine, MetaData, Table
from sqlalchemy.schema import CreateTable

from data import db

log = logging.getLogger(__name__)

STAGE = "fp_stage"  # the side database's name on the connection
MERGE_CACHE_KIB = 256 * 1024  # page cache of the merge (the copy touches every index page)
DEFAULT_CACHE = -2000  # SQLite's own default, given back before the connection is pooled again


class Direct:
    """Rows kept in memory and upserted in the transaction (PostgreSQL, SQLite in memory)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self._rows: dict[str, tuple[Table, Sequence[Mapping]]] = {}

    def put(self, table: Table, rows: Sequence[Mapping]) -> None:
        self._rows[table.name] = (table, rows)

    def _begin(self):
        """A transaction of its own (what came before it, reads, is over)."""
        if self.conn.in_transaction():
            self.conn.commit()
        return self.conn.begin()

    @contextmanager
    def transaction(self) -> Iterator:
        with self._begin():
            yield self.conn

    def write(self, table: Table) -> None:
        db.upsert(self.conn, table, self._rows.pop(table.name)[1])


class SideDatabase(Direct):
    """SQLite: rows wait in an attached side database; `write` copies one table across."""

    def __init__(self, conn, path: Path) -> None:
        super().__init__(conn)
        self.path = path
        self._columns: dict[str, tuple[list[str], list[str]]] = {}  # given, defaulted

    def put(self, table: Table, rows: Sequence[Mapping]) -> None:
        """Into the side database, in a transaction of its own: the main database is not
        written, so its lock is not taken."""
        columns = list(rows[0].keys()) if rows else []
        # a column the file leaves out gets its default, as an upsert's INSERT would give it
        defaulted = [c for c in table.columns if c.name not in columns
                     and c.default is not None and c.default.is_scalar]
        self._columns[table.name] = (columns, [c.name for c in defaulted])
        if not rows:
            return
        # the same column types (so values are stored as the main table stores them), no keys
        # or indexes: a plain holding table
        side = Table(table.name, MetaData(),
                     *[Column(c.name, c.type) for c in table.columns if c.name in columns],
                     *[Column(c.name, c.type, default=c.default.arg) for c in defaulted],
                     schema=STAGE)
        with self._begin():
            self.conn.execute(CreateTable(side))
            for i in range(0, len(rows), 5000):
                self.conn.execute(side.insert(), list(rows[i:i + 5000]))

    @contextmanager
    def transaction(self) -> Iterator:
        """One transaction that holds the write lock from its first statement (BEGIN IMMEDIATE:
        it never has to upgrade a read snapshot a concurrent writer made stale)."""
        with self._begin():
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")
            self.conn.exec_driver_sql(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
            yield self.conn

    def write(self, table: Table) -> None:
        columns, defaulted = self._columns.pop(table.name)
        if not columns:
            return
        names = ", ".join(map(_q, columns + defaulted))
        key = [c.name for c in table.primary_key.columns]
        updates = [c for c in columns if c not in key]
        conflict = (f"DO UPDATE SET {', '.join(f'{q} = excluded.{q}' for q in map(_q, updates))}"
                    if updates else "DO NOTHING")
        # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT (its docs)
        self.conn.exec_driver_sql(
            f'INSERT INTO main."{table.name}" ({names}) SELECT {names} '
            f'FROM {STAGE}."{table.name}" WHERE true '
            f'ON CONFLICT ({", ".join(map(_q, key))}) {conflict}')


def _q(name: str) -> str:
    return f'"{name}"'


@contextmanager
def stage(engine: Engine) -> Iterator[Direct]:
    """A connection and the place its rows wait: `put` each table's rows, then in
    `transaction()` `write` each table. The side database (SQLite) is removed afterwards,
    whatever happened."""
    path = _side_path(engine)
    with engine.connect() as conn:
        if path is None:
            yield Direct(conn)
            return
        conn.exec_driver_sql(f"ATTACH DATABASE ? AS {STAGE}", (str(path),))
        try:
            conn.exec_driver_sql(f"PRAGMA {STAGE}.journal_mode = OFF")  # a scratch file
            conn.exec_driver_sql(f"PRAGMA {STAGE}.synchronous = OFF")
            conn.commit()
            yield SideDatabase(conn, path)
        finally:
            try:
                conn.rollback()
                conn.exec_driver_sql(f"DETACH DATABASE {STAGE}")
                conn.exec_driver_sql(f"PRAGMA cache_size = {DEFAULT_CACHE}")
                conn.commit()
            except Exception:  # noqa: BLE001 - a connection we cannot clean is not reused
                log.exception("could not detach the import's side database %s", path)
                conn.invalidate()
            path.unlink(missing_ok=True)


def _side_path(engine: Engine) -> Path | None:
    """A new side database file next to a file SQLite database (same disk, known writable);
    None for PostgreSQL and in-memory SQLite."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    main = Path(database).resolve()
    return main.with_name(f"{main.name}.import-{uuid.uuid4().hex[:12]}.stage")
