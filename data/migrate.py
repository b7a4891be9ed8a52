"""The schema by Alembic migrations (migrations/): bring any database to the newest revision.

An empty database runs every revision; a database made before migrations existed (tables but no
alembic_version) is topped up to the baseline revision, stamped with it, then upgraded. The
caller holds the schema lock (db.create_schema), so workers starting together take turns.
"""
from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from settings import BASE_DIR

log = logging.getLogger(__name__)

BASELINE = "0001"  # the schema of the last release without migrations
SCRIPTS = BASE_DIR / "migrations"


def config(conn=None) -> Config:
    """Alembic's configuration for our scripts; with `conn`, migrations run on it (and in its
    transaction) instead of connecting on their own."""
    cfg = Config(str(BASE_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(SCRIPTS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(conn) -> str | None:
    """The revision the database is at (None: never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn) -> list[str]:
    """Bring the database on `conn` to head in the caller's transaction; return the revisions
    it was at before and after (the same twice when there was nothing to do)."""
    before = current(conn)
    baseline = ScriptDirectory.from_config(config()).get_revision(BASELINE).module.metadata
    if before is None and set(inspect(conn).get_table_names()) & set(baseline.tables):
        _top_up(conn, baseline)
        command.stamp(config(conn), BASELINE)
        log.info("database made before migrations: stamped %s", BASELINE)
        before = BASELINE
    if before != head():
        command.upgrade(config(conn), "head")
        log.info("schema upgraded from %s to %s", before or "nothing", head())
    return [before, current(conn)]


def stamp(conn, revision: str) -> None:
    """Record `revision` as the database's without running anything (a schema made by hand)."""
    command.stamp(config(conn), revision)


def _top_up(conn, baseline) -> None:
    """What the releases before migrations did on every start: create the baseline's missing
    tables and indexes, and add the columns the database lacks as nullable."""
    baseline.create_all(conn)
    existing = inspect(conn)
    for table in baseline.sorted_tables:
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN '
                                  f'"{column.name}" {kind}'))
