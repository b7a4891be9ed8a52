"""Quality, Downtime and Trends reports, cold (uncached) and warm (from the cache).

    python bench/quality_downtime.py --database-url sqlite:///instance/floorpulse.db
    python bench/quality_downtime.py --database-url postgresql+psycopg2://.../fp_bench --load

--load replaces the plant data with the demo plant first (90 days, 8 lines). Each report runs 5
times uncached over the last 7, 30 and 90 complete days; p50 and max are printed, then one warm
call served from the cache.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import db  # noqa: E402
from reports import downtime, quality, trends  # noqa: E402
from reports.context import Context  # noqa: E402
from reports.filters import Filters  # noqa: E402
from settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--load", action="store_true", help="load the demo plant first")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if args.load:
        from data import demo
        db.create_schema(db.get_engine(args.database_url))
        t0 = time.perf_counter()
        demo.load_demo(db.get_engine(args.database_url))
        print(f"demo plant loaded in {time.perf_counter() - t0:.1f} s")
    ctx = Context.create(Settings(database_url=args.database_url, cache_dir=tempfile.mkdtemp()))
    now = ctx.now().replace(second=0, microsecond=0)
    for days in (7, 30, 90):
        f = Filters.default(ctx.today(), days)
        reports = (
            ("quality_view", quality.quality_view, (ctx, f, None)),
            ("downtime_view", downtime._downtime_view, (ctx, f, None, now)),
            ("trends", trends._trends, (ctx, f, None, now)),
        )
        for name, report, call in reports:
            cold = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                report.uncached(*call)
                cold.append((time.perf_counter() - t0) * 1000)
            report(*call)  # fills the cache
            t0 = time.perf_counter()
            report(*call)
            warm = (time.perf_counter() - t0) * 1000
            print(f"{days:>3} days {name:<14} cold p50 {statistics.median(cold):6.0f} ms "
                  f"max {max(cold):6.0f} ms   warm {warm:5.1f} ms")


if __name__ == "__main__":
    main()
