"""The real UCI garment productivity file (CC BY 4.0, DOI 10.24432/C51S6D) into line_daily.

The expected numbers are worked out here, independently of data/uci.py, with the csv module.
"""
import csv
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data import db, schema
from ingest.uci import import_uci, read_uci

UCI = Path(__file__).resolve().parents[2] / "shared" / "data" / "garments_worker_productivity.csv"
pytestmark = pytest.mark.skipif(not UCI.exists(), reason=f"{UCI} is not there")


def _expected():
    """Per line over the whole file: Σ actual × workers / Σ workers, Σ workers, days."""
    sums = defaultdict(lambda: [0.0, 0.0, 0.0, set()])
    with open(UCI, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            dept = row["department"].strip().replace("sweing", "sewing")
            s = sums[f"{dept}-{int(row['team'])}"]
            workers = float(row["no_of_workers"])
            s[0] += float(row["actual_productivity"]) * workers
            s[1] += float(row["targeted_productivity"]) * workers
            s[2] += workers
            s[3].add(row["date"])
    return {line: (a / w, t / w, w, len(days)) for line, (a, t, w, days) in sums.items()}


def test_read_uci_fixes_the_quirks():
    rows = read_uci(UCI)
    assert len(rows) == 1197
    assert rows["line_code"].nunique() == 24 and rows["date"].nunique() == 59
    assert set(rows["department"]) == {"sewing", "finishing"}  # trimmed, sweing corrected
    assert rows["wip"].isna().sum() == 506  # blank wip is unknown, not 0
    first = rows.iloc[0]  # 1/1/2015,Quarter1,sweing,Thursday,8,0.8,26.16,1108,7080,98,...,59
    assert (str(first["date"]), first["line_code"]) == ("2015-01-01", "sewing-8")
    assert first["wip"] == 1108 and first["operators"] == 59 and first["overtime_min"] == 7080
    assert first["actual_productivity"] == pytest.approx(0.940725424)


def test_import_uci_and_the_api_agree_with_the_file(database_url, engine, make_app):
    report = import_uci(engine, UCI)
    assert (report.rows, report.lines, report.dates, report.errors) == (1197, 24, 59, [])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.line_daily)).scalar() == 1197
        lines = conn.execute(select(schema.lines.c.line_code)).scalars().all()
    assert len(lines) == 24 and "finishing-10" in lines
    again = import_uci(engine, UCI)  # re-import updates, never duplicates
    assert again.rows == 1197
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.line_daily)).scalar() == 1197

    from auth import users
    app = make_app(database_url)
    with engine.begin() as conn:
        token = users.create_token(conn, users.create_user(conn, "a", "admin-password",
                                                           role="admin"))
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    body = client.get("/api/v1/line-daily?start=2015-01-01&end=2015-03-11&group_by=line"
                      ).get_json()
    got = {row["line_code"]: row for row in body["rows"]}
    expected = _expected()
    assert set(got) == set(expected)
    for line in ("sewing-1", "sewing-8", "finishing-10", "finishing-3"):
        actual, target, workers, days = expected[line]
        assert got[line]["actual_productivity"] == pytest.approx(actual), line
        assert got[line]["target_productivity"] == pytest.approx(target), line
        assert got[line]["operators"] == pytest.approx(workers)
        assert got[line]["days"] == days
    one = client.get("/api/v1/line-daily?start=2015-01-01&end=2015-01-01&line=sewing-8"
                     ).get_json()
    assert one["rows"][0]["actual_productivity"] == pytest.approx(0.940725424)


def test_cli_import_uci(sqlite_url, make_app, tmp_path):
    runner = make_app(sqlite_url).server.test_cli_runner()
    result = runner.invoke(args=["import-uci", str(UCI)])
    assert result.exit_code == 0, result.output
    assert "1197 rows, 24 lines, 59 dates" in result.output
    bad = tmp_path / "bad.csv"
    text = UCI.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("1/1/2015", "2015-13-45", 1)  # line 3 of the file
    text[5] = text[5].replace(",sweing,", ",,", 1)  # line 6
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    db.create_schema(db.get_engine(fresh))
    result = make_app(fresh).server.test_cli_runner().invoke(args=["import-uci", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv:3: date: not a M/D/YYYY date" in result.output
    assert "bad.csv:6: department: empty" in result.output
    assert "nothing was written" in result.output
    with db.get_engine(fresh).connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.line_daily)).scalar() == 0
    missing = runner.invoke(args=["import-uci", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
