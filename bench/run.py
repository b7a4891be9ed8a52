"""FloorPulse benchmark: report functions against the bare SQL floor and the naive pandas way.

    python bench/run.py                       # demo plant on SQLite, 10 runs each
    python bench/run.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/bench
    python bench/run.py --scale medium --runs 20
    python bench/run.py --quick               # a few seconds: the CI smoke mode

For each page's report and each window it measures cold (cache cleared) and warm (cached) p50/p95,
the bare SQL aggregate that computes the same numbers (the floor), the naive way (read the fact
rows of the window into pandas and aggregate there), and the size of the JSON the page sends.
It also times the first `python app.py` on an empty database until the demo answers.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import plotly  # noqa: E402
from sqlalchemy import text  # noqa: E402

from data import db, demo  # noqa: E402
from reports import production as reports  # noqa: E402
from reports.filters import Filters  # noqa: E402

END = datetime(2026, 3, 31, 14)  # pinned, so every run measures the same plant

BARE_SQL = """
select p.line_code, sum(p.qty) as output, sum(p.qty * s.smv) as earned_minutes
from production p left join styles s on s.style_code = p.style_code
where p.stage = 'output' and p.date between :start and :end group by p.line_code;
select line_code, sum(target_qty) as target,
       sum((operators + coalesce(helpers, 0)) * working_minutes) as available_minutes
from line_plans where date between :start and :end group by line_code
"""


def pct(values, q):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bare_sql(engine, f: Filters):
    with engine.connect() as conn:
        for stmt in BARE_SQL.strip().split(";"):
            conn.execute(text(stmt), {"start": f.start, "end": f.end}).fetchall()


def naive(engine, f: Filters):
    """What a Dash sample app does: pull the window's fact rows into pandas, aggregate there."""
    with engine.connect() as conn:
        prod = pd.read_sql(text("select * from production where date between :s and :e"), conn,
                           params={"s": f.start, "e": f.end})
        plans = pd.read_sql(text("select * from line_plans where date between :s and :e"), conn,
                            params={"s": f.start, "e": f.end})
        styles = pd.read_sql(text("select * from styles"), conn)
    out = prod[prod["stage"] == "output"].merge(styles, on="style_code", how="left")
    out["earned"] = out["qty"] * out["smv"]
    g = out.groupby("line_code")[["qty", "earned"]].sum()
    plans["available"] = (plans["operators"] + plans["helpers"]) * plans["working_minutes"]
    p = plans.groupby("line_code")[["target_qty", "available"]].sum()
    return g.join(p, how="outer")


def payload_bytes(page_module, ctx, f: Filters) -> int:
    component = page_module.build(ctx, f, None)
    return len(json.dumps(component.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_start_seconds() -> float:
    """`python app.py` on an empty SQLite database until the demo answers."""
    tmp = Path(tempfile.mkdtemp(prefix="fp-first-"))
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp / 'fp.db'}", CACHE_DIR=str(tmp / "c"),
               PORT=str(port), LOG_LEVEL="WARNING")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the app did not answer within 120 s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--scale", default="demo", choices=["demo", "medium", "large"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--windows", default="1,30,90", help="window lengths in days")
    ap.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    ap.add_argument("--quick", action="store_true", help="tiny plant, 2 runs: a smoke test")
    ap.add_argument("--no-first-start", action="store_true")
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fp-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    engine = db.get_engine(url)
    seed_kwargs = {"scale": args.scale, "end": END}
    if args.quick:
        args.runs, args.windows = 2, "1,7"
        seed_kwargs.update(days=7, lines=2)
    if not args.reuse:
        db.create_schema(engine)
        t0 = time.perf_counter()
        counts = demo.load_demo(engine, **seed_kwargs)
        print(f"seeded {sum(counts.values()):,} rows ({args.scale}) in "
              f"{time.perf_counter() - t0:.1f} s on {engine.dialect.name}")

    from app import create_app
    from settings import Settings
    settings = Settings(database_url=url, cache_dir=str(tmp / "cache"), demo_data=False)
    app = create_app(settings)
    ctx = app.server.extensions["floorpulse"]
    pages = {name: sys.modules[f"pages.{name}"] for name in ("overview", "lines")}
    views = {"overview": lambda f: reports.overview(ctx, f, None, now=END),
             "lines": lambda f: reports.line_detail(ctx, f, None, now=END)}

    rows = []
    with app.server.test_request_context():
        for days in [int(d) for d in args.windows.split(",")]:
            f = Filters(start=END.date() - timedelta(days=days - 1), end=END.date())
            floor = timed(lambda: bare_sql(engine, f), args.runs)
            base = timed(lambda: naive(engine, f), args.runs)
            for name, view in views.items():
                cold = []
                for _ in range(args.runs):
                    ctx.cache.clear()
                    cold += timed(lambda: view(f), 1)
                warm = timed(lambda: view(f), args.runs)
                rows.append({
                    "view": name, "days": days, "cold_p50": pct(cold, 50),
                    "cold_p95": pct(cold, 95), "warm_p50": pct(warm, 50),
                    "warm_p95": pct(warm, 95), "sql_p95": pct(floor, 95),
                    "naive_p95": pct(base, 95),
                    "payload_kb": payload_bytes(pages[name], ctx, f) / 1024,
                })
    hdr = (f"{'view':<9}{'days':>5}{'cold p50':>10}{'cold p95':>10}{'warm p50':>10}"
           f"{'warm p95':>10}{'SQL p95':>9}{'naive p95':>11}{'cold/SQL':>10}{'naive/cold':>12}"
           f"{'payload KB':>12}")
    print(f"\n{engine.dialect.name}, {args.scale} plant, {args.runs} runs, times in ms")
    print(hdr)
    for r in rows:
        print(f"{r['view']:<9}{r['days']:>5}{r['cold_p50']:>10.1f}{r['cold_p95']:>10.1f}"
              f"{r['warm_p50']:>10.2f}{r['warm_p95']:>10.2f}{r['sql_p95']:>9.1f}"
              f"{r['naive_p95']:>11.1f}{r['cold_p95'] / r['sql_p95']:>10.1f}"
              f"{r['naive_p95'] / r['cold_p95']:>12.2f}{r['payload_kb']:>12.1f}")
    result = {"backend": engine.dialect.name, "scale": args.scale, "runs": args.runs,
              "rows": rows}
    if not args.no_first_start and not args.quick:
        result["first_start_s"] = first_start_seconds()
        print(f"\nfirst start (python app.py on an empty SQLite database until it answers): "
              f"{result['first_start_s']:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
