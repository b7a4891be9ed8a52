"""The benchmark harness's quick mode runs in CI so it cannot rot (budgets are not asserted here)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_mode_runs_and_prints_the_table(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick",
                             "--json", str(out)], capture_output=True, text=True, timeout=300,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "naive/cold" in result.stdout
    import json
    rows = json.loads(out.read_text())["rows"]
    assert {r["view"] for r in rows} == {"overview", "lines"}
    assert all(r["warm_p95"] > 0 and r["payload_kb"] > 0 for r in rows)
