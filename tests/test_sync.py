"""`flask --app app sync` (SPEC section 10): pulling punches from other databases into SQLite and
PostgreSQL — a SQLite file shaped like a ZKTeco access database (CHECKINOUT with USERINFO), a
MariaDB source and a PostgreSQL source. The first run stores the rows, the second only the new
ones, the third reads nothing; a failing source moves no watermark and is an error in the ETL log;
mistakes in the configuration name the source and the column; `${VAR}` comes from the environment.

MariaDB: TEST_MARIADB_URL (default mysql+pymysql://root@127.0.0.1:3306/sync_src; the database is
made when missing). Without a reachable server its tests skip, except under CI=true, where they
fail: the MariaDB half never skips silently in CI.
"""
from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from datetime import datetime

import pytest
from sqlalchemy import (Column, DateTime, Integer, MetaData, String, Table, create_engine, func,
                        select, text)
from sqlalchemy.engine import make_url

from data import db, schema
from ingest import datasets, schedule, sync
from settings import Settings
from tests.attendance_plant import NOW, attendance_plant
from tests.conftest import IN_CI, _postgres_available, TEST_DATABASE_URL

TEST_MARIADB_URL = os.environ.get("TEST_MARIADB_URL",
                                  "mysql+pymysql://root@127.0.0.1:3306/sync_src")

# The ZKTeco shape: USERINFO.USERID is the database's own id; Badgenumber is the number the
# terminal shows, which FloorPulse knows as employees.device_user_id (101 = E001, 102 = E002).
ZK_QUERY = ("SELECT u.Badgenumber AS BADGE, c.CHECKTIME, c.CHECKTYPE, c.SENSORID "
            "FROM CHECKINOUT c JOIN USERINFO u ON u.USERID = c.USERID")
FIRST = [(1, "2026-03-02 07:50:00", "I", "1"), (1, "2026-03-02 17:05:00", "O", "1"),
         (2, "2026-03-02 08:00:00", "I", "2"),
         (9, "2026-03-02 08:01:00", "I", "2")]  # badge 999: no such employee
SECOND = [(2, "2026-03-02 18:00:00", "O", "2"), (1, "2026-03-03 08:20:00", "I", "1")]


def _now():
    return NOW


