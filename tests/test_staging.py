"""SQLite imports stage their rows in a side database (ingest/staging.py): the main database's
write lock is free while they are staged, the one transaction still writes all or nothing, the
line_day computed ahead equals one computed from the facts, and a write in between makes the
import compute it again inside its transaction."""
from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from data import db, schema
from ingest import rollups, staging
from ingest.importer import import_folder
from tests.test_importer import GOOD, table_counts, write_folder


def _path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def _line_day(engine):
    LD = schema.line_day
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(LD)))


def _line_day_from_facts(engine):
    """line_day as a full rebuild from the fact tables gives it (rolled back afterwards)."""
    with engine.connect() as conn:
        with conn.begin() as tx:
            rollups.rebuild_line_day(conn)
            rows = sorted(tuple(r) for r in conn.execute(select(schema.line_day)))
            tx.rollback()
    return rows


def test_reimport_over_stored_days_keeps_line_day_equal_to_the_facts(sqlite_url, tmp_path,
                                                                     monkeypatch):
    engine = db.get_engine(sqlite_url)
    used, write_line_day = [], staging.SideDatabase.write_line_day
    monkeypatch.setattr(staging.SideDatabase, "write_line_day",
                        lambda self, days: used.append(write_line_day(self, days)) or used[-1])
    assert import_folder(engine, write_folder(tmp_path / "one", GOOD)).ok
    production = ("date,shift_code,line_code,hour,style_code,stage,qty\n"
                  "2026-03-02,A,L01,9,S1,output,999\n"      # a stored row, changed
                  "2026-03-02,A,L02,11,S2,output,40\n")      # a new row on a stored day
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "production.csv").write_text(production)
    assert import_folder(engine, folder).ok
    assert used == [True, True]  # computed ahead both times, not in the transaction
    assert _line_day(engine) == _line_day_from_facts(engine)
    assert not list(_path(sqlite_url).parent.glob("*.stage"))  # the side database is gone


def test_a_failed_write_leaves_nothing_and_no_side_database(sqlite_url, tmp_path, monkeypatch):
    engine = db.get_engine(sqlite_url)
    before = table_counts(engine)

    def broken(self, days):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(staging.SideDatabase, "write_line_day", broken)
    report = import_folder(engine, write_folder(tmp_path / "good", GOOD))
    assert not report.ok and "disk on fire" in report.errors[0]
    assert table_counts(engine) == before
    assert not list(_path(sqlite_url).parent.glob("*.stage"))


def test_the_main_database_is_free_while_rows_are_staged(sqlite_url):
    engine = db.get_engine(sqlite_url)
    rows = [{"line_code": f"S{i:03d}", "name": "staged"} for i in range(500)]
    with staging.stage(engine) as stage:
        assert isinstance(stage, staging.SideDatabase)
        stage.put(schema.lines, rows)
        other = sqlite3.connect(_path(sqlite_url), timeout=0.1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # would fail at once if the import held the lock
        other.execute("INSERT INTO lines (line_code, name) VALUES ('OTHER', 'x')")
        other.execute("COMMIT")
        other.close()
        with stage.transaction():
            stage.write(schema.lines)
    assert table_counts(engine)["lines"] == 501


def test_a_fact_write_between_staging_and_commit_recomputes_line_day(sqlite_url, tmp_path):
    engine = db.get_engine(sqlite_url)
    assert import_folder(engine, write_folder(tmp_path / "one", GOOD)).ok
    day = date(2026, 3, 2)

    def staged(hour, meanwhile):
        row = {"date": day, "shift_code": "A", "line_code": "L01", "hour": hour,
               "style_code": "S1", "stage": "output", "qty": 77}
        with staging.stage(engine) as stage:
            stage.put(schema.production, [row])
            stage.prepare_line_day([day])
            with engine.begin() as conn:
                meanwhile(conn)
            with stage.transaction() as conn:
                stage.write(schema.production)
                used = stage.write_line_day([day])
                if not used:
                    rollups.rebuild_line_day(conn, [day])
        assert _line_day(engine) == _line_day_from_facts(engine)
        return used

    # a camera event moves the data version, not line_day's: what was computed ahead holds
    assert staged(15, db.bump_data_version) is True
    # production written meanwhile: computed again inside the transaction
    assert staged(16, lambda conn: rollups.rebuild_line_day(conn, [day])) is False


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_databases_write_directly(url):
    engine = db.get_engine(url)
    with staging.stage(engine) as stage:
        assert type(stage) is staging.Direct


@pytest.mark.slow
def test_the_lock_bench_quick_mode_runs(tmp_path):
    """bench/import_lock.py --quick: the import succeeds, every event batch is stored, none
    fails (no timing asserted: the bench reports it)."""
    import json
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "lock.json"
    result = subprocess.run([sys.executable, str(root / "bench" / "import_lock.py"), "--quick",
                             "--json", str(out)], capture_output=True, text=True, timeout=300,
                            cwd=root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    data = json.loads(out.read_text())
    assert data["rows"] == 20_000 and data["failed"] == 0 and data["batches"] >= 1
    assert data["transaction"].startswith("import transaction:")
