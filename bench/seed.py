"""Where `seed-demo` spends its time (issue 20, item 3): the load's phases and its slow statements.

    python bench/seed.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/bench_large
    python bench/seed.py --database-url sqlite:////tmp/large.db --scale large
    python bench/seed.py --scale demo                     # a temporary SQLite file

Seeds the pinned plant (end 2026-03-31 14:00, seed 42; **the database's plant data is
replaced**) through `demo.load.load_demo`, timing each phase its progress callback names, and
every SQL statement that takes longer than `--slow` seconds (index builds, rollups, ANALYZE).
Prints both tables and the total, which is what `flask seed-demo` costs less the CLI's start.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from data import db  # noqa: E402
from demo.load import load_demo  # noqa: E402

END = "2026-03-31T14:00"


class Phases:
    """The progress callback: the time between one message and the next belongs to the first."""

    def __init__(self) -> None:
        self.t0 = self.mark = time.perf_counter()
        self.current = None
        self.spent: dict[str, float] = {}

    def __call__(self, fraction: float, message: str) -> None:
        now = time.perf_counter()
        if self.current is not None:
            # the per-table "loading X" phases are summed under one name
            self.spent[self.current] = self.spent.get(self.current, 0.0) + now - self.mark
        self.current, self.mark = message, now


def slow_statements(engine, threshold: float) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, parameters, context, executemany):
        spent = time.perf_counter() - conn.info["bench_started"].pop()
        if spent >= threshold:
            found.append((spent, " ".join(statement.split())[:110]))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--scale", default="large")
    parser.add_argument("--slow", type=float, default=1.0,
                        help="report statements slower than this many seconds")
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/seed.db"
    engine = db.get_engine(url)
    db.create_schema(engine)
    slow = slow_statements(engine, args.slow)
    phases = Phases()
    counts = load_demo(engine, scale=args.scale, end=END, progress=phases)
    total = time.perf_counter() - phases.t0
    print(f"seed --scale {args.scale} on {engine.dialect.name}: {total:.1f} s, "
          f"{sum(counts.values()):,} rows")
    print("\nphase                                   s")
    for name, spent in phases.spent.items():
        print(f"{name:<36} {spent:6.1f}")
    print(f"\nstatements slower than {args.slow:g} s")
    for spent, text in sorted(slow, reverse=True):
        print(f"{spent:6.1f}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