def toml(tmp_path, body: str, name: str = "sync.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


ZK_COLUMNS = {"device_user_id": "BADGE", "ts": "CHECKTIME", "direction": "CHECKTYPE",
              "device_id": "SENSORID"}
DIRECTIONS = {"direction": {"I": "IN", "O": "OUT"}}


def source(name: str, url: str, columns: dict, values: dict | None = None, **keys) -> str:
    """One [sources.NAME] table of a sync.toml (keys: query, table, target, watermark)."""
    out = [f"[sources.{name}]", f"url = {json.dumps(url)}"]
    out += [f"{k} = {json.dumps(v)}" for k, v in {"target": "punches", **keys}.items()]
    out += [f"[sources.{name}.columns]"] + [f"{k} = {json.dumps(v)}" for k, v in columns.items()]
    for column, mapping in (values or {}).items():
        out += [f"[sources.{name}.values.{column}]"]
        out += [f"{k} = {json.dumps(v)}" for k, v in mapping.items()]
    return "\n".join(out) + "\n"


def zk_config(tmp_path, url: str, columns: dict | None = None, **keys) -> str:
    keys = {"query": ZK_QUERY, "watermark": "CHECKTIME", **keys}
    return toml(tmp_path, source("zk", url, columns or ZK_COLUMNS, DIRECTIONS, **keys))


@pytest.fixture
def plant(engine):
    attendance_plant(engine, punches=False)  # employees E001-E005, device users 101-105
    return engine


@pytest.fixture
def zk_file(tmp_path):
    """A SQLite file shaped like a ZKTeco access database, timestamps as the vendor writes them."""
    path = tmp_path / "zk" / "att2000.db"
    path.parent.mkdir()
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE USERINFO (USERID INTEGER PRIMARY KEY, Badgenumber TEXT, Name TEXT);
        CREATE TABLE CHECKINOUT (USERID INTEGER, CHECKTIME DATETIME, CHECKTYPE TEXT,
                                 VERIFYCODE INTEGER, SENSORID TEXT);
        INSERT INTO USERINFO VALUES (1, '101', 'Asha'), (2, '102', 'Bina'), (9, '999', 'Nobody');
    """)
    con.commit()
    con.close()
    return path


def add_zk(path, rows) -> None:
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO CHECKINOUT (USERID, CHECKTIME, CHECKTYPE, VERIFYCODE, SENSORID) "
                    "VALUES (?, ?, ?, 1, ?)", rows)
    con.commit()
    con.close()


def run(engine, config, *names):
    return sync.sync(engine, config, names or None, plant_tz="Asia/Dhaka", now=_now,
                     username="tester")


def punches(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.punches.c.emp_code, schema.punches.c.ts,
                                   schema.punches.c.direction, schema.punches.c.device_id)
                            .order_by(schema.punches.c.ts, schema.punches.c.emp_code)).all()
    return [(e, ts.strftime("%Y-%m-%d %H:%M"), d, dev) for e, ts, d, dev in rows]


def etl_log(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.imports).where(schema.imports.c.kind == "sync")
                            .order_by(schema.imports.c.id)).mappings().all()
    return [{**r, "details": json.loads(r["details"]), "errors": json.loads(r["errors"]),
             "row_counts": json.loads(r["row_counts"])} for r in rows]


# --- a ZKTeco-shaped SQLite source, into SQLite and PostgreSQL -----------------------------------

def test_zkteco_source_first_run_then_only_new_rows_then_nothing(plant, zk_file, tmp_path):
    engine = plant
    add_zk(zk_file, FIRST)
    config = zk_config(tmp_path, f"sqlite:///{zk_file}")

    [first] = run(engine, config)
    assert first.ok, first.error
    assert (first.read, first.accepted, first.duplicates, first.rejected) == (4, 3, 0, 1)
    assert first.reasons == ["row 3 (CHECKTIME 2026-03-02 08:01:00): device_user_id: unknown "
                             "device_user_id '999'"]
    assert (first.watermark_before, first.watermark_after) == (None, "2026-03-02 17:05:00")
    assert punches(engine) == [("E001", "2026-03-02 07:50", "IN", "1"),
                               ("E002", "2026-03-02 08:00", "IN", "2"),
                               ("E001", "2026-03-02 17:05", "OUT", "1")]

    add_zk(zk_file, SECOND)
    [second] = run(engine, config)
    assert (second.read, second.accepted, second.duplicates, second.rejected) == (2, 2, 0, 0)
    assert second.watermark_before == "2026-03-02 17:05:00"
    assert second.watermark_after == "2026-03-03 08:20:00"
    assert ("E002", "2026-03-02 18:00", "OUT", "2") in punches(engine)
    assert len(punches(engine)) == 5

    [third] = run(engine, config)
    assert (third.read, third.accepted, third.watermark_after) == (0, 0, "2026-03-03 08:20:00")

    # the ETL log: one row a run, with every number of it
    log = etl_log(engine)
    assert [r["status"] for r in log] == ["ok", "ok", "ok"]
    assert log[0]["source"] == "zk" and log[0]["username"] == "tester"
    assert log[0]["row_counts"] == {"punches": 3}
    assert log[0]["errors"] == first.reasons
    d = log[0]["details"]
    assert (d["read"], d["accepted"], d["duplicates"], d["rejected"]) == (4, 3, 0, 1)
    assert (d["watermark_before"], d["watermark_after"], d["error"]) == (
        None, "2026-03-02 17:05:00", None)
    assert d["seconds"] >= 0 and d["url"] == f"sqlite:///{zk_file}" and d["target"] == "punches"
    assert log[2]["details"]["read"] == 0
    with engine.connect() as conn:  # ingestion moved the data version: pages show the punches
        assert db.get_data_version(conn) >= 3


def test_a_failing_source_moves_no_watermark_and_is_logged(plant, zk_file, tmp_path):
    engine = plant
    add_zk(zk_file, FIRST)
    config = zk_config(tmp_path, f"sqlite:///{zk_file}")
    assert run(engine, config)[0].ok

    # the source's table is gone (a vendor upgrade renamed it): an error, not a crash
    add_zk(zk_file, SECOND)
    con = sqlite3.connect(zk_file)
    con.execute("ALTER TABLE CHECKINOUT RENAME TO CHECKINOUT_OLD")
    con.commit()
    con.close()
    [failed] = run(engine, config)
    assert not failed.ok and "no such table: CHECKINOUT" in failed.error
    assert failed.watermark_before == failed.watermark_after == "2026-03-02 17:05:00"
    assert sync.watermark(engine, "zk") == "2026-03-02 17:05:00"
    log = etl_log(engine)[-1]
    assert log["status"] == "failed" and "no such table" in log["details"]["error"]
    assert log["errors"][-1] == failed.error

    # back again: the next run picks up exactly what was missed
    con = sqlite3.connect(zk_file)
    con.execute("ALTER TABLE CHECKINOUT_OLD RENAME TO CHECKINOUT")
    con.commit()
    con.close()
    [again] = run(engine, config)
    assert (again.read, again.accepted, again.watermark_after) == (2, 2, "2026-03-03 08:20:00")


def test_a_run_that_fails_part_way_loses_nothing_and_doubles_nothing(plant, zk_file, tmp_path,
                                                                     monkeypatch):
    engine = plant
    add_zk(zk_file, FIRST + SECOND)
    config = zk_config(tmp_path, f"sqlite:///{zk_file}")
    monkeypatch.setattr(sync, "BATCH", 2)
    real = datasets.ingest_items
    calls = []

    def dies_on_the_second_batch(engine, name, items, **kw):
        calls.append(len(items))
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return real(engine, name, items, **kw)

    monkeypatch.setattr(datasets, "ingest_items", dies_on_the_second_batch)
    [failed] = run(engine, config)
    assert not failed.ok and "ConnectionError: the database went away" in failed.error
    assert sync.watermark(engine, "zk") is None  # the first batch is stored, the mark unmoved
    assert len(punches(engine)) == 2

    monkeypatch.setattr(datasets, "ingest_items", real)
    [again] = run(engine, config)
    assert (again.read, again.accepted, again.duplicates, again.rejected) == (6, 3, 2, 1)
    assert len(punches(engine)) == 5


def test_an_unreachable_source_is_an_error_in_the_etl_log(plant, tmp_path):
    engine = plant
    by_id = {"device_user_id": "USERID", "ts": "CHECKTIME"}
    config = toml(tmp_path, source("erp", "mysql+pymysql://reader:s3cret-pw@127.0.0.1:1/erp",
                                   by_id, table="CHECKINOUT", watermark="CHECKTIME")
                  + source("gone", "sqlite:////nowhere/att2000.db", by_id, table="CHECKINOUT"))
    erp, gone = run(engine, config)
    assert not erp.ok and "OperationalError" in erp.error and "127.0.0.1" in erp.error
    assert "s3cret-pw" not in erp.error and erp.url == "mysql+pymysql://reader:***@127.0.0.1:1/erp"
    assert not gone.ok and gone.error == "the SQLite source file /nowhere/att2000.db does not exist"
    assert not os.path.exists("/nowhere/att2000.db")  # not made empty by connecting to it
    log = etl_log(engine)
    assert [(r["source"], r["status"]) for r in log] == [("erp", "failed"), ("gone", "failed")]
    assert "s3cret-pw" not in json.dumps(log, default=str)


def test_a_mapping_to_an_unknown_column_names_the_source_and_the_column(plant, zk_file,
                                                                        tmp_path):
    engine = plant
    add_zk(zk_file, FIRST)
    # a source column the source does not have
    url = f"sqlite:///{zk_file}"
    config = zk_config(tmp_path, url, {**ZK_COLUMNS, "ts": "CHECKTIM"})
    [r] = run(engine, config)
    assert r.error == ("source 'zk': column 'CHECKTIM' (mapped to punches.ts) is not in the "
                       "source (its columns: BADGE, CHECKTIME, CHECKTYPE, SENSORID)")
    # the watermark likewise
    config = zk_config(tmp_path, url, watermark="LOGID")
    [r] = run(engine, config)
    assert r.error.startswith("source 'zk': column 'LOGID' (the watermark) is not in the source")
    # a target column the dataset does not have
    config = zk_config(tmp_path, url, {**ZK_COLUMNS, "terminal": "SENSORID"})
    [r] = run(engine, config)
    assert r.error.startswith("source 'zk': column 'terminal' is not a column of punches "
                              "(its columns: emp_code, ts, direction, device_id, device_user_id)")
    # a table that is not there
    config = toml(tmp_path, source("zk", url, {"ts": "CHECKTIME"}, table="CHECKINOUTS"))
    [r] = run(engine, config)
    assert r.error == ("source 'zk': table 'CHECKINOUTS' is not in the source database (its "
                       "tables: CHECKINOUT, USERINFO)")
    assert punches(engine) == [] and sync.watermark(engine, "zk") is None
    assert [r["status"] for r in etl_log(engine)] == ["failed"] * 4


def test_variables_come_from_the_environment(plant, zk_file, tmp_path, monkeypatch):
    engine = plant
    add_zk(zk_file, FIRST)
    config = zk_config(tmp_path, "sqlite:///${ZK_DIR}/att2000.db")
    monkeypatch.delenv("ZK_DIR", raising=False)
    [r] = run(engine, config)
    assert r.error == "source 'zk': ${ZK_DIR} is not set in the environment"
    monkeypatch.setenv("ZK_DIR", str(zk_file.parent))
    [r] = run(engine, config)
    assert r.ok and r.accepted == 3


def test_config_file_mistakes(plant, tmp_path):
    with pytest.raises(sync.SyncConfigError, match="does not exist"):
        run(plant, tmp_path / "missing.toml")
    with pytest.raises(sync.SyncConfigError, match="is not valid TOML"):
        run(plant, toml(tmp_path, "[sources.zk\nurl = 1"))
    with pytest.raises(sync.SyncConfigError, match="no source named erp"):
        run(plant, toml(tmp_path, source("zk", "sqlite:///x.db", {"ts": "T"}, table="T")), "erp")
    bad = toml(tmp_path, source("a", "sqlite:///x.db", {"ts": "T"}, query="SELECT 1", table="T")
               + source("b", "sqlite:///x.db", {"ts": "T"}, table="T", target="payroll"))
    a, b = run(plant, bad)
    assert a.error == "source 'a': give either query or table (one of them)"
    assert b.error.startswith("source 'b': target 'payroll' is not a dataset; use one of lines,")


def test_numeric_codes_map_and_one_run_of_a_source_at_a_time(plant, zk_file, tmp_path):
    engine = plant
    add_zk(zk_file, [(u, ts, {"I": "0", "O": "1"}[t], s) for u, ts, t, s in FIRST])
    config = toml(tmp_path, source("zk", f"sqlite:///{zk_file}", ZK_COLUMNS,
                                   {"direction": {0: "IN", 1: "OUT"}}, query=ZK_QUERY,
                                   watermark="CHECKTIME"))
    # another runner (the schedule, say) is reading this source right now
    assert schedule.claim(engine, "sync:zk", "someone-else", NOW, due_only=False)
    [busy] = run(engine, config)
    assert busy.error == "another run of this source is in progress; try again when it ends"
    assert punches(engine) == [] and etl_log(engine) == []
    with engine.begin() as conn:
        conn.execute(schema.job_state.update().values(running_by=None, lease_until=None))
    [r] = run(engine, config)
    assert (r.read, r.accepted) == (4, 3)
    assert [d for *_, d, _ in punches(engine)] == ["IN", "IN", "OUT"]


def test_any_dataset_upserted_by_its_natural_key(plant, tmp_path):
    """An ERP's line-end counts into production: a count re-sent with a larger number replaces
    the hour's row (an update), as through POST /api/v1/data/production."""
    engine = plant
    path = tmp_path / "erp.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE line_counts (id INTEGER PRIMARY KEY, work_date TEXT, shift TEXT,
            line TEXT, hr INTEGER, article TEXT, stage_code TEXT, pieces NUMERIC,
            changed_at TEXT);
        INSERT INTO line_counts VALUES
            (1, '2026-03-03', 'A', 'L02', 8, 'S2', 'OUT', 90, '2026-03-03 09:00:05'),
            (2, '2026-03-03', 'A', 'L02', 9, 'S2', 'OUT', 40, '2026-03-03 09:30:00'),
            (3, '2026-03-03', 'A', 'L09', 9, 'S2', 'OUT', 10, '2026-03-03 09:30:01');
    """)
    con.commit()
    columns = {"date": "work_date", "shift_code": "shift", "line_code": "line", "hour": "hr",
               "style_code": "article", "stage": "stage_code", "qty": "pieces"}
    config = toml(tmp_path, source("counter", f"sqlite:///{path}", columns,
                                   {"stage": {"OUT": "output", "IN": "loading"}},
                                   target="production", table="line_counts",
                                   watermark="changed_at"))

    def hour_9():
        with engine.connect() as conn:
            return conn.execute(select(schema.production.c.qty).where(
                schema.production.c.line_code == "L02", schema.production.c.hour == 9,
                schema.production.c.date == datetime(2026, 3, 3).date())).scalar()

    [first] = run(engine, config)
    assert (first.read, first.accepted, first.updated, first.rejected) == (3, 2, 0, 1)
    assert first.reasons == ["row 3 (changed_at 2026-03-03 09:30:01): line_code: unknown "
                             "line_code 'L09'"]
    assert hour_9() == 40
    con.execute("UPDATE line_counts SET pieces = 95, changed_at = '2026-03-03 09:59:00' "
                "WHERE id = 2")
    con.commit()
    con.close()
    [second] = run(engine, config)
    assert (second.read, second.accepted, second.updated, second.duplicates) == (1, 1, 1, 0)
    assert hour_9() == 95
    assert second.summary().startswith("counter: 1 read, 1 accepted (1 updated), 0 duplicates")
    [third] = run(engine, config)
    assert (third.read, third.accepted) == (0, 0)


# --- MariaDB and PostgreSQL sources ---------------------------------------------------------------

def _mariadb_source():
    """An empty CHECKINOUT table in the MariaDB test database (made when missing)."""
    url = make_url(TEST_MARIADB_URL)
    try:
        server = create_engine(url.set(database=""))
        with server.begin() as conn:
            conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{url.database}`"))
        server.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if IN_CI:
            pytest.fail(f"CI=true needs MariaDB for the sync tests ({TEST_MARIADB_URL}): {exc}")
        pytest.skip(f"MariaDB is not reachable at {TEST_MARIADB_URL}: {exc}")
    return create_engine(url)


CHECKINOUT = Table("CHECKINOUT", MetaData(), Column("LOGID", Integer, primary_key=True),
                   Column("USERID", String(20)), Column("CHECKTIME", DateTime),
                   Column("CHECKTYPE", String(2)), Column("SENSORID", String(10)))


def _rows(rows):
    badge = {1: "101", 2: "102", 9: "999"}
    return [{"USERID": badge[u], "CHECKTIME": datetime.fromisoformat(ts), "CHECKTYPE": t,
             "SENSORID": s} for u, ts, t, s in rows]


def _lower(rows):
    return [{k.lower(): v for k, v in row.items()} for row in rows]


def _server_source_runs(engine, src, config):
    CHECKINOUT.drop(src, checkfirst=True)
    CHECKINOUT.create(src)
    try:
        with src.begin() as conn:
            conn.execute(CHECKINOUT.insert(), _rows(FIRST))
        [first] = run(engine, config)
        assert first.ok, first.error
        assert (first.read, first.accepted, first.rejected) == (4, 3, 1)
        assert first.watermark_after == "2026-03-02 17:05:00"
        with src.begin() as conn:
            conn.execute(CHECKINOUT.insert(), _rows(SECOND))
        [second] = run(engine, config)
        assert (second.read, second.accepted, second.duplicates) == (2, 2, 0)
        [third] = run(engine, config)
        assert (third.read, third.accepted, third.watermark_after) == (0, 0, "2026-03-03 08:20:00")
        assert len(punches(engine)) == 5
    finally:
        CHECKINOUT.drop(src, checkfirst=True)
        src.dispose()


def test_mariadb_source(plant, tmp_path):
    src = _mariadb_source()
    config = toml(tmp_path, source("zk", TEST_MARIADB_URL, {**ZK_COLUMNS, "device_user_id": "USERID"},
                                   DIRECTIONS, table="CHECKINOUT", watermark="CHECKTIME"))
    _server_source_runs(plant, src, config)


def test_postgresql_source_with_the_password_from_the_environment(sqlite_url, tmp_path,
                                                                   monkeypatch):
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    engine = db.get_engine(sqlite_url)
    attendance_plant(engine, punches=False)
    # the server trusts local connections, so any password goes; the point is where it comes from
    monkeypatch.setenv("SYNC_TEST_PG_PASSWORD", "from-the-env")
    url = make_url(TEST_DATABASE_URL).set(password="${SYNC_TEST_PG_PASSWORD}")
    # PostgreSQL folds unquoted names: its columns are logid, userid, ... while the file says
    # LOGID, USERID, ... as the vendor's manual does; they are matched regardless of case
    lower = Table("sync_src_checkinout", MetaData(), *[
        Column(c.name.lower(), c.type, primary_key=c.primary_key) for c in CHECKINOUT.columns])
    columns = {"device_user_id": "USERID", "ts": "CHECKTIME", "direction": "CHECKTYPE"}
    config = toml(tmp_path, source(
        "pg", url.render_as_string(hide_password=False), columns, DIRECTIONS, watermark="LOGID",
        query="SELECT * FROM sync_src_checkinout WHERE CHECKTYPE IN ('I', 'O');"))
    src = create_engine(TEST_DATABASE_URL)
    lower.drop(src, checkfirst=True)
    lower.create(src)
    try:
        with src.begin() as conn:
            conn.execute(lower.insert(), _lower(_rows(FIRST)))
        [first] = run(engine, config)
        assert first.ok, first.error
        assert (first.read, first.accepted, first.rejected, first.watermark_after) == (4, 3, 1, "4")
        assert "from-the-env" not in first.url
        with src.begin() as conn:
            conn.execute(lower.insert(), _lower(_rows(SECOND)))
        [second] = run(engine, config)
        assert (second.read, second.accepted, second.watermark_before,
                second.watermark_after) == (2, 2, "4", "6")
        [third] = run(engine, config)
        assert (third.read, third.watermark_after) == (0, "6")
        assert len(punches(engine)) == 5
    finally:
        lower.drop(src, checkfirst=True)
        src.dispose()


# --- the command, the schedule --------------------------------------------------------------------

def _settings(url, tmp_path, config, **kw):
    return Settings(database_url=url, cache_dir=str(tmp_path / "cache"), testing=True,
                    secret_key="x", demo_data=False, sync_config=str(config), **kw)


def test_the_sync_command(sqlite_url, zk_file, tmp_path):
    from app import create_app
    from tests.conftest import _forget_dash_callbacks
    engine = db.get_engine(sqlite_url)
    attendance_plant(engine, punches=False)
    add_zk(zk_file, FIRST)
    config = zk_config(tmp_path, f"sqlite:///{zk_file}")
    _forget_dash_callbacks()
    runner = create_app(_settings(sqlite_url, tmp_path, config)).server.test_cli_runner()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "zk: 4 read, 3 accepted, 0 duplicates, 1 rejected; watermark (none) → " \
           "2026-03-02 17:05:00" in result.output
    assert "rejected row 3 (CHECKTIME 2026-03-02 08:01:00): device_user_id: unknown " \
           "device_user_id '999'" in result.output
    result = runner.invoke(args=["sync", "zk"])
    assert result.exit_code == 0 and "zk: 0 read" in result.output
    result = runner.invoke(args=["sync", "erp"])
    assert result.exit_code == 2 and "no source named erp" in result.output
    zk_file.unlink()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1 and "zk: failed: the SQLite source file" in result.output


def test_the_scheduled_sync_runs_only_with_a_config(sqlite_url, zk_file, tmp_path, monkeypatch):
    monkeypatch.delenv("SYNC_CONFIG", raising=False)
    assert Settings.from_env(secret_key="x").sync_config.endswith("instance/sync.toml")
    monkeypatch.setenv("SYNC_CONFIG", "/etc/floorpulse/sync.toml")
    assert Settings.from_env(secret_key="x").sync_config == "/etc/floorpulse/sync.toml"
    engine = db.get_engine(sqlite_url)
    attendance_plant(engine, punches=False)
    add_zk(zk_file, FIRST)
    without = _settings(sqlite_url, tmp_path, tmp_path / "none.toml")
    assert "sync" not in [job.name for job in schedule.enabled_jobs(without)]
    settings = _settings(sqlite_url, tmp_path, zk_config(tmp_path, f"sqlite:///{zk_file}"),
                         sync_every_min=10)
    assert "sync" in [job.name for job in schedule.enabled_jobs(settings)]
    message = schedule.run_job(engine, settings, "sync")
    assert message.startswith("zk: 4 read, 3 accepted")
    assert len(punches(engine)) == 3 and etl_log(engine)[0]["username"] == "schedule"
    # a source that fails makes the job's outcome an error (the Admin page's schedule shows it)
    zk_file.unlink()
    message = schedule.run_job(engine, settings, "sync", due_only=False)
    assert "zk: failed" in message
    with engine.connect() as conn:
        state = conn.execute(select(schema.job_state).where(
            schema.job_state.c.name == "sync")).mappings().first()
    assert state["last_outcome"] == "error" and state["runs"] == 2


# --- the Admin page: sources with their last run, and "Sync now" ----------------------------------

def test_admin_lists_the_sources_and_syncs_now_as_a_background_job(plant, database_url, zk_file,
                                                                   tmp_path):
    from core.context import Context
    from reports import sync as admin_sync
    add_zk(zk_file, FIRST)
    missing = Context.create(_settings(database_url, tmp_path, tmp_path / "none.toml"))
    rows, note = admin_sync.sources_table(missing)
    assert rows.empty and "does not exist" in note
    with pytest.raises(admin_sync.SyncRequestError, match="Nothing to sync"):
        admin_sync.request_sync(missing, "boss")

    ctx = Context.create(_settings(database_url, tmp_path, zk_config(tmp_path, f"sqlite:///{zk_file}")))
    rows, note = admin_sync.sources_table(ctx)
    assert note is None and rows.to_dict("records")[0]["status"] == "not run yet"
    with pytest.raises(admin_sync.SyncRequestError, match="no source 'erp'"):
        admin_sync.request_sync(ctx, "boss", "erp")
    ticket = admin_sync.request_sync(ctx, "boss", "zk")
    seen = []
    outcome = admin_sync.run_sync(ctx, ticket, lambda fraction, message: seen.append(message))
    assert outcome.ok and outcome.message == "Synced 1 source(s): 3 rows accepted."
    assert outcome.lines[0].startswith("zk: 4 read, 3 accepted")
    assert outcome.lines[1] == ("  rejected row 3 (CHECKTIME 2026-03-02 08:01:00): "
                                "device_user_id: unknown device_user_id '999'")
    assert seen == ["zk: 4 rows read"]
    # a ticket is used once
    assert not admin_sync.run_sync(ctx, ticket, lambda *_: None).ok
    [row] = admin_sync.sources_table(ctx)[0].to_dict("records")
    assert (row["source"], row["target"], row["status"], row["read"], row["accepted"],
            row["rejected"], row["watermark"]) == ("zk", "punches", "ok", 4, 3, 1,
                                                   "2026-03-02 17:05:00")
    assert etl_log(plant)[0]["username"] == "boss"
    with plant.connect() as conn:
        actions = conn.execute(select(schema.audit_log.c.action)
                               .order_by(schema.audit_log.c.id)).scalars().all()
    assert actions == ["sync requested", "sync finished"]


@pytest.mark.slow  # runs the benchmark script as a process
def test_sync_bench_quick_mode(tmp_path):
    """bench/sync.py runs (its 1-million-row numbers are in bench/README.md)."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "sync.json"
    result = subprocess.run([sys.executable, str(root / "bench" / "sync.py"), "--quick",
                             "--json", str(out)], capture_output=True, text=True, timeout=600,
                            cwd=root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    runs = json.loads(out.read_text())["runs"]
    assert [r["read"] for r in runs] == [20_000, 1_000, 0]
    assert [r["accepted"] for r in runs] == [20_000, 1_000, 0]
