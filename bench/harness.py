"""What every benchmark script shares: the pinned plant, timing, percentiles, tables, databases.

- `END`: the pinned end of the demo plant (2026-03-31 14:00, seed 42), so every run measures the
  same plant; `seed` loads it (any scale) and says how long that took.
- `timed`, `cold_times`, `pct`, `p50_p95`: wall-clock milliseconds of repeated calls and their
  percentiles (nearest rank over the sorted runs).
- `table`: rows of dicts as an aligned text table or a Markdown one (bench/README.md).
- `temp_sqlite_url`, `scratch_database`: somewhere to write that is not the plant being measured.
- `bench_app`: the Dash app and its report context on a database, with the clock pinned to END.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from data import db  # noqa: E402

END = datetime(2026, 3, 31, 14)  # pinned, so every run measures the same plant


# --- timing ---------------------------------------------------------------------------------------

def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of `runs` calls of fn."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def cold_times(ctx, fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of `runs` calls of fn, the report cache cleared before each (not timed)."""
    out = []
    for _ in range(runs):
        ctx.cache.clear()
        out += timed(fn, 1)
    return out


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile by nearest rank (the slowest run for q = 100)."""
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def p50_p95(values: Sequence[float]) -> tuple[float, float]:
    return pct(values, 50), pct(values, 95)


# --- tables ---------------------------------------------------------------------------------------

def table(columns: Sequence[tuple[str, str, str]], rows: Iterable[dict], *,
          markdown: bool = False) -> str:
    """`columns` are (title, key, format spec) triples; a missing or None value prints as "—".
    Text columns are left-aligned, numbers right-aligned (Markdown: `---:`)."""
    rows = list(rows)
    cells = [[_cell(r.get(key), spec) for _, key, spec in columns] for r in rows]
    numeric = [all(isinstance(r.get(key), (int, float)) or r.get(key) is None for r in rows)
               for _, key, _ in columns]
    if markdown:
        lines = ["| " + " | ".join(title for title, _, _ in columns) + " |",
                 "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max([len(title)] + [len(row[i]) for row in cells])
              for i, (title, _, _) in enumerate(columns)]

    def line(values):
        return "  ".join(v.rjust(w) if n else v.ljust(w)
                         for v, w, n in zip(values, widths, numeric)).rstrip()
    return "\n".join([line([title for title, _, _ in columns])] + [line(row) for row in cells])


def _cell(value, spec: str) -> str:
    if value is None:
        return "—"
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)


def payload_bytes(component) -> int:
    """Bytes of the JSON Dash sends the browser for a page's content (figures, grids)."""
    import plotly
    return len(json.dumps(component.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder))


def write_json(path: str | Path | None, data: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=1, default=str))


# --- databases ------------------------------------------------------------------------------------

def temp_sqlite_url(prefix: str = "fp-bench-", name: str = "bench.db") -> str:
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix=prefix)) / name}"


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """The URL of an empty database of the same backend, removed afterwards: a temporary SQLite
    file, or on PostgreSQL a database named after the given one plus `_scratch` on the same
    server (created, then dropped). Benchmarks that empty the plant tables write there."""
    if not url.startswith("postgresql"):
        folder = Path(tempfile.mkdtemp(prefix="fp-bench-scratch-"))
        scratch = f"sqlite:///{folder / 'scratch.db'}"
        try:
            yield scratch
        finally:
            _forget_engine(scratch)
            shutil.rmtree(folder, ignore_errors=True)
        return
    target = make_url(url)
    name = f"{target.database}_scratch"
    scratch = target.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield scratch
    finally:
        _forget_engine(scratch)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _forget_engine(url: str) -> None:
    """Close the pooled connections data.db keeps for `url` (before the database goes)."""
    engine = db._ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def seed(engine, scale: str = "demo", **kwargs) -> dict[str, int]:
    """Replace the plant data with the demo plant of `scale` ending at END; print how long."""
    from demo import load as demo
    db.create_schema(engine)
    t0 = time.perf_counter()
    counts = demo.load_demo(engine, scale=scale, end=END, **kwargs)
    print(f"seeded {sum(counts.values()):,} rows ({scale}{', ' if kwargs else ''}"
          f"{', '.join(f'{k}={v}' for k, v in kwargs.items() if k != 'progress')}) in "
          f"{time.perf_counter() - t0:.1f} s on {engine.dialect.name}", flush=True)
    return counts


def bench_app(url: str, cache_dir: str | Path | None = None, now: datetime | None = END,
              **settings):
    """(Dash app, report context) on `url` with a fresh cache directory unless one is given,
    the plant's clock pinned to `now` ("today" for every report and page; None: the real clock);
    `settings` override Settings fields (testing=True, ...)."""
    from app import create_app
    from settings import Settings
    cache_dir = cache_dir or tempfile.mkdtemp(prefix="fp-bench-cache-")
    app = create_app(Settings(**{"database_url": url, "cache_dir": str(cache_dir),
                                 "demo_data": False, "secret_key": "bench", **settings}))
    ctx = app.server.extensions["floorpulse"]
    if now is not None:
        ctx.now = lambda: now
    return app, ctx


def ingest_client(url: str):
    """A test client of the app on `url` that sends an admin's ingest token with each request."""
    from auth import users
    from data import db
    app, _ = bench_app(url, now=None, testing=True)
    with db.get_engine(url).begin() as conn:
        user = users.create_user(conn, "bench", "bench-password-123", role="admin")
        token = users.create_token(conn, user, purpose="ingest")
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def ingest_bench_main(run, columns, db_name: str, *, stores: bool = False) -> None:
    """The command line of an ingestion bench: `run(url, sizes, runs)` -> rows of the table
    (`run(url, sizes, runs, stores)` with `stores`: the PostgreSQL storage steps to compare)."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None)
    ap.add_argument("--sizes", default="1000,10000", help="batch sizes")
    if stores:
        ap.add_argument("--store", default="copy,values",
                        help="PostgreSQL storage steps to measure (ingest.events.PG_STORES)")
    args = ap.parse_args()
    url = args.database_url or temp_sqlite_url(name=db_name)
    sizes, runs = (([100, 1000], 1) if args.quick
                   else ([int(z) for z in args.sizes.split(",")], args.runs))
    rows = run(url, sizes, runs, args.store.split(",")) if stores else run(url, sizes, runs)
    print(table(columns, rows, markdown=True))
    write_json(args.json, {"rows": rows})
