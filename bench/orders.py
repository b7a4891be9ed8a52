"""Orders benchmark: the /api/v1/orders report and the Orders page, cold and warm.

    python bench/orders.py                    # demo plant on SQLite, 10 runs each
    python bench/orders.py --scale medium
    python bench/orders.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench

Seeds the demo plant with bench/run.py's pinned end (2026-03-31 14:00, seed 42; a PostgreSQL
database is emptied and reloaded), then measures, for "today" = 2026-03-31:
- the `orders` report (every order with its pace and projection: the API's view) and the
  Orders page's report (open orders, on-time delivery over 30 and 90 days, shortages), with the
  cache cleared before every run (cold) and served from it (warm);
- the floor: the two bare queries the reports need (work orders; output per line, style and day
  over the 28-day pace window);
- the payload: the API's JSON and the page content's JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (END, bench_app, cold_times, p50_p95, payload_bytes, pct, seed,  # noqa: E402
                     table, temp_sqlite_url, timed)
from core.serialize import records
from data import db  # noqa: E402
from metrics.orders import rate_window  # noqa: E402
from queries import orders as q  # noqa: E402
from reports import orders as reports  # noqa: E402
from core.filters import Filters

COLUMNS = [("view", "view", ""), ("days", "days", "d"), ("cold p50", "cold_p50", ".1f"),
           ("cold p95", "cold_p95", ".1f"), ("warm p50", "warm_p50", ".2f"),
           ("warm p95", "warm_p95", ".2f"), ("payload KB", "payload_kb", ".1f")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--scale", default="demo", choices=["demo", "medium", "large"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    args = ap.parse_args()

    url = args.database_url or temp_sqlite_url("fp-bench-orders-")
    engine = db.get_engine(url)
    if not args.reuse:
        counts = seed(engine, args.scale)
        print(f"{counts['work_orders']} work orders, {counts['material_issues']} material rows")
    app, ctx = bench_app(url)  # "today" for the page too is END's day
    page = sys.modules["pages.orders"]
    today = END.date()

    def floor():
        with engine.connect() as conn:
            orders = q.work_orders(conn)
            q.daily_output(conn, list(orders["line_code"].dropna().unique()), *rate_window(today))

    views = {"orders (API)": lambda f: reports.orders(ctx, today),
             "orders page": lambda f: reports.orders_page(ctx, f, None, today=today)}
    floor_ms = timed(floor, args.runs)
    print(f"\n{engine.dialect.name}, {args.runs} runs; ms. Floor (the two bare queries): "
          f"p50 {pct(floor_ms, 50):.1f}, p95 {pct(floor_ms, 95):.1f}\n")
    rows = []
    with app.server.test_request_context():
        for days in (30, 90):
            f = Filters(start=today - timedelta(days=days - 1), end=today)
            for name, view in views.items():
                if name == "orders (API)" and days != 30:
                    continue  # the API view has no date window
                row = {"view": name, "days": days if name == "orders page" else None}
                row["cold_p50"], row["cold_p95"] = p50_p95(cold_times(ctx, lambda: view(f),
                                                                      args.runs))
                row["warm_p50"], row["warm_p95"] = p50_p95(timed(lambda: view(f), args.runs))
                if name == "orders page":
                    size = payload_bytes(page.build(ctx, f, None))
                else:
                    size = len(json.dumps(records(view(f)["rows"], None), default=str))
                row["payload_kb"] = size / 1024
                rows.append(row)
    print(table(COLUMNS, rows, markdown=True))


if __name__ == "__main__":
    main()
