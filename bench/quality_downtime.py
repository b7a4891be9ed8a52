"""Quality, Downtime and Trends reports, cold (uncached) and warm (from the cache).

    python bench/quality_downtime.py --database-url sqlite:///instance/floorpulse.db
    python bench/quality_downtime.py --database-url postgresql+psycopg2://.../fp_bench --load

--load replaces the plant data with the demo plant first (90 days, 8 lines, ending at the pinned
2026-03-31 14:00, which is then "now"; without it the real clock is). Each report runs 5 times
uncached over the last 7, 30 and 90 days; p50 and max are printed, then one warm call served
from the cache. bench/run.py measures the same reports against the SQL floor and the naive way.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import END, bench_app, pct, seed, table, timed  # noqa: E402
from data import db  # noqa: E402
from reports import downtime, quality, trends  # noqa: E402
from core.filters import Filters

COLUMNS = [("days", "days", "d"), ("report", "report", ""), ("cold p50", "cold_p50", ",.0f"),
           ("cold max", "cold_max", ",.0f"), ("warm", "warm", ",.1f")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--load", action="store_true", help="load the demo plant first")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if args.load:
        seed(db.get_engine(args.database_url))
    _, ctx = bench_app(args.database_url, now=END if args.load else None)
    now = ctx.now().replace(second=0, microsecond=0)
    rows = []
    for days in (7, 30, 90):
        f = Filters.default(ctx.today(), days)
        reports = (
            ("quality_view", quality.quality_view, (ctx, f, None)),
            ("downtime_view", downtime._downtime_view, (ctx, f, None, now)),
            ("trends", trends._trends, (ctx, f, None, now)),
        )
        for name, report, call in reports:
            cold = timed(lambda: report.uncached(*call), args.runs)
            report(*call)  # fills the cache
            rows.append({"days": days, "report": name, "cold_p50": pct(cold, 50),
                         "cold_max": pct(cold, 100), "warm": timed(lambda: report(*call), 1)[0]})
    print(table(COLUMNS, rows))


if __name__ == "__main__":
    main()
