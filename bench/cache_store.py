"""The warm read path with the report cache in Redis against the local diskcache, side by side.

    python bench/cache_store.py                                  # demo plant in a temporary SQLite
    python bench/cache_store.py --redis-url redis://127.0.0.1:6379/15 --rounds 300

Each page's report (bench/harness.py's list) is computed once into each cache, then read warm
`--rounds` times from each, alternating local and Redis call by call so that the machine's noise
falls on both alike. Reported: p50 and p95 per page and cache, the ratio Redis / local, and the
size of the pickled result (what travels from Redis on every warm read).
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import END, bench_app, seed  # noqa: E402
from bench.run import reports_of  # noqa: E402
from core.cache_store import RedisCache  # noqa: E402
from core.filters import Filters  # noqa: E402
from data import db  # noqa: E402


def pct(values, q):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--days", type=int, default=30, help="the window of each report")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fp-cache-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'plant.db'}"
        seed(db.get_engine(url), days=args.days + 7)
        _app, local = bench_app(url, Path(tmp) / "cache-local", testing=True)
        _app, remote = bench_app(url, Path(tmp) / "cache-redis", testing=True,
                                 redis_url=args.redis_url)
        assert isinstance(remote.cache, RedisCache) and remote.cache.available(), \
            f"Redis at {args.redis_url} is not reachable"
        remote.cache.clear()
        filters = Filters.default(END.date(), args.days)
        pages = {"local": reports_of(local), "redis": reports_of(remote)}
        rows = []
        for name in pages["local"]:
            size = len(pickle.dumps(pages["local"][name](filters),
                                    protocol=pickle.HIGHEST_PROTOCOL))
            pages["redis"][name](filters)  # computed once into Redis
            times = {"local": [], "redis": []}
            for _ in range(args.rounds):
                for kind in ("local", "redis"):
                    t0 = time.perf_counter()
                    pages[kind][name](filters)
                    times[kind].append((time.perf_counter() - t0) * 1000)
            rows.append((name, size, times))
        remote.cache.clear()
    print(f"warm reads, {args.rounds} rounds each, {args.days}-day window, demo plant (SQLite)\n")
    print(f"{'page':<12} {'result KB':>9} {'local p50':>10} {'local p95':>10} "
          f"{'redis p50':>10} {'redis p95':>10} {'p50 ratio':>10}")
    for name, size, t in rows:
        lp50, lp95 = statistics.median(t["local"]), pct(t["local"], 95)
        rp50, rp95 = statistics.median(t["redis"]), pct(t["redis"], 95)
        print(f"{name:<12} {size / 1024:>9.1f} {lp50:>9.2f}ms {lp95:>9.2f}ms "
              f"{rp50:>9.2f}ms {rp95:>9.2f}ms {rp50 / lp50:>9.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
