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

from sqlalchemy import (Column, Engine, MetaData, Table, delete, exists, null, select,
                        union_all)
from sqlalchemy.schema import CreateTable

from data import db, schema
from ingest import rollups

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

    def prepare_line_day(self, days) -> None:
        """Nothing ahead: line_day is computed in the transaction."""

    def write_line_day(self, days) -> bool:
        """False: compute line_day in the transaction (rollups.rebuild_line_day)."""
        return False


class SideDatabase(Direct):
    """SQLite: rows wait in an attached side database; `write` copies one table across."""

    def __init__(self, conn, path: Path) -> None:
        super().__init__(conn)
        self.path = path
        self._columns: dict[str, tuple[list[str], list[str]]] = {}  # given, defaulted
        self._sides: dict[str, Table] = {}
        self._line_day: Table | None = None  # line_day of the import's days, computed ahead
        self._version: int | None = None  # the line_day version it was computed at

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
        self._sides[table.name] = side

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


    # --- line_day, computed ahead ----------------------------------------------------------------

    def prepare_line_day(self, days) -> None:
        """Outside the lock: line_day of `days` from the facts as they will be (the staged rows
        over the stored ones) into the side database. `write_line_day` copies it in the
        transaction unless line_day was written in between (rollups.LINE_DAY_VERSION moved: a
        write of production, checks or defects; camera events and punches do not count).

        Skipped (computed in the transaction) when a staged fact file lacks a column line_day
        reads: its stored value would survive the upsert, which the merged view cannot see."""
        merged = {}
        for name in rollups.LINE_DAY_FACTS:
            if name not in self._sides:
                continue
            table, given = getattr(schema, name), self._columns[name][0]
            if not set(LINE_DAY_COLUMNS[name]) <= set(given):
                log.info("line_day computed in the transaction: %s.csv has no %s", name,
                         ", ".join(sorted(set(LINE_DAY_COLUMNS[name]) - set(given))))
                return
            merged[name] = self._merged(table, self._sides[name])
        target = Table("line_day", MetaData(),
                       *[Column(c.name, c.type) for c in schema.line_day.columns], schema=STAGE)
        version = rollups.line_day_version(self.conn)  # read before the facts: a write after
        with self._begin():                            # it shows as a moved version
            self.conn.execute(CreateTable(target))
            rollups.rebuild_line_day(self.conn, days, facts=merged, target=target)
        self._line_day, self._version = target, version

    def _merged(self, table: Table, side: Table):
        """The fact table as the upsert will leave it: the staged rows, and the stored rows
        whose key was not staged."""
        key = [c.name for c in table.primary_key.columns]
        with self._begin():  # the anti-join looks every stored row up by key
            self.conn.exec_driver_sql(
                f'CREATE INDEX {STAGE}."ix_{table.name}_key" ON "{table.name}" '
                f'({", ".join(map(_q, key))})')
        new, old = side.alias("staged"), table.alias("stored")  # both are named like the table
        staged = select(*[(new.c[c.name] if c.name in new.c else null()).label(c.name)
                          for c in table.columns])
        kept = select(*[old.c[c.name].label(c.name) for c in table.columns]).where(
            ~exists().where(*[new.c[k] == old.c[k] for k in key]))
        return union_all(staged, kept).subquery(f"{table.name}_merged")

    def write_line_day(self, days) -> bool:
        """In the transaction: the line_day computed ahead replaces the import's days (True),
        or False when it was not computed or is out of date."""
        if self._line_day is None or rollups.line_day_version(self.conn) != self._version:
            return False
        db.bump_counter(self.conn, rollups.LINE_DAY_VERSION_KEY)
        LD = schema.line_day
        for a, b in rollups.day_runs(days):
            self.conn.execute(delete(LD).where(LD.c.date.between(a, b)))
        names = ", ".join(_q(c.name) for c in LD.columns)
        self.conn.exec_driver_sql(f'INSERT INTO main."line_day" ({names}) '
                                  f'SELECT {names} FROM {STAGE}."line_day"')
        return True


# the columns of each fact file that line_day reads (ingest/rollups.py _write_line_day)
LINE_DAY_COLUMNS = {
    "production": ("date", "line_code", "shift_code", "style_code", "stage", "qty"),
    "qc_checks": ("date", "line_code", "shift_code", "style_code", "checked_qty",
                  "defective_qty"),
    "defects": ("date", "line_code", "shift_code", "style_code", "qty", "repaired_ts"),
}


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
