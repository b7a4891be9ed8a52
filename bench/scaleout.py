"""Scale-out check: one gunicorn worker and several, on the same data, give the same answers.

    python bench/scaleout.py                     # pinned demo plant in a temporary SQLite file
    python bench/scaleout.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_h2
    python bench/scaleout.py --quick             # a few seconds: the smoke mode
    python bench/scaleout.py --workers 1,2,4 --redis-url redis://127.0.0.1:6379/15   # behind Redis

For each server (`gunicorn -w 1 wsgi:server`, then `gunicorn -w 4 wsgi:server`; each server has its
own CACHE_DIR, shared by its workers, so neither can copy the other's answers) it calls the main
/api/v1 endpoints with fixed dates and a bearer token, and measures:

- **cold**: every endpoint once with the report cache cleared first, p50/p95 over `--runs` rounds;
- **warm**: every endpoint `--runs` times more, served from the cache;
- **req/s**: `--clients` threads calling the endpoints round robin (warm) for `--seconds`;
- **workers seen** and **computed**: the worker pids that served the warm phase (gunicorn's
  access log) and how many reports were computed meanwhile (the app's DEBUG line "report ...
  computed"): 0 means every worker read the answers another worker had cached. The downtime
  report is keyed on the current minute (an open breakdown runs up to now), so a minute that turns
  during the run has each worker that needs it first compute it again.

It then checks that every JSON answer is identical between the servers and exits 1 if not.
Without --database-url it loads the demo plant with the pinned end of bench/run.py; a given
database is used as it is (`--seed` loads the pinned demo plant into it, replacing its data).
A viewer `scaleout-bench` is made when missing; its token is revoked at the end.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import diskcache  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import select  # noqa: E402

from auth import users  # noqa: E402
from data import db, schema  # noqa: E402

END = datetime(2026, 3, 31, 14)  # the pinned demo plant of bench/run.py
BENCH_USER, TOKEN_NAME = "scaleout-bench", "scaleout bench"
# Where gunicorn's access log says which worker (pid) answered which request.
ACCESS_FORMAT = "%(p)s %(s)s %(U)s"  # gunicorn writes the pid as <1234>
COMPUTED = "computed in"  # reports/cache.py logs "report NAME computed in X ms" on a miss


def endpoints(start: str, end: str) -> dict[str, str]:
    """The main /api/v1 reads, with fixed dates."""
    window = f"start={start}&end={end}"
    return {
        "production": f"/api/v1/production?{window}&group_by=line,date",
        "quality": f"/api/v1/quality?{window}&group_by=line,reason",
        "downtime": f"/api/v1/downtime?{window}&group_by=line",
        "attendance": f"/api/v1/attendance?{window}&summary=1&group_by=line",
        "utilisation": f"/api/v1/utilisation/workers?{window}",
        "line-daily": f"/api/v1/line-daily?{window}&group_by=line",
    }


def pct(values, q):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database and a token ----------------------------------------------------------------


def prepare_database(url: str, *, seed: bool, days: int) -> None:
    engine = db.get_engine(url)
    db.create_schema(engine)
    if seed:
        from demo import load as demo
        demo.load_demo(engine, days=days, end=END)
    with engine.connect() as conn:
        if not db.has_data(conn):
            sys.exit(f"{url} holds no plant data: pass --seed to load the demo plant")


def issue_token(url: str) -> str:
    """A read token of the bench viewer (made when missing), as `create-token` would print."""
    with db.get_engine(url).begin() as conn:
        user = users.get_user_by_name(conn, BENCH_USER) or users.create_user(
            conn, BENCH_USER, secrets.token_urlsafe(16), role="viewer")
        return users.create_token(conn, user, name=TOKEN_NAME)


def revoke_tokens(url: str) -> None:
    t = schema.api_tokens
    with db.get_engine(url).begin() as conn:
        user = users.get_user_by_name(conn, BENCH_USER)
        live = conn.execute(select(t.c.id).where(t.c.user_id == user.id, t.c.name == TOKEN_NAME,
                                                 t.c.revoked_at.is_(None))).scalars()
        for token_id in list(live):
            users.revoke_token(conn, token_id)


# --- a gunicorn server -------------------------------------------------------------------------


@dataclass
class Server:
    """`gunicorn -w N wsgi:server` on a free port, its own cache directory and logs."""
    workers: int
    database_url: str
    workdir: Path
    redis_url: str | None = None  # REDIS_URL: the report cache every worker (and server) shares
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cache_dir(self) -> Path:
        return self.workdir / f"cache-w{self.workers}"

    @property
    def access_log(self) -> Path:
        return self.workdir / f"access-w{self.workers}.log"

    @property
    def error_log(self) -> Path:
        return self.workdir / f"app-w{self.workers}.log"

    def start(self, timeout: float = 60) -> "Server":
        env = dict(os.environ, DATABASE_URL=self.database_url, CACHE_DIR=str(self.cache_dir),
                   SECRET_KEY=self.secret_key, LOG_LEVEL="DEBUG", SCHEDULE="off")
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
               "-b", f"127.0.0.1:{self.port}", "--timeout", "120",
               "--access-logfile", str(self.access_log), "--access-logformat", ACCESS_FORMAT,
               "wsgi:server"]
        with open(self.error_log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log.read_text()[-3000:]}")
            try:
                if requests.get(self.base + "/api/health/ready", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # still booting
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready in {timeout} s: {self.error_log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the master stops its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def clear_cache(self) -> None:
        """Empty the report cache the workers share (diskcache is safe across processes; in
        Redis, this app's keys only)."""
        if self.redis_url:
            from core.cache_store import RedisCache
            RedisCache(self.redis_url).clear()
            return
        with diskcache.Cache(str(self.cache_dir)) as cache:
            cache.clear()

    def log_mark(self) -> tuple[int, int]:
        """Where the access log and the app log end now (see `since`)."""
        return (self.access_log.stat().st_size if self.access_log.exists() else 0,
                self.error_log.stat().st_size)

    def since(self, mark: tuple[int, int]) -> tuple[list[tuple[int, int, str]], int]:
        """(pid, status, path) of each request served since `mark`, and reports computed."""
        with open(self.access_log, "rb") as f:
            f.seek(mark[0])
            served = [line.split(" ", 2) for line in f.read().decode().splitlines()]
        with open(self.error_log, "rb") as f:
            f.seek(mark[1])
            computed = sum(COMPUTED in line and " report " in line
                           for line in f.read().decode(errors="replace").splitlines())
        return [(int(p.strip("<>")), int(s), path) for p, s, path in served], computed


# --- measuring ---------------------------------------------------------------------------------


def client(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def fetch(session: requests.Session, base: str, path: str) -> tuple[object, float]:
    t0 = time.perf_counter()
    response = session.get(base + path, timeout=120)
    ms = (time.perf_counter() - t0) * 1000
    response.raise_for_status()
    return response.json(), ms


def throughput(server: Server, token: str, paths: list[str], clients: int,
               seconds: float) -> float:
    """Requests per second of `clients` threads calling `paths` round robin for `seconds`."""
    done, stop = [0] * clients, time.monotonic() + seconds

    def run(i):
        session, k = client(token), i
        while time.monotonic() < stop:
            fetch(session, server.base, paths[k % len(paths)])
            done[i] += 1
            k += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


@dataclass
class Result:
    workers: int
    answers: dict = field(default_factory=dict)
    cold: list = field(default_factory=list)
    warm: list = field(default_factory=list)
    rps: float = 0.0
    pids: int = 0
    computed_cold: int = 0
    computed: int = 0


def measure(server: Server, token: str, paths: dict[str, str], args) -> Result:
    result, session = Result(server.workers), client(token)
    mark = server.log_mark()
    for _ in range(args.runs):
        server.clear_cache()
        for name, path in paths.items():
            answer, ms = fetch(session, server.base, path)
            result.answers.setdefault(name, answer)
            result.cold.append(ms)
    result.computed_cold = server.since(mark)[1]
    mark = server.log_mark()
    for _ in range(args.runs):
        for path in paths.values():
            result.warm.append(fetch(session, server.base, path)[1])
    result.rps = throughput(server, token, list(paths.values()), args.clients, args.seconds)
    served, result.computed = server.since(mark)
    result.pids = len({pid for pid, _status, _path in served})
    return result


def differences(a: Result, b: Result) -> list[str]:
    return [name for name in a.answers if a.answers[name] != b.answers.get(name)]


def table(results: list[Result], paths: dict[str, str]) -> str:
    head = (f"{'server':<22}{'cold p50':>10}{'cold p95':>10}{'warm p50':>10}{'warm p95':>10}"
            f"{'req/s':>8}{'workers seen':>14}{'computed cold/warm':>20}")
    rows = [head, "-" * len(head)]
    for r in results:
        rows.append(f"{f'gunicorn -w {r.workers}':<22}{pct(r.cold, 50):>10.1f}"
                    f"{pct(r.cold, 95):>10.1f}{pct(r.warm, 50):>10.1f}{pct(r.warm, 95):>10.1f}"
                    f"{r.rps:>8.1f}{r.pids:>14}{f'{r.computed_cold}/{r.computed}':>20}")
    rows.append(f"(ms over {len(paths)} endpoints: {', '.join(paths)}; "
                f"warm median {statistics.median(results[-1].warm):.1f} ms with the most workers)")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: the pinned demo in a temporary SQLite")
    parser.add_argument("--seed", action="store_true", help="load the pinned demo plant first")
    parser.add_argument("--workers", default="1,4", help="servers to compare, e.g. 1,4")
    parser.add_argument("--start", default="2026-03-02")
    parser.add_argument("--end", default="2026-03-29")
    parser.add_argument("--runs", type=int, default=10, help="cold rounds and warm rounds")
    parser.add_argument("--clients", type=int, default=8, help="threads for req/s")
    parser.add_argument("--seconds", type=float, default=10, help="length of the req/s run")
    parser.add_argument("--quick", action="store_true", help="1 and 2 workers, 2 runs, 2 s")
    parser.add_argument("--redis-url", help="REDIS_URL for the servers: the cache in Redis "
                        "(use a database of its own: the bench clears this app's keys there)")
    args = parser.parse_args(argv)
    if args.quick:
        args.workers, args.runs, args.seconds, args.clients = "1,2", 2, 2, 4
    workers = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="fp-scaleout-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'plant.db'}"
        prepare_database(url, seed=args.seed or not args.database_url, days=30)
        token = issue_token(url)
        paths = endpoints(args.start, args.end)
        results = []
        try:
            for n in workers:
                with Server(n, url, workdir, redis_url=args.redis_url) as server:
                    results.append(measure(server, token, paths, args))
        finally:
            revoke_tokens(url)
    print(table(results, paths))
    differ = sorted({name for r in results[1:] for name in differences(results[0], r)})
    if differ:
        print(f"DIFFERENT answers between servers: {', '.join(differ)}")
        return 1
    print(f"identical answers from {' and '.join(f'{n} worker(s)' for n in workers)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
