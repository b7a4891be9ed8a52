"""ZKTeco attlog import (SPEC section 2) on the real sample, read from ../shared/data (not copied):
every punch stored, unknown device users as placeholders, a bad line fails the whole file."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data import db, schema
from ingest.attlog import import_attlog, parse
from tests.attendance_plant import NOW, attendance_plant

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "zkteco_attlog_sample.dat"


def _sample_lines() -> list[list[str]]:
    return [line.split("\t") for line in SAMPLE.read_text().splitlines() if line.strip()]


@pytest.fixture
def sample():
    if not SAMPLE.exists():
        pytest.fail(f"the attlog sample is missing: {SAMPLE}")
    return _sample_lines()


def _count(conn, table, *where):
    stmt = select(func.count()).select_from(table)
    for w in where:
        stmt = stmt.where(w)
    return conn.execute(stmt).scalar()


def test_parse_maps_states_and_keeps_every_line(sample):
    df, errors = parse(SAMPLE.read_text(), SAMPLE.name)
    assert errors == [] and len(df) == len(sample) == 538
    states = Counter(fields[3] for fields in sample)
    directions = Counter(df["direction"])
    # 0 = IN and 4 = overtime IN; 1 = OUT
    assert directions["IN"] == states["0"] + states["4"] and directions["OUT"] == states["1"]
    assert df["device_user_id"].str.strip().eq(df["device_user_id"]).all()  # padding trimmed


def test_sample_imports_with_no_punch_lost(engine, sample):
    attendance_plant(engine, punches=False)
    with engine.begin() as conn:  # one known device user: id 5 is E001
        conn.execute(schema.employees.update().where(schema.employees.c.emp_code == "E001")
                     .values(device_user_id="5"))
    report = import_attlog(engine, SAMPLE, now=NOW)
    users = {fields[0].strip() for fields in sample}
    assert report.ok and report.errors == []
    assert (report.lines, report.accepted, report.duplicates) == (538, 538, 0)
    assert len(report.placeholders) == len(users) - 1 == 52
    with engine.connect() as conn:
        assert _count(conn, schema.punches) == 538
        assert _count(conn, schema.punches, schema.punches.c.emp_code == "E001") == sum(
            1 for f in sample if f[0].strip() == "5")
        placeholder = conn.execute(select(schema.employees).where(
            schema.employees.c.emp_code == "DEV-1")).mappings().one()
        assert placeholder["is_placeholder"] and placeholder["device_user_id"] == "1"
        assert placeholder["shift_code"] is None  # follows the default shift
        assert str(placeholder["date_joined"]) == "2020-02-24"
    again = import_attlog(engine, SAMPLE, now=NOW)  # idempotent
    assert (again.accepted, again.duplicates, again.placeholders) == (0, 538, [])


def test_sample_punches_become_attendance(engine, make_app, database_url):
    attendance_plant(engine, punches=False)
    runner = make_app(database_url).server.test_cli_runner()
    result = runner.invoke(args=["import-attlog", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "538 punches read: 538 stored" in result.output
    result = runner.invoke(args=["process-attendance", "--start", "2020-02-24",
                                 "--end", "2020-02-27"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        ad = schema.attendance_daily
        # every punch of the sample (10:52-17:04) falls in shift A's window (07:00-18:00)
        assert _count(conn, schema.punches, schema.punches.c.processed.is_(True)) == 538
        assert _count(conn, schema.punches, schema.punches.c.unmatched.is_(True)) == 0
        punched = conn.execute(select(func.sum(ad.c.punch_count)).where(
            ad.c.emp_code.like("DEV-%"))).scalar()
        # doubles within 60 s count once; everything else is in some day's record
        assert 0 < punched <= 538
        days = conn.execute(select(func.count(func.distinct(ad.c.date))).where(
            ad.c.emp_code.like("DEV-%"))).scalar()
        assert days == 4  # 24th to 27th: the 25th has no punches, so placeholders are A


def test_a_malformed_line_fails_the_file_and_writes_nothing(engine, tmp_path, make_app,
                                                            database_url):
    attendance_plant(engine, punches=False)
    lines = SAMPLE.read_text().splitlines()
    lines[2] = "        7\t2020-02-24 25:61:00\t1\t0\t0\t0"
    lines[9] = "\t2020-02-24 11:00:00\t1\t0\t0\t0"
    bad = tmp_path / "bad.dat"
    bad.write_text("\n".join(lines) + "\n")
    report = import_attlog(engine, bad, now=NOW)
    assert not report.ok
    assert report.errors[0].startswith("bad.dat:3: timestamp: '2020-02-24 25:61:00'")
    assert report.errors[1].startswith("bad.dat:10: user id")
    with engine.connect() as conn:
        assert _count(conn, schema.punches) == 0
        assert _count(conn, schema.employees, schema.employees.c.is_placeholder.is_(True)) == 0
        history = conn.execute(select(schema.imports.c.status, schema.imports.c.kind)).all()
        assert history == [("failed", "attlog")]
    result = make_app(database_url).server.test_cli_runner().invoke(
        args=["import-attlog", str(bad)])
    assert result.exit_code == 1 and "bad.dat:3:" in result.output
    assert "nothing was written" in result.output


def test_process_attendance_rejects_a_reversed_range(engine, make_app, database_url):
    result = make_app(database_url).server.test_cli_runner().invoke(
        args=["process-attendance", "--start", "2026-03-05", "--end", "2026-03-01"])
    assert result.exit_code != 0 and "--end" in result.output
    with engine.connect() as conn:
        assert db.get_data_version(conn) == 0
