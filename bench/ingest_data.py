"""`POST /api/v1/data/production` throughput, rows per second (goal: 20,000/s on SQLite and
PostgreSQL with batches of 1,000; issue 15).

    python bench/ingest_data.py                                  # SQLite (a temporary file)
    python bench/ingest_data.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/DB
    python bench/ingest_data.py --quick                          # a second or two: the CI smoke mode

40 lines × 3 stages × hours of days: each batch is a run of line-hours a counter would send,
into a production table that keeps the earlier batches (and their line_day rows, rewritten for
the days each batch touches). Three passes per batch size, each through the whole HTTP path
(Flask's test client, JSON body and bearer token included, no network) and through
`ingest.datasets.ingest_items` alone:
- **new**: rows never seen;
- **again**: the same batch once more (all duplicates: nothing written);
- **grown**: the same keys with larger counts (all updates, as a line-end counter re-sends).
The PostgreSQL database's plant data is emptied first.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from harness import ingest_bench_main, ingest_client  # noqa: E402
from data import db, schema  # noqa: E402
from ingest import datasets  # noqa: E402

PLANT_TZ = "Asia/Dhaka"
FIRST_DAY = date(2026, 3, 2)
NOW = datetime(2026, 12, 1)
LINES = [f"L{i:02d}" for i in range(1, 41)]
STAGES = ("loading", "output", "packing")
HOURS = range(8, 17)
COLUMNS = [("backend", "backend", ""), ("batch", "batch", ",d"), ("path", "path", ""),
           ("new rows/s", "new_per_s", ",.0f"), ("min", "min_new_per_s", ",.0f"),
           ("again (duplicates)/s", "again_per_s", ",.0f"), ("grown (updates)/s",
                                                            "grown_per_s", ",.0f")]


def setup(url: str) -> None:
    engine = db.get_engine(url)
    db.create_schema(engine)
    with engine.begin() as conn:
        for tbl in reversed(schema.DATA_TABLES):
            conn.execute(tbl.delete())
        for tbl in (schema.line_day, schema.api_tokens, schema.users):
            conn.execute(tbl.delete())
        db.upsert(conn, schema.lines, [{"line_code": code} for code in LINES])
        db.upsert(conn, schema.shifts, [{"shift_code": "A", "name": "Day", "start": "08:00",
                                         "end": "17:00", "break_minutes": 60}])
        db.upsert(conn, schema.styles, [{"style_code": "S1", "smv": 7.5}])


def rows(start: int, size: int, grown: int = 0) -> list[dict]:
    """Rows `start` .. `start + size` of the endless sequence (day, line, hour, stage)."""
    per_day = len(LINES) * len(HOURS) * len(STAGES)
    out = []
    for n in range(start, start + size):
        day, rest = divmod(n, per_day)
        line, rest = divmod(rest, len(HOURS) * len(STAGES))
        hour, stage = divmod(rest, len(STAGES))
        out.append({"date": (FIRST_DAY + timedelta(days=day)).isoformat(), "shift_code": "A",
                    "line_code": LINES[line], "hour": HOURS[hour], "style_code": "S1",
                    "stage": STAGES[stage], "qty": 100 + n % 50 + grown})
    return out


def run(url: str, sizes: list[int], runs: int) -> list[dict]:
    setup(url)
    engine = db.get_engine(url)
    client = ingest_client(url)
    out, next_row = [], 0
    for size in sizes:
        for path in ("ingest", "http"):
            rates: dict[str, list[float]] = {"new": [], "again": [], "grown": []}
            for _ in range(runs):
                items = rows(next_row, size)
                next_row += size
                for kind, batch, expect in (
                        ("new", items, (size, 0, 0)), ("again", items, (0, 0, size)),
                        ("grown", rows(next_row - size, size, grown=7), (size, size, 0))):
                    body = json.dumps(batch)
                    t0 = time.perf_counter()
                    if path == "ingest":
                        result = datasets.ingest_items(engine, "production", json.loads(body),
                                                       plant_tz=PLANT_TZ, now=NOW).as_dict()
                    else:
                        result = client.post("/api/v1/data/production", data=body,
                                             content_type="application/json").get_json()
                    took = time.perf_counter() - t0
                    got = (result["accepted"], result["updated"], result["duplicates"])
                    assert got == expect and not result["rejected"], result
                    rates[kind].append(size / took)
            out.append({"backend": engine.dialect.name, "batch": size, "path": path,
                        "runs": runs, "new_per_s": statistics.median(rates["new"]),
                        "min_new_per_s": min(rates["new"]),
                        "again_per_s": statistics.median(rates["again"]),
                        "grown_per_s": statistics.median(rates["grown"])})
    with engine.connect() as conn:
        stored = conn.execute(text("select count(*) from production")).scalar()
        output = conn.execute(text("select sum(output) from line_day")).scalar()
        expected = conn.execute(text("select sum(qty) from production where stage = 'output'")
                                ).scalar()
    assert stored == next_row, (stored, next_row)
    assert output == expected, ("line_day out of step with production", output, expected)
    return out


def main() -> None:
    ingest_bench_main(run, COLUMNS, "ingest_data.db")


if __name__ == "__main__":
    main()
