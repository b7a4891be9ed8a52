"""Load test: 20 readers and one writer against `gunicorn -w 2` for 60 s (issue 21, item 4).

    python bench/load.py                          # pinned demo plant in a temporary SQLite file
    python bench/load.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_load --seed
    python bench/load.py --seconds 10 --readers 5 # a quick look

Readers (a viewer's bearer token) call the main /api/v1 reads round robin over four windows
(a week, two weeks, four weeks, the last day), so some answers come from the cache and some are
computed. The writer (an ingest token) posts a batch of camera events every `--write-every`
seconds, and each batch moves the data version: the readers' next answers are computed again, as
on a floor where the cameras never stop. Reported: p50/p95/max per side, requests, errors (any
answer that is not 200, or no answer); the run fails (exit 1) on any error.
"""
from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import select  # noqa: E402

from auth import users  # noqa: E402
from bench.scaleout import (END, Server, client, endpoints, pct, prepare_database,  # noqa: E402
                            revoke_tokens)
from data import db, schema  # noqa: E402

WRITER, WRITER_TOKEN = "load-bench-writer", "load bench writer"
WINDOWS = [("2026-03-24", "2026-03-30"), ("2026-03-17", "2026-03-30"),
           ("2026-03-02", "2026-03-29"), ("2026-03-30", "2026-03-30")]


def tokens(url: str) -> tuple[str, str]:
    """A viewer's read token (bench/scaleout.py's user) and an ingest token of an admin."""
    from bench.scaleout import issue_token
    reader = issue_token(url)
    with db.get_engine(url).begin() as conn:
        user = users.get_user_by_name(conn, WRITER) or users.create_user(
            conn, WRITER, secrets.token_urlsafe(16), role="admin")
        writer = users.create_token(conn, user, name=WRITER_TOKEN, purpose="ingest")
    return reader, writer


def revoke_writer(url: str) -> None:
    t = schema.api_tokens
    with db.get_engine(url).begin() as conn:
        user = users.get_user_by_name(conn, WRITER)
        for token_id in list(conn.execute(select(t.c.id).where(
                t.c.user_id == user.id, t.c.revoked_at.is_(None))).scalars()):
            users.revoke_token(conn, token_id)


def worker_pairs(url: str) -> list[tuple[str, str]]:
    """(employee, station) pairs the cameras have seen: the writer's events look like theirs."""
    e = schema.events
    with db.get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(e.c.emp_code, e.c.station_code).distinct().limit(200))]


class Side:
    """Latencies and failures of one side (readers or writer), safe across threads."""

    def __init__(self):
        self.ms: list[float] = []
        self.errors: Counter = Counter()
        self.lock = threading.Lock()
        self.stored = 0  # the writer's items the server accepted

    def call(self, fn) -> requests.Response | None:
        """Time `fn()`; count it as an error unless it answered 200; return the answer if so."""
        t0 = time.perf_counter()
        response = None
        try:
            response = fn()
            status = response.status_code
        except requests.RequestException as err:
            status = type(err).__name__
        ms = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.ms.append(ms)
            if status != 200:
                self.errors[str(status)] += 1
        return response if status == 200 else None

    def row(self, name: str, seconds: float) -> str:
        n = len(self.ms)
        if not n:
            return f"{name:<10}{'no requests':>60}"
        return (f"{name:<10}{n:>9}{n / seconds:>9.1f}{pct(self.ms, 50):>10.1f}"
                f"{pct(self.ms, 95):>10.1f}{max(self.ms):>10.1f}{sum(self.errors.values()):>8}")


def run(base: str, reader_token: str, writer_token: str, pairs, args) -> tuple[Side, Side]:
    reads, writes = Side(), Side()
    paths = [p for start, end in WINDOWS for p in endpoints(start, end).values()]
    stop = time.monotonic() + args.seconds

    def reader(i):
        session, rng = client(reader_token), random.Random(i)
        while time.monotonic() < stop:
            path = rng.choice(paths)
            reads.call(lambda: session.get(base + path, timeout=120))

    def writer():
        session, rng, n = client(writer_token), random.Random(99), 0
        when = END - timedelta(hours=2)
        while time.monotonic() < stop:
            batch = []
            for _ in range(args.batch):
                emp, station = rng.choice(pairs)
                n += 1
                batch.append({"ts": (when + timedelta(seconds=n)).isoformat(),
                              "emp_code": emp, "station_code": station,
                              "event_type": rng.choice(["working", "idle"]),
                              "confidence": 0.9})
            answer = writes.call(lambda: session.post(base + "/api/v1/events", json=batch,
                                                      timeout=120))
            if answer is not None:
                writes.stored += answer.json().get("accepted", 0)
            time.sleep(args.write_every)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.readers)]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return reads, writes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: the pinned demo in a temporary SQLite")
    parser.add_argument("--seed", action="store_true", help="load the pinned demo plant first")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200, help="events per write")
    parser.add_argument("--write-every", type=float, default=0.5, help="seconds between writes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fp-load-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'plant.db'}"
        prepare_database(url, seed=args.seed or not args.database_url, days=30)
        reader_token, writer_token = tokens(url)
        try:
            with Server(args.workers, url, workdir) as server:
                reads, writes = run(server.base, reader_token, writer_token,
                                    worker_pairs(url), args)
        finally:
            revoke_tokens(url)
            revoke_writer(url)
    kind = url.split(":", 1)[0].split("+")[0]
    print(f"{kind}: gunicorn -w {args.workers}, {args.readers} readers, one writer "
          f"({args.batch} events every {args.write_every} s), {args.seconds:.0f} s")
    head = (f"{'side':<10}{'requests':>9}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"
            f"{'errors':>8}")
    print(head + "\n" + "-" * len(head))
    print(reads.row("reads", args.seconds))
    print(writes.row("writes", args.seconds))
    print(f"events stored by the writer: {writes.stored:,}")
    failures = reads.errors + writes.errors
    if failures:
        print(f"ERRORS: {dict(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
