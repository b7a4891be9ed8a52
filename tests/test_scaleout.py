"""Several gunicorn workers on one database and one cache directory behave as one server.

Real processes: `gunicorn -w 2 wsgi:server` (bench/scaleout.py's Server) on a small demo plant in
SQLite. Requests are sent concurrently until gunicorn's access log shows that both workers
answered, so each check covers one user's requests landing on different workers: sign-in and its
session, the failed sign-in counter, a report cached by one worker and read by the other (the app
logs "report ... computed" on every cache miss: none may appear), and an ingestion on one worker
refreshing the answers of every worker.
"""
from __future__ import annotations

import re
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auth import users  # noqa: E402
from bench.scaleout import END, Server, endpoints  # noqa: E402
from data import db, schema
from demo import load as demo

pytestmark = pytest.mark.slow  # gunicorn with two workers

PASSWORD = "scale-out-" + secrets.token_urlsafe(8)
START_DAY, END_DAY = "2026-03-26", "2026-03-30"
PATHS = endpoints(START_DAY, END_DAY)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("scaleout")
    url = f"sqlite:///{workdir / 'plant.db'}"
    engine = db.get_engine(url)
    db.create_schema(engine)
    demo.load_demo(engine, days=7, end=END)
    with engine.begin() as conn:
        users.create_user(conn, "admin", PASSWORD, role="admin")
    with Server(2, url, workdir) as running:
        yield running


def both_workers(server: Server, call, path_part: str, batches: int = 20):
    """Run `call()` 4 at a time until both workers served a request whose path holds
    `path_part`; return the answers and the pids that served them."""
    mark, answers, pids = server.log_mark(), [], set()
    with ThreadPoolExecutor(4) as pool:
        for _ in range(batches):
            answers += list(pool.map(lambda _i: call(), range(4)))
            served, _computed = server.since(mark)
            pids = {pid for pid, _status, path in served if path_part in path}
            if len(pids) >= 2:
                break
    assert len(pids) >= 2, "gunicorn never spread the requests over both workers"
    return answers, pids


def login_form(session: requests.Session, base: str) -> str:
    page = session.get(base + "/login")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def sign_in(base: str, username: str, password: str) -> tuple[requests.Session, int]:
    session = requests.Session()
    token = login_form(session, base)
    answer = session.post(base + "/login", data={"csrf_token": token, "username": username,
                                                 "password": password}, allow_redirects=False)
    return session, answer.status_code


def test_a_session_signed_in_on_one_worker_is_valid_on_the_other(server):
    signed_in = []

    def sign_in_and_read():
        session, status = sign_in(server.base, "admin", PASSWORD)
        signed_in.append(session)
        return status, session.get(server.base + PATHS["production"]).status_code

    answers, _pids = both_workers(server, sign_in_and_read, "/login")
    assert set(answers) == {(302, 200)}  # the form of one worker, accepted by whichever came next
    session = signed_in[0]
    reads, _pids = both_workers(server, lambda: session.get(server.base + PATHS["quality"]),
                                "/api/v1/quality")
    assert {r.status_code for r in reads} == {200}


def test_failed_sign_ins_are_counted_over_all_workers(server):
    name = "nobody-" + secrets.token_hex(4)
    session = requests.Session()
    token = login_form(session, server.base)
    mark = server.log_mark()

    def fail():
        return session.post(server.base + "/login", data={
            "csrf_token": token, "username": name, "password": "wrong-password"}).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _i: fail(), range(8)))
    assert statuses == [401] * 8
    served, _computed = server.since(mark)
    assert len({pid for pid, _status, path in served if path == "/login"}) == 2
    assert fail() == 429  # 8 per user name, whichever worker counted them


def test_a_report_cached_by_one_worker_is_served_by_the_other(server):
    session, _status = sign_in(server.base, "admin", PASSWORD)
    path = PATHS["downtime"]
    mark = server.log_mark()
    first = session.get(server.base + path).json()
    _served, computed = server.since(mark)
    assert computed >= 1  # the first answer was computed (DEBUG line "report ... computed")
    mark = server.log_mark()
    answers, _pids = both_workers(server, lambda: session.get(server.base + path).json(),
                                  "/api/v1/downtime")
    assert all(answer == first for answer in answers)
    assert server.since(mark)[1] == 0  # no worker computed it again


def _worker_units(answer, emp_code):
    return next(r["units"] for r in answer["rows"] if r["emp_code"] == emp_code)


def test_an_event_posted_to_one_worker_refreshes_the_answers_of_every_worker(server):
    session, _status = sign_in(server.base, "admin", PASSWORD)
    path = PATHS["utilisation"]
    with db.get_engine(server.database_url).connect() as conn:
        ev = conn.execute(select(schema.events).where(
            schema.events.c.event_type == "working",
            schema.events.c.date == END.date() - timedelta(days=2))).first()
    before, _pids = both_workers(server, lambda: session.get(server.base + path).json(),
                                 "/api/v1/utilisation")
    units = _worker_units(before[0], ev.emp_code)
    posted = session.post(server.base + "/api/v1/events", json={
        "event_id": "scaleout-" + secrets.token_hex(6), "ts": (ev.ts + timedelta(seconds=1))
        .isoformat(), "emp_code": ev.emp_code, "station_code": ev.station_code,
        "event_type": "product_count", "count": 7, "confidence": 0.99})
    assert posted.json()["accepted"] == 1, posted.text
    after, _pids = both_workers(server, lambda: session.get(server.base + path).json(),
                                "/api/v1/utilisation")
    assert {_worker_units(a, ev.emp_code) for a in after} == {units + 7}


def test_a_token_read_does_not_wait_for_a_writer_on_sqlite(tmp_path):
    """Every worker shares SQLite's one write lock; an import holding it must not make a read
    with a token wait (30 s, then an error) only to note when the token was used."""
    import sqlite3
    path = tmp_path / "t.db"
    engine = db.get_engine(f"sqlite:///{path}")
    db.create_schema(engine)
    with engine.begin() as conn:
        token = users.create_token(conn, users.create_user(conn, "vera", PASSWORD))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long import
    try:
        with engine.begin() as conn:
            assert users.user_for_token(conn, token).username == "vera"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        writer.execute("ROLLBACK")
    with engine.begin() as conn:  # once the writer is done, the use is noted
        users.user_for_token(conn, token)
        used = conn.execute(select(schema.api_tokens.c.last_used_at)).scalar()
    assert used is not None
