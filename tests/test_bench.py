"""The benchmark harness's quick mode runs in CI so it cannot rot: a tiny plant on SQLite, every
page's report, its floor and the naive way, the extras. Budgets are not asserted here (the
benchmark prints them); no timing is."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # runs the benchmark scripts as processes
VIEWS = {"overview", "lines", "quality", "downtime", "workforce", "utilisation", "trends"}
TIMES = ("cold_p50", "cold_p95", "warm_p50", "warm_p95", "sql_p95", "naive_p95", "payload_kb")


def test_bench_quick_mode_measures_every_page_and_prints_the_table(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick",
         "--database-url", f"sqlite:///{tmp_path / 'bench.db'}", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    header = ("view", "days", "cold p50", "cold p95", "warm p50", "warm p95", "SQL p95",
              "naive p95", "cold/SQL", "naive/cold", "payload KB", "budget")
    assert any(all(h in line for h in header) for line in result.stdout.splitlines())
    data = json.loads(out.read_text())
    rows = data["rows"]
    assert {(r["view"], r["days"]) for r in rows} == {(v, d) for v in VIEWS for d in (1, 7)}
    for r in rows:
        assert all(r[k] > 0 for k in TIMES), r
        # the report, the hand-written floor and the pandas way compute the same numbers
        assert r["numbers_agree"], r["mismatch"]
        assert r["budget"] == "ok" or r["budget"].startswith("MISS")
    assert data["events"] > 0
    extras = data["extras"]
    assert {"ingest", "http"} <= {r["path"] for r in extras["ingest"]}
    assert all(r["events_per_s"] > 0 for r in extras["ingest"])
    assert extras["attendance"][1]["written"] > 0  # the first process-attendance run


def test_cost_curve_counts_each_pages_window_rows_and_fits_the_growth(tmp_path):
    """bench/cost_curve.py on the plant the quick bench leaves: every fact table's rows in a
    window (the punches by clock time: they have no production day) and the fitted exponent."""
    sys.path.insert(0, str(ROOT / "bench"))
    import cost_curve
    from datetime import datetime
    from demo.load import load_demo
    from data import db

    url = f"sqlite:///{tmp_path / 'curve.db'}"
    engine = db.get_engine(url)
    db.create_schema(engine)
    load_demo(engine, days=10, lines=2, end=datetime(2026, 3, 31, 14))
    counted = cost_curve.count_rows(url, [3, 7])
    assert set(counted[7]) == set(cost_curve.TABLES)
    for table in ("production", "punches", "events", "attendance_daily"):
        assert 0 < counted[3][table] < counted[7][table] <= counted["all"][table], table
    assert cost_curve.fit([10, 100, 1000], [1, 10, 100]) == pytest.approx(1.0)
    assert cost_curve.fit([10, 100], [5, 5]) == pytest.approx(0.0)
    assert cost_curve.fit([10], [5]) is None
