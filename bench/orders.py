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
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import plotly  # noqa: E402

from run import END, pct, timed  # noqa: E402
from api.serialize import records  # noqa: E402
from data import db, demo  # noqa: E402
from metrics.orders import rate_window  # noqa: E402
from queries import orders as q  # noqa: E402
from reports import orders as reports  # noqa: E402
from reports.filters import Filters  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--scale", default="demo", choices=["demo", "medium", "large"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fp-bench-orders-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    engine = db.get_engine(url)
    if not args.reuse:
        db.create_schema(engine)
        t0 = time.perf_counter()
        counts = demo.load_demo(engine, scale=args.scale, end=END)
        print(f"seeded {sum(counts.values()):,} rows ({args.scale}: "
              f"{counts['work_orders']} work orders, {counts['material_issues']} material rows) "
              f"in {time.perf_counter() - t0:.1f} s on {engine.dialect.name}")

    from app import create_app
    from settings import Settings
    app = create_app(Settings(database_url=url, cache_dir=str(tmp / "cache"), demo_data=False))
    ctx = app.server.extensions["floorpulse"]
    ctx.now = lambda: END  # the plant's clock at the pinned end: "today" for the page too
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
    print("| view | days | cold p50 | cold p95 | warm p50 | warm p95 | payload KB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with app.server.test_request_context():
        for days in (30, 90):
            f = Filters(start=today - timedelta(days=days - 1), end=today)
            for name, view in views.items():
                if name.startswith("orders (API)") and days != 30:
                    continue  # the API view has no date window
                cold = timed(lambda: (ctx.cache.clear(), view(f)), args.runs)
                warm = timed(lambda: view(f), args.runs)
                if name == "orders page":
                    body = page.build(ctx, f, None).to_plotly_json()
                    size = len(json.dumps(body, cls=plotly.utils.PlotlyJSONEncoder))
                else:
                    size = len(json.dumps(records(view(f)["rows"], None), default=str))
                print(f"| {name} | {days if name == 'orders page' else '—'} | "
                      f"{pct(cold, 50):.1f} | {pct(cold, 95):.1f} | {pct(warm, 50):.2f} | "
                      f"{pct(warm, 95):.2f} | {size / 1024:.1f} |")


if __name__ == "__main__":
    main()
