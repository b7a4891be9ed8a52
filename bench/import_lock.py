"""How long does a small ingestion batch wait for SQLite's write lock behind a big import?
(issue 21 item 10; goal: under 5 s.)

    python bench/import_lock.py                    # 1,000,000 production rows (a minute or two)
    python bench/import_lock.py --rows 50000       # smaller
    python bench/import_lock.py --quick            # seconds: the CI smoke mode

A temporary SQLite database gets a plant's master data (40 lines, 320 stations and workers), then a
folder with one `production.csv` of --rows rows is imported (`ingest.importer.import_folder`, the
`import` command and the upload's path) while another process posts a batch of 20 camera events
through `ingest.events.ingest` (what `POST /api/v1/events` calls) every 0.2 s. Reported: the
import's seconds, and of the event batches during it their count, p50, p95 and max seconds, and
failures (a batch that waited past the 30 s busy timeout fails). The import must succeed and every
batch's events must be stored.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select  # noqa: E402

from harness import pct, table, temp_sqlite_url, write_json  # noqa: E402
from data import db, schema  # noqa: E402
from ingest import events  # noqa: E402
from ingest.importer import import_folder  # noqa: E402

PLANT_TZ = "Asia/Dhaka"
LINES, STATIONS_PER_LINE = 40, 8
STAGES = ("loading", "output", "packing")
HOURS = range(8, 18)  # shift A 08:00-17:00 and an hour of overtime
EVENT_BATCH, EVENT_EVERY_S = 20, 0.2
COLUMNS = [("rows", "rows", ",d"), ("import s", "import_s", ".1f"),
           ("batches", "batches", ",d"), ("p50 s", "p50_s", ".3f"), ("p95 s", "p95_s", ".3f"),
           ("max wait s", "max_s", ".2f"), ("failed", "failed", ",d")]


def write_masters(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"L{i:02d}" for i in range(1, LINES + 1)]
    (folder / "lines.csv").write_text("line_code,name\n" + "".join(f"{c},Line {c}\n"
                                                                  for c in lines))
    (folder / "shifts.csv").write_text("shift_code,name,start,end,break_minutes\n"
                                       "A,Day,08:00,17:00,60\n")
    (folder / "styles.csv").write_text("style_code,description,smv\nS1,Polo,7.5\nS2,Tee,4.2\n")
    stations = [(f"{line}-ST{n}", line) for line in lines for n in range(1, STATIONS_PER_LINE + 1)]
    (folder / "stations.csv").write_text("station_code,line_code\n" + "".join(
        f"{s},{line}\n" for s, line in stations))
    (folder / "employees.csv").write_text("emp_code,line_code,shift_code\n" + "".join(
        f"E{i:04d},{line},A\n" for i, (_s, line) in enumerate(stations)))


def write_production(folder: Path, rows: int) -> None:
    """`rows` distinct production rows, day after day back from 2026-03-01."""
    folder.mkdir(parents=True, exist_ok=True)
    per_day = LINES * len(HOURS) * len(STAGES) * 2
    days = -(-rows // per_day)
    first = date(2026, 3, 1) - timedelta(days=days - 1)
    out, n = ["date,shift_code,line_code,hour,style_code,stage,qty"], 0
    for d in range(days):
        day = (first + timedelta(days=d)).isoformat()
        for line in range(1, LINES + 1):
            for hour in HOURS:
                for style in ("S1", "S2"):
                    for stage in STAGES:
                        if n == rows:
                            break
                        out.append(f"{day},A,L{line:02d},{hour},{style},{stage},{50 + n % 40}")
                        n += 1
    (folder / "production.csv").write_text("\n".join(out) + "\n")


def post_events(url: str, start, stop, results) -> None:
    """In its own process: a batch every EVENT_EVERY_S until `stop`; each batch's seconds."""
    engine = db.get_engine(url)
    n, times, starts, failed = 0, [], [], 0
    start.wait()
    while not stop.is_set():
        items = [{"event_id": f"lock-{n + i:08d}",
                  "ts": (datetime(2026, 3, 2, 9) + timedelta(seconds=n + i)).isoformat(),
                  "emp_code": f"E{(n + i) % (LINES * STATIONS_PER_LINE):04d}",
                  "station_code": f"L{(n + i) % LINES + 1:02d}-ST1", "event_type": "working",
                  "confidence": 0.9} for i in range(EVENT_BATCH)]
        t0 = time.perf_counter()
        starts.append(time.time())
        try:
            result = events.ingest(engine, items, PLANT_TZ)
            assert result.accepted == EVENT_BATCH, result.as_dict()
            n += EVENT_BATCH
        except Exception as exc:  # noqa: BLE001 - a batch that timed out counts as failed
            failed += 1
            print(f"event batch failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        times.append(time.perf_counter() - t0)
        stop.wait(EVENT_EVERY_S)
    results.put({"times": times, "starts": starts, "failed": failed, "stored": n})


def run(rows: int, url: str | None = None) -> dict:
    url = url or temp_sqlite_url(prefix="fp-bench-lock-", name="lock.db")
    root = Path(url.split("///", 1)[1]).parent
    engine = db.get_engine(url)
    db.create_schema(engine)
    write_masters(root / "masters")
    assert import_folder(engine, root / "masters", plant_tz=PLANT_TZ).ok
    write_production(root / "big", rows)

    ctx = mp.get_context("spawn")  # a fresh process: no inherited engine or lock
    start, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=post_events, args=(url, start, stop, results))
    writer.start()
    start.set()
    time.sleep(1.0)  # the writer's first batches land before the import begins
    held = _Held()
    logging.getLogger("ingest.importer").addHandler(held)
    logging.getLogger("ingest.importer").setLevel(logging.INFO)
    t0, wall0 = time.perf_counter(), time.time()
    report = import_folder(engine, root / "big", plant_tz=PLANT_TZ)
    import_s = time.perf_counter() - t0
    time.sleep(1.0)
    stop.set()
    out = results.get(timeout=120)
    writer.join(timeout=30)
    assert report.ok, report.errors[:5]
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(schema.events)).scalar()
        produced = conn.execute(select(func.count()).select_from(schema.production)).scalar()
    assert stored == out["stored"], (stored, out["stored"])
    assert produced == rows, (produced, rows)
    times = out["times"]
    slowest = sorted(zip(times, out["starts"]), reverse=True)[:3]
    return {"rows": rows, "import_s": import_s, "batches": len(times),
            "p50_s": statistics.median(times), "p95_s": pct(times, 95), "max_s": max(times),
            "failed": out["failed"], "transaction": held.message,
            "slowest": [f"{took:.2f} s at +{at - wall0:.1f} s" for took, at in slowest]}


class _Held(logging.Handler):
    """The importer's own account of its transaction (how long it held the write lock)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.message = ""

    def emit(self, record) -> None:
        if record.getMessage().startswith("import transaction"):
            self.message = record.getMessage()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    result = run(20_000 if args.quick else args.rows)
    print(table(COLUMNS, [result], markdown=True))
    print(result["transaction"])
    print("slowest batches (start after the import began):", "; ".join(result["slowest"]))
    write_json(args.json, result)


if __name__ == "__main__":
    main()
