"""Engineering benchmark: the /engineering page's reports (line balance and changeovers of one
line) and its two endpoints' views, cold and warm.

    python bench/engineering.py                    # demo plant on SQLite, 10 runs each
    python bench/engineering.py --scale medium
    python bench/engineering.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench

Seeds the demo plant with bench/run.py's pinned end (2026-03-31 14:00, seed 42; a PostgreSQL
database is emptied and reloaded), then measures for the first line and windows of 30 and 90
days ending 2026-03-30:
- the page's report (`engineering_view`: balance and changeovers) with the cache cleared before
  every run (cold) and served from it (warm); the budget is a cold page <= 300 ms at 30 days;
- the floor: the five bare queries the reports make (operator output per operation and style,
  plan sums, output and plan per line-day-style, the day before the window);
- the payload: the page content's JSON.
"""
from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (END, bench_app, cold_times, p50_p95, payload_bytes, pct, seed,  # noqa: E402
                     table, temp_sqlite_url, timed)
from core.filters import Filters  # noqa: E402
from data import db  # noqa: E402
from queries import engineering as q  # noqa: E402
from reports import engineering as reports  # noqa: E402

COLUMNS = [("days", "days", "d"), ("floor p50", "floor_p50", ".1f"),
           ("cold p50", "cold_p50", ".1f"), ("cold p95", "cold_p95", ".1f"),
           ("warm p50", "warm_p50", ".2f"), ("warm p95", "warm_p95", ".2f"),
           ("payload KB", "payload_kb", ".1f"), ("budget", "budget", "")]
BUDGET_MS = 300


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--scale", default="demo", choices=["demo", "medium", "large"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--line", default="L01")
    ap.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    args = ap.parse_args()

    url = args.database_url or temp_sqlite_url("fp-bench-engineering-")
    engine = db.get_engine(url)
    if not args.reuse:
        counts = seed(engine, args.scale)
        print(f"{counts['operator_output']:,} operator output rows, "
              f"{counts['production']:,} production rows")
    app, ctx = bench_app(url)
    page = sys.modules["pages.engineering"]
    last = END.date() - timedelta(days=1)
    rows = []
    with app.server.test_request_context():
        for days in (30, 90):
            f = Filters(start=last - timedelta(days=days - 1), end=last, lines=(args.line,))

            def floor():
                with engine.connect() as conn:
                    q.operation_sums(conn, f)
                    q.plan_sums(conn, f)
                    q.styles_by_day(conn, f)
                    q.available_by_day(conn, f)
                    q.day_before(conn, f.start, f)

            view = lambda: reports.engineering_view(ctx, f)  # noqa: E731
            row = {"days": days, "floor_p50": pct(timed(floor, args.runs), 50)}
            row["cold_p50"], row["cold_p95"] = p50_p95(cold_times(ctx, view, args.runs))
            row["warm_p50"], row["warm_p95"] = p50_p95(timed(view, args.runs))
            row["payload_kb"] = payload_bytes(page.build(ctx, f, None)) / 1024
            row["budget"] = ("ok" if days != 30 or row["cold_p50"] <= BUDGET_MS
                             else f"MISS (cold > {BUDGET_MS} ms)")
            rows.append(row)
    print(f"\n{engine.dialect.name}, {args.scale} plant, line {args.line}, {args.runs} runs; ms\n")
    print(table(COLUMNS, rows, markdown=True))


if __name__ == "__main__":
    main()
