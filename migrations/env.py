"""Alembic's environment: FloorPulse's schema (data/schema.metadata) on the app's DATABASE_URL.

data/migrate.py runs the migrations inside its own locked transaction and hands the connection
over in config.attributes["connection"]; `alembic upgrade head` on the command line connects to
DATABASE_URL (the same default as the app: instance/floorpulse.db).
"""
from __future__ import annotations

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `alembic` run from anywhere

from data import db, schema  # noqa: E402
from settings import Settings  # noqa: E402


def _configure(connection) -> None:
    context.configure(
        connection=connection, target_metadata=schema.metadata,
        # SQLite alters a table by copying it: later revisions' op.batch_alter_table does that
        render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    if context.config.config_file_name:  # the alembic command: its log lines from alembic.ini
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    with db.get_engine(url).begin() as conn:
        db.lock_for_schema(conn)  # the same lock as the app's start: one migrator at a time
        _configure(conn)
        context.run_migrations()


if context.is_offline_mode():
    sys.exit("FloorPulse's migrations run against a database (no --sql mode)")
run_migrations_online()
