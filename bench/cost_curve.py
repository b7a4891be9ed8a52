"""The cost curve (issue 20 item 4): how each page's cold report grows with the plant.

    python bench/cost_curve.py --plant demo=URL1 --plant medium=URL2 --plant large=URL3
    python bench/cost_curve.py --plant large=URL3,large.json ...   # reuse a bench/run.py --json

Each plant is a database holding `flask seed-demo --scale NAME --end 2026-03-31T14:00`. For each
plant the script runs `bench/run.py --reuse` on it (cold and warm p95 of every page's report;
or reads the JSON given after the URL) and counts, per page and window, the rows of the fact
tables that page reads in the window (`FACTS`). Then, per page and window, it fits
cold p95 = a × rows^k over the plants (least squares on the logs), and per plant prints how the
365-day cost compares with the 30-day one:

- k near 0: the page costs the same whatever the plant (fixed overhead dominates);
- k near 1: it grows with the rows of its window, as it must when it reads them;
- across windows on one plant, a page that reads its window costs more at 365 days than at 30
  (by at most the ratio of their rows); one that reads all history costs the same at both, and
  more on a plant with more history (the demo plant holds 90 days, the large one 365): that is
  the bug the curve is for.

`--markdown` prints the tables for bench/README.md, `--json FILE` writes every number.
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from harness import END, ROOT, table, write_json  # noqa: E402
from data import db  # noqa: E402

# the fact tables each page reads (all keyed by production day: `date`)
FACTS = {
    "overview": ("production", "line_plans", "qc_checks", "defects", "breakdowns",
                 "attendance_daily", "events"),
    "lines": ("production", "line_plans", "operator_output"),
    "quality": ("qc_checks", "defects"),
    "downtime": ("breakdowns",),
    "workforce": ("attendance_daily", "punches"),
    "utilisation": ("events",),
    "trends": ("production", "line_plans", "qc_checks", "defects", "breakdowns",
               "attendance_daily", "events", "line_daily"),
}
TABLES = sorted({t for tables in FACTS.values() for t in tables})


def _in_window(table: str) -> str:
    """The window's rows of `table`: by production day, or by clock time for the punches (they
    have no day until attendance matches them)."""
    return "ts >= :s_ts and ts < :e_ts" if table == "punches" else "date between :s and :e"


def count_rows(url: str, windows: list[int]) -> dict:
    """{window days: {table: rows in the window}} and {"all": {table: rows}}."""
    engine = db.get_engine(url)
    end = END.date()
    out: dict = {}
    with engine.connect() as conn:
        out["all"] = {t: conn.execute(text(f"select count(*) from {t}")).scalar() for t in TABLES}
        for days in windows:
            start = end - timedelta(days=days - 1)
            out[days] = {t: conn.execute(text(f"select count(*) from {t} where {_in_window(t)}"),
                                         {"s": start, "e": end,
                                          "s_ts": datetime.combine(start, time()),
                                          "e_ts": datetime.combine(end + timedelta(days=1),
                                                                   time())}).scalar()
                         for t in TABLES}
    return out


def run_bench(url: str, windows: list[int], runs: int, only: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--database-url", url, "--reuse",
               "--windows", ",".join(map(str, windows)), "--runs", str(runs), "--naive-runs",
               "1", "--no-extras", "--no-first-start", "--json", str(out)]
        if only:
            cmd += ["--only", only]
        subprocess.run(cmd, check=False)
        return json.loads(out.read_text())


def fit(xs: list[float], ys: list[float]) -> float | None:
    """The exponent k of y = a × x^k (least squares on the logs); None with under two points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None


def curve(plants: list[dict]) -> list[dict]:
    """One row per page and window: rows and cold p95 per plant, and the fitted exponents."""
    rows = []
    first = plants[0]["bench"]["rows"]
    for ref in first:
        view, days = ref["view"], ref["days"]
        row = {"view": view, "days": days}
        xs, ys = [], []
        for p in plants:
            found = [r for r in p["bench"]["rows"] if r["view"] == view and r["days"] == days]
            if not found:
                continue
            n = sum(p["rows"][str(days)][t] for t in FACTS[view])
            row[f"{p['name']}_rows"], row[f"{p['name']}_cold_p95"] = n, found[0]["cold_p95"]
            row[f"{p['name']}_warm_p95"] = found[0]["warm_p95"]
            xs.append(n)
            ys.append(found[0]["cold_p95"])
        row["k"] = fit(xs, ys)
        rows.append(row)
    return rows


def window_ratios(plants: list[dict], short: int, long: int) -> list[dict]:
    """Per plant and page: cold p95 at `long` days over `short` days, beside the rows' ratio."""
    out = []
    for p in plants:
        by = {(r["view"], r["days"]): r for r in p["bench"]["rows"]}
        for view in FACTS:
            if (view, short) not in by or (view, long) not in by:
                continue
            rows = [sum(p["rows"][str(d)][t] for t in FACTS[view]) for d in (short, long)]
            out.append({"plant": p["name"], "view": view,
                        "cost_ratio": by[(view, long)]["cold_p95"] / by[(view, short)]["cold_p95"],
                        "rows_ratio": rows[1] / rows[0] if rows[0] else None})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plant", action="append", required=True,
                    help="NAME=DATABASE_URL[,bench/run.py JSON], smallest plant first")
    ap.add_argument("--windows", default="30,365")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", default=None)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    windows = [int(w) for w in args.windows.split(",")]
    plants = []
    for spec in args.plant:
        name, _, rest = spec.partition("=")
        url, _, given = rest.partition(",")
        bench = (json.loads(Path(given).read_text()) if given
                 else run_bench(url, windows, args.runs, args.only))
        counted = count_rows(url, windows)
        plants.append({"name": name, "url": url, "bench": bench,
                       "rows": {str(k): v for k, v in counted.items()}})
        print(f"{name}: {bench.get('backend')}, {bench.get('events', 0):,} events", flush=True)
    rows = curve(plants)
    names = [p["name"] for p in plants]
    columns = [("view", "view", ""), ("days", "days", "d")]
    for n in names:
        columns += [(f"{n} rows", f"{n}_rows", ",d"), (f"{n} cold p95", f"{n}_cold_p95", ",.0f")]
    columns += [("k", "k", ".2f")]
    print(table(columns, rows, markdown=args.markdown))
    ratios = (window_ratios(plants, min(windows), max(windows)) if len(windows) > 1 else [])
    if ratios:
        print(f"\ncold p95 at {max(windows)} days over {min(windows)} days, beside the rows' ratio")
        print(table([("plant", "plant", ""), ("view", "view", ""),
                     ("cost ratio", "cost_ratio", ".1f"), ("rows ratio", "rows_ratio", ".1f")],
                    ratios, markdown=args.markdown))
    write_json(args.json, {"plants": [{k: v for k, v in p.items() if k != "url"}
                                      for p in plants], "curve": rows, "ratios": ratios})
    return 0


if __name__ == "__main__":
    sys.exit(main())
