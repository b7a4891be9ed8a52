"""The ingestion and utilisation benchmarks' quick modes run in CI so they cannot rot (their
numbers are in bench/README.md; no budget is asserted here)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # runs the benchmark scripts as processes


def _run(script: str, tmp_path) -> dict:
    out = tmp_path / f"{script}.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--quick",
                             "--json", str(out)], capture_output=True, text=True, timeout=600,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(out.read_text())


def test_ingest_bench_quick_mode(tmp_path):
    rows = _run("ingest_events.py", tmp_path)["rows"]
    assert {(r["batch"], r["path"]) for r in rows} == {
        (size, path) for size in (100, 1000) for path in ("store", "ingest", "http")}
    assert all(r["events_per_s"] > 0 for r in rows)


def test_data_ingest_bench_quick_mode(tmp_path):
    rows = _run("ingest_data.py", tmp_path)["rows"]
    assert {(r["batch"], r["path"]) for r in rows} == {(100, "ingest"), (100, "http"),
                                                       (1000, "ingest"), (1000, "http")}
    assert all(r["new_per_s"] > 0 and r["grown_per_s"] > 0 for r in rows)


def test_utilisation_bench_quick_mode(tmp_path):
    result = _run("utilisation.py", tmp_path)
    assert result["events"] > 100_000
    views = {(r["view"], r["days"]) for r in result["rows"]}
    assert ("workers", 30) in views and ("timeline", 1) in views
    assert all(r["median_ms"] > 0 for r in result["rows"])
