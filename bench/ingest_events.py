"""Camera-event ingestion throughput, events per second (goals: 20,000/s SQLite, 50,000/s PostgreSQL).

    python bench/ingest_events.py                                  # SQLite (a temporary file)
    python bench/ingest_events.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench6
    python bench/ingest_events.py --quick                          # a second or two: the CI smoke mode

For batches of 1,000 and 10,000 it measures three paths, each into an events table that already
holds the earlier batches (as a live one does), on PostgreSQL for each storage step (`--store
copy,values`: COPY into a temporary table, or one multi-row INSERT ... VALUES):
- **store**: `ingest.events.store` alone, on rows validated before the clock starts;
- **ingest**: `ingest.events.ingest` (what the API calls): validate every item with the CSV rules,
  derive day, shift and line, hash missing ids, and store with ON CONFLICT DO NOTHING in one
  transaction, bumping the data version;
- **http**: the whole `POST /api/v1/events` through Flask's test client, JSON body and bearer token
  included (no network).
It also posts every batch a second time (**duplicates**: all must come back as duplicates).
With `--posters 1,2,4` it also measures **served**: `gunicorn -w 2` (a real server on a free port)
and that many clients posting batches at once over HTTP, events stored per second of wall time
(cameras post at once; the app's Python and the database's work then overlap on the cores).
The PostgreSQL database's plant data is emptied first.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from harness import ingest_bench_main, ingest_client  # noqa: E402
from data import db, schema
from ingest import datasets, events

PLANT_TZ = "Asia/Dhaka"
START = datetime(2026, 3, 2, 8, 0)
STATES = ("working", "working", "working", "idle", "absent", "product_count")
COLUMNS = [("backend", "backend", ""), ("batch", "batch", ",d"), ("path", "path", ""),
           ("events/s (median)", "events_per_s", ",.0f"), ("min", "min_events_per_s", ",.0f"),
           ("duplicates/s", "duplicates_per_s", ",.0f")]


def setup(url: str) -> None:
    engine = db.get_engine(url)
    db.create_schema(engine)
    with engine.begin() as conn:
        for tbl in reversed(schema.DATA_TABLES):
            conn.execute(tbl.delete())
        conn.execute(schema.api_tokens.delete())
        conn.execute(schema.users.delete())
        db.upsert(conn, schema.lines, [{"line_code": f"L{i:02d}"} for i in range(1, 9)])
        db.upsert(conn, schema.shifts, [
            {"shift_code": "A", "name": "Day", "start": "08:00", "end": "17:00",
             "break_minutes": 60},
            {"shift_code": "B", "name": "Night", "start": "20:00", "end": "05:00",
             "break_minutes": 60}])
        db.upsert(conn, schema.stations, [
            {"station_code": f"L{i // 40 + 1:02d}-ST{i % 40 + 1:02d}",
             "line_code": f"L{i // 40 + 1:02d}"} for i in range(320)])
        db.upsert(conn, schema.employees, [{"emp_code": f"E{i:05d}"} for i in range(320)])


def batch(start: int, size: int) -> list[dict]:
    """`size` events of 320 workers, one every 20 s each, ids from `start` on."""
    out = []
    for n in range(start, start + size):
        worker = n % 320
        out.append({
            "event_id": f"b-{n:09d}",
            "ts": (START + timedelta(seconds=20 * (n // 320))).isoformat(),
            "emp_code": f"E{worker:05d}", "station_code": f"L{worker // 40 + 1:02d}-ST"
                                                          f"{worker % 40 + 1:02d}",
            "event_type": STATES[n % len(STATES)], "confidence": 0.9,
            "count": 1 if STATES[n % len(STATES)] == "product_count" else None,
            "model_version": "fpv-2.4.0"})
    return out


def run(url: str, sizes: list[int], runs: int, stores: list[str] = ("copy",)) -> list[dict]:
    setup(url)
    engine = db.get_engine(url)
    client = ingest_client(url)
    rows, next_id = [], 0
    if engine.dialect.name != "postgresql":
        stores = [""]
    for size, store, path in [(z, m, p) for z in sizes for m in stores
                              for p in ("store", "ingest", "http")]:
        events.PG_STORE = store or events.PG_STORE
        rates, dup_rates = [], []
        for _ in range(runs):
            items = batch(next_id, size)
            next_id += size
            body = json.dumps(items)
            valid = None
            if path == "store":  # the storage step alone: validated before the clock runs
                with engine.connect() as conn:
                    valid, _ = datasets.validate(conn, "events", items, plant_tz=PLANT_TZ,
                                                 now=datetime.now())
            for second in (False, True):
                t0 = time.perf_counter()
                if path == "store":
                    stored = events.store(engine, valid)
                    result = {"accepted": stored, "duplicates": size - stored}
                elif path == "ingest":
                    result = events.ingest(engine, items, PLANT_TZ).as_dict()
                else:
                    r = client.post("/api/v1/events", data=body,
                                    content_type="application/json")
                    result = r.get_json()
                took = time.perf_counter() - t0
                expect = (0, size) if second else (size, 0)
                assert (result["accepted"], result["duplicates"]) == expect, result
                (dup_rates if second else rates).append(size / took)
        rows.append({"backend": engine.dialect.name, "batch": size,
                     "path": f"{path} ({store})" if store else path,
                     "runs": runs, "events_per_s": statistics.median(rates),
                     "min_events_per_s": min(rates),
                     "duplicates_per_s": statistics.median(dup_rates)})
    with engine.connect() as conn:
        stored = conn.execute(text("select count(*) from events")).scalar()
    assert stored == next_id, (stored, next_id)
    return rows


def served(url: str, size: int, posters: int, batches: int, first_id: int,
           workers: int = 2) -> dict:
    """`posters` clients posting `batches` batches of `size` each to `gunicorn -w workers` at
    once."""
    import tempfile
    import threading

    import requests

    from auth import users
    from bench.scaleout import Server
    with db.get_engine(url).begin() as conn:
        user = users.create_user(conn, f"poster-{first_id}", "bench-password-123", role="admin")
        token = users.create_token(conn, user, purpose="ingest")
    bodies = [[json.dumps(batch(first_id + (p * batches + k) * size, size))
               for k in range(batches)] for p in range(posters)]
    answers: list = []

    def poster(mine: list[str]) -> None:
        with requests.Session() as session:
            session.headers.update({"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
            for body in mine:
                answers.append(session.post(server.base + "/api/v1/events", data=body,
                                            timeout=60).json())

    with tempfile.TemporaryDirectory(prefix="fp-ingest-") as tmp, \
            Server(workers=workers, database_url=url, workdir=Path(tmp)) as server:
        poster([json.dumps(batch(10**8 + first_id, size))])  # a warm server: not counted
        answers.clear()
        threads = [threading.Thread(target=poster, args=(mine,)) for mine in bodies]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - t0
    accepted = sum(a["accepted"] for a in answers)
    assert accepted == posters * batches * size, answers[:3]
    return {"backend": db.get_engine(url).dialect.name, "batch": size,
            "path": f"served (-w {workers}), {posters} poster{'s' if posters > 1 else ''}",
            "runs": batches,
            "events_per_s": accepted / took, "min_events_per_s": None, "duplicates_per_s": None}


def main() -> None:
    import argparse
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--posters", default="", help="e.g. 1,2,4: also measure the served path")
    ap.add_argument("--batches", type=int, default=40, help="batches per poster (--posters)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (--posters)")
    known, rest = ap.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    posters = [int(p) for p in known.posters.split(",") if p]

    def run_and_serve(url, sizes, runs, stores=("copy",)):
        rows, first = run(url, sizes, runs, stores), 2 * 10**8
        for size in sizes:
            for n in posters:
                rows.append(served(url, size, n, known.batches, first, known.workers))
                first += n * known.batches * size
        return rows

    ingest_bench_main(run_and_serve, COLUMNS, "ingest.db", stores=True)


if __name__ == "__main__":
    main()
