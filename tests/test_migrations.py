"""Alembic migrations (migrations/, data/migrate.py) on SQLite and PostgreSQL.

A database made by the last release (no alembic_version) or left at the first revision upgrades
with its rows intact; a fresh one reaches head; a second run changes nothing; several processes
starting together take turns; and the migrated schema is exactly data/schema.py's (a table or
column added there without a migration fails `test_migrations_and_schema_py_agree`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, func, inspect, select, text

from data import db, migrate, schema
from tests.conftest import _postgres_available, TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[1]
D = date(2026, 3, 2)


def _drop_everything(engine) -> None:
    with engine.begin() as conn:
        found = MetaData()
        found.reflect(conn)
        found.drop_all(conn)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """A database without a single table, on each backend (the PostgreSQL test database is
    emptied, and left at head afterwards for the other tests)."""
    if request.param == "sqlite":
        yield db.get_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    engine = db.get_engine(TEST_DATABASE_URL)
    _drop_everything(engine)
    yield engine
    _drop_everything(engine)
    db.create_schema(engine)


def _revision(engine) -> str | None:
    with engine.connect() as conn:
        return migrate.current(conn)


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, schema.metadata)


def _baseline():
    return migrate.ScriptDirectory.from_config(migrate.config()).get_revision(
        migrate.BASELINE).module.metadata


def _release_rows(conn, tables) -> None:
    """Rows of every kind a release-1 database holds: master data, facts, accounts, meta."""
    t = tables
    conn.execute(t["lines"].insert(), [{"line_code": "L01", "name": "Line 1"},
                                       {"line_code": "L02", "name": "Line 2"}])
    conn.execute(t["styles"].insert(), [{"style_code": "S1", "smv": 7.5}])
    conn.execute(t["production"].insert(), [
        {"date": D, "shift_code": "A", "line_code": "L01", "hour": h, "style_code": "S1",
         "stage": stage, "qty": qty}
        for h, stage, qty in [(8, "output", 100), (9, "output", 50), (8, "loading", 300)]])
    conn.execute(t["qc_checks"].insert(), [
        {"date": D, "shift_code": "A", "line_code": "L01", "hour": 8, "style_code": "S1",
         "checked_qty": 30, "defective_qty": 3}])
    conn.execute(t["defects"].insert(), [
        {"defect_id": "DF1", "ts": datetime(2026, 3, 2, 8, 5), "line_code": "L01",
         "style_code": "S1", "qty": 2, "repaired_ts": datetime(2026, 3, 2, 9), "date": D,
         "shift_code": "A", "hour": 8},
        {"defect_id": "DF2", "ts": datetime(2026, 3, 2, 8, 6), "line_code": "L01",
         "style_code": "S1", "qty": 1, "repaired_ts": None, "date": D, "shift_code": "A",
         "hour": 8}])
    conn.execute(t["users"].insert(), [{"username": "boss", "password_hash": "x",
                                        "role": "admin", "active": True}])
    conn.execute(t["meta"].insert(), [{"key": "data_version", "value": "7"},
                                      {"key": "instance_id", "value": "abc"}])


def _assert_rows_intact(engine) -> None:
    with engine.connect() as conn:
        def count(name):
            return conn.execute(select(func.count()).select_from(schema.metadata.tables[name])
                                ).scalar()
        assert [count(n) for n in ("lines", "styles", "production", "qc_checks", "defects",
                                   "users")] == [2, 1, 3, 1, 2, 1]
        assert db.get_data_version(conn) == 7
        assert db.get_meta(conn, db.INSTANCE_ID_KEY) == "abc"  # caches stay valid
        assert conn.execute(select(schema.users.c.username)).scalar() == "boss"


def _line_day(engine) -> list[tuple]:
    LD = schema.line_day
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(LD.c.line_code, LD.c.prod_rows, LD.c.loading, LD.c.output, LD.c.packing,
                   LD.c.checked, LD.c.defective, LD.c.defects, LD.c.repaired))]


def test_a_fresh_database_reaches_head_and_a_second_run_does_nothing(empty_engine):
    head = migrate.head()
    assert db.create_schema(empty_engine) == [None, head]
    assert db.create_schema(empty_engine) == [head, head]
    assert _revision(empty_engine) == head
    with empty_engine.connect() as conn:
        assert db.get_meta(conn, db.INSTANCE_ID_KEY)  # a new database gets its instance id


def test_migrations_and_schema_py_agree(empty_engine):
    db.create_schema(empty_engine)
    assert _differences(empty_engine) == []


def test_the_baseline_revision_is_the_last_release_schema(empty_engine):
    """Release 1 made its tables with schema.metadata.create_all; 0001 must make the same."""
    with empty_engine.begin() as conn:
        command.upgrade(migrate.config(conn), migrate.BASELINE)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, _baseline()) == []


def test_a_database_at_the_first_revision_upgrades_with_its_rows(empty_engine):
    with empty_engine.begin() as conn:
        command.upgrade(migrate.config(conn), migrate.BASELINE)
        _release_rows(conn, _baseline().tables)  # line_day never built (no flag)
    assert _revision(empty_engine) == migrate.BASELINE
    assert _line_day(empty_engine) == []

    assert db.create_schema(empty_engine) == [migrate.BASELINE, migrate.head()]
    _assert_rows_intact(empty_engine)
    # 0002 built line_day from the facts: 3 production rows (loading 300, output 100 + 50),
    # one check of 30 with 3 defective, defects 2 (repaired) + 1 (open)
    assert _line_day(empty_engine) == [("L01", 3, 300, 150, None, 30, 3, 3, 2)]
    with empty_engine.connect() as conn:
        assert db.get_meta(conn, "line_day_built") is None
    assert _differences(empty_engine) == []
    # 0011 built the month rollups from the facts: the two defects in D's month
    assert _defect_month(empty_engine) == [(D.replace(day=1), "L01", "A", "S1", 3, 2)]


def _defect_month(engine) -> list[tuple]:
    DM = schema.defect_month
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(DM.c.month, DM.c.line_code, DM.c.shift_code, DM.c.style_code, DM.c.defects,
                   DM.c.repaired))]


def test_the_month_rollups_migration_runs_again_to_the_same_rows(empty_engine):
    """0011 is idempotent: stamped back and run again, its tables are there and hold the same
    rows (built again from the facts, not added twice)."""
    db.create_schema(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(schema.meta.delete())
        _release_rows(conn, schema.metadata.tables)
        from ingest import rollups
        rollups.rebuild_months(conn, schema.defect_month)
    before = _defect_month(empty_engine)
    assert before == [(D.replace(day=1), "L01", "A", "S1", 3, 2)]
    with empty_engine.begin() as conn:
        command.stamp(migrate.config(conn), "0006")
    assert db.create_schema(empty_engine) == ["0006", migrate.head()]
    assert _defect_month(empty_engine) == before


def test_a_database_made_by_the_last_release_is_stamped_then_upgraded(empty_engine):
    """Release 1 had no alembic_version; its line_day was kept (flag set) and is left as is."""
    baseline = _baseline()
    with empty_engine.begin() as conn:
        baseline.create_all(conn)
        _release_rows(conn, baseline.tables)
        conn.execute(baseline.tables["line_day"].insert(), [
            {"date": D, "line_code": "L01", "shift_code": "A", "style_code": "S1",
             "prod_rows": 3, "loading": 300, "output": 150, "checked": 30, "defective": 3,
             "defects": 3, "repaired": 2}])
        conn.execute(baseline.tables["meta"].insert(), [{"key": "line_day_built",
                                                         "value": "1"}])
    assert _revision(empty_engine) is None

    assert db.create_schema(empty_engine) == [migrate.BASELINE, migrate.head()]
    _assert_rows_intact(empty_engine)
    assert _line_day(empty_engine) == [("L01", 3, 300, 150, None, 30, 3, 3, 2)]
    with empty_engine.connect() as conn:
        assert db.get_meta(conn, "line_day_built") is None
    assert _differences(empty_engine) == []
    # 0011 built the month rollups from the facts: the two defects in D's month
    assert _defect_month(empty_engine) == [(D.replace(day=1), "L01", "A", "S1", 3, 2)]


def _defect_month(engine) -> list[tuple]:
    DM = schema.defect_month
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(DM.c.month, DM.c.line_code, DM.c.shift_code, DM.c.style_code, DM.c.defects,
                   DM.c.repaired))]


def test_the_month_rollups_migration_runs_again_to_the_same_rows(empty_engine):
    """0011 is idempotent: stamped back and run again, its tables are there and hold the same
    rows (built again from the facts, not added twice)."""
    db.create_schema(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(schema.meta.delete())
        _release_rows(conn, schema.metadata.tables)
        from ingest import rollups
        rollups.rebuild_months(conn, schema.defect_month)
    before = _defect_month(empty_engine)
    assert before == [(D.replace(day=1), "L01", "A", "S1", 3, 2)]
    with empty_engine.begin() as conn:
        command.stamp(migrate.config(conn), "0006")
    assert db.create_schema(empty_engine) == ["0006", migrate.head()]
    assert _defect_month(empty_engine) == before


def test_an_older_database_gains_the_tables_and_columns_of_the_baseline(empty_engine):
    """Before migrations, each start added missing tables and columns (as nullable)."""
    with empty_engine.begin() as conn:
        conn.execute(text("CREATE TABLE punches (emp_code VARCHAR(64), ts TIMESTAMP, "
                          "direction VARCHAR(4), device_id VARCHAR(64), received_at TIMESTAMP, "
                          "PRIMARY KEY (emp_code, ts, direction))"))
        conn.execute(text("INSERT INTO punches (emp_code, ts, direction) "
                          "VALUES ('E1', '2026-03-02 08:00:00', 'IN')"))
    db.create_schema(empty_engine)
    assert _revision(empty_engine) == migrate.head()
    columns = {c["name"] for c in inspect(empty_engine).get_columns("punches")}
    assert {"processed", "unmatched"} <= columns
    assert set(schema.metadata.tables) <= set(inspect(empty_engine).get_table_names())
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT emp_code FROM punches")).scalar() == "E1"


def test_workers_starting_together_take_turns(empty_engine):
    """Four threads upgrade one empty database at once: one migrates, the others wait for
    the lock and find it at head."""
    results, errors = [], []

    def start():
        try:
            results.append(db.create_schema(empty_engine))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    head = migrate.head()
    assert len(results) == 4 and results.count([None, head]) == 1
    assert results.count([head, head]) == 3
    with empty_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.meta)).scalar() == 1


@pytest.mark.slow  # four flask processes
def test_importing_app_builds_nothing_and_flask_finds_the_app(tmp_path):
    """`import app` makes no Dash app (no callbacks declared); `flask --app app` builds it
    on demand, and the db commands report and upgrade."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", DEMO_DATA="0",
               CACHE_DIR=str(tmp_path / "cache"), SECRET_KEY="x")
    probe = ("import app, dash; from dash import _callback; "
             "print(len(_callback.GLOBAL_CALLBACK_LIST), len(dash.page_registry), "
             "'application' in vars(app))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ["0", "0", "False"]

    def flask(*args):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    head = migrate.head()
    assert f"database: not migrated; newest: {head}" in flask("db", "current")
    assert f"upgraded from empty to {head}" in flask("db", "upgrade")
    assert f"at {head}, nothing to do" in flask("prepare", "--no-demo")
    assert f"database: {head}; newest: {head}" in flask("db", "current")
