"""Utilisation report time over the benchmark plant's ten million camera events.

    python bench/utilisation.py --database-url sqlite:////tmp/fp_bench/large.db --load
    python bench/utilisation.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench6 --load
    python bench/utilisation.py --database-url ... --runs 5          # measure again, no reload
    python bench/utilisation.py --quick                              # the demo plant: CI smoke mode

`--load` replaces the database's plant data with `seed-demo --scale large` (a year, 40 lines,
about 2,000 people, ten million camera events; END pinned below) and says how long that took.
Then, for a window of 1 day and of 30 days ending the day before END, it times (milliseconds,
median and max over the runs, cache cold every time):
- **workers** / **stations**: the API's report functions (state minutes by LEAD over the events
  in SQL, units, ratios);
- **page**: everything the Utilisation page needs (workers, stations, daily by line, lowest);
- **timeline**: one day's state timeline (gaps and islands in SQL);
- **warm**: workers again from the cache.
Never run it in CI with --load: it takes many minutes and gigabytes.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from harness import (END, bench_app, cold_times, pct, seed, table,  # noqa: E402
                     temp_sqlite_url, timed, write_json)
from data import db, schema  # noqa: E402
from reports import utilisation as reports  # noqa: E402
from core.filters import Filters

COLUMNS = [("view", "view", ""), ("days", "days", "d"),
           ("events in window", "events_in_window", ",d"), ("median ms", "median_ms", ",.1f"),
           ("max ms", "max_ms", ",.0f"), ("rows", "rows", "d")]


def load(url: str, scale: str) -> dict:
    engine = db.get_engine(url)
    schema.events.drop(engine, checkfirst=True)  # made again with today's indexes
    t0 = time.perf_counter()
    last = {"at": 0.0}

    def progress(fraction, message):
        if time.perf_counter() - last["at"] > 30:
            last["at"] = time.perf_counter()
            print(f"  {fraction:5.1%} {message} ({time.perf_counter() - t0:.0f} s)", flush=True)

    counts = seed(engine, scale, progress=progress)
    return {"load_s": time.perf_counter() - t0, "events": counts["events"]}


def measure(url: str, runs: int) -> list[dict]:
    _, ctx = bench_app(url, now=None, testing=True)
    rules = reports._rules(ctx)
    last_day = END.date() - timedelta(days=1)
    rows = []
    for days in (1, 30):
        f = Filters(start=last_day - timedelta(days=days - 1), end=last_day)
        views = {
            "workers": lambda f=f: reports._workers_report.uncached(ctx, f, rules, None),
            "stations": lambda f=f: reports._stations_report.uncached(ctx, f, rules, None),
            "page": lambda f=f: reports._page.uncached(ctx, f, rules, None),
            "timeline": lambda f=f: reports._timeline.uncached(ctx, f.end, f, rules, None),
        }
        for name, fn in views.items():
            # cold: the shared per-window pass is cached too
            times = cold_times(ctx, fn, runs)
            rows.append({"view": name, "days": days, "median_ms": pct(times, 50),
                         "max_ms": pct(times, 100), "rows": _size(fn())})
        ctx.cache.clear()
        reports.workers(ctx, f)  # fill the cache
        rows.append({"view": "workers (warm)", "days": days,
                     "median_ms": timed(lambda: reports.workers(ctx, f), 1)[0]})
    with db.get_engine(url).connect() as conn:
        events_in_window = conn.execute(text(
            "select count(*) from events where date between :a and :b"),
            {"a": last_day - timedelta(days=29), "b": last_day}).scalar()
        day_events = conn.execute(text("select count(*) from events where date = :a"),
                                  {"a": last_day}).scalar()
    for r in rows:
        r["events_in_window"] = day_events if r["days"] == 1 else events_in_window
    return rows


def _size(result):
    """Rows the view returns (workers, stations or timeline segments)."""
    for key in ("rows", "segments", "workers"):
        if hasattr(result.get(key), "__len__"):
            return len(result[key])
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--load", action="store_true")
    ap.add_argument("--scale", default="large")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    url = args.database_url
    info = {}
    if args.quick:
        url = url or temp_sqlite_url(name="util.db")
        info = load(url, "demo")
        args.runs = 1
    elif args.load:
        info = load(url, args.scale)
    if info:
        print(f"loaded {info['events']:,} events in {info['load_s']:.0f} s")
    with db.get_engine(url).connect() as conn:
        total = conn.execute(text("select count(*) from events")).scalar()
    rows = measure(url, args.runs)
    backend = db.get_engine(url).dialect.name
    print(f"{backend}: {total:,} events in the table")
    print(table(COLUMNS, rows, markdown=True))
    write_json(args.json, {"backend": backend, "events": total, **info, "rows": rows})


if __name__ == "__main__":
    main()
