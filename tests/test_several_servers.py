"""Several machines (SPEC section 12), with real processes: two gunicorn app servers on their own
ports and their own local cache folders, one PostgreSQL database, one Redis (this test's own
database number), one Celery worker and Celery beat with short intervals.

- data posted to server A shows on server B at once (one shared cache and data version);
- punches posted to A become attendance records readable on B with no command run (beat sends
  the attendance job, the worker runs it);
- an Admin reload started on A is followed to the end on B (Dash's background callback protocol:
  the job runs on the worker, its progress and result live in Redis);
- a worker killed mid-reload loses nothing: the reload's transaction rolls back, and the job runs
  again on the next worker and finishes (the task is acknowledged only when done).
"""
from __future__ import annotations

import os
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import requests
from sqlalchemy import func, select

from auth import users
from data import db, schema
from tests.factories import small_plant
from tests.multiserver import AppServer, Proc, call, dependency, sign_in, wait_for

pytestmark = pytest.mark.slow  # real processes: skip with -m "not slow"

REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "several-servers-pw"
PLANT_TZ = "Asia/Dhaka"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    from tests.conftest import TEST_DATABASE_URL, _postgres_available, _reset
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    engine = db.get_engine(TEST_DATABASE_URL)
    _reset(engine)
    small_plant(engine)
    with engine.begin() as conn:
        admin = users.create_user(conn, "admin", PASSWORD, role="admin")
        token = users.create_token(conn, admin)
    redis.Redis.from_url(REDIS_URL).flushdb()  # this test's own Redis database
    workdir = tmp_path_factory.mktemp("several")
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=REDIS_URL,
               SECRET_KEY="several-servers-secret", PLANT_TZ=PLANT_TZ, DEMO_DATA="0",
               ATTENDANCE_EVERY_MIN="0.05", ROLLUPS_EVERY_MIN="0.05", LOG_LEVEL="INFO",
               CACHE_DIR=str(workdir / "cache-celery"))
    celery = [sys.executable, "-m", "celery", "-A", "app.celery_app"]
    procs = {
        "a": AppServer("a", env, workdir), "b": AppServer("b", env, workdir),
        "worker": Proc("worker", celery + ["worker", "-c", "1", "--loglevel=INFO"], env, workdir),
        "beat": Proc("beat", celery + ["beat", "--loglevel=INFO"], env, workdir),
    }
    for p in procs.values():
        p.start()
    started = list(procs.values())  # a test that starts a process adds it here
    try:
        procs["a"].wait_ready()
        procs["b"].wait_ready()
        yield {**procs, "engine": engine, "token": token, "env": env, "workdir": workdir,
               "started": started}
    finally:
        for p in started:
            p.stop()


def _closed_day() -> date:
    """A day whose shift windows have all closed (the night shift ends 05:00 + 60 min)."""
    return datetime.now(ZoneInfo(PLANT_TZ)).date() - timedelta(days=2)


def test_punches_posted_to_a_become_attendance_on_b_with_no_command(deployment):
    a, b = deployment["a"], deployment["b"]
    day = _closed_day()
    with deployment["engine"].begin() as conn:
        conn.execute(schema.employees.insert().values(
            emp_code="E900", name="Night Owl", line_code="L01", shift_code="A",
            date_joined=day - timedelta(days=1)))
    bearer = {"Authorization": f"Bearer {deployment['token']}"}
    punches = [{"emp_code": "E900", "ts": f"{day}T07:55:00", "direction": "IN"},
               {"emp_code": "E900", "ts": f"{day}T17:02:00", "direction": "OUT"}]
    answer = requests.post(a.base + "/api/v1/punches", json=punches, headers=bearer, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 2

    def processed_on_b():
        rows = requests.get(b.base + f"/api/v1/attendance?start={day}&end={day}&emp=E900",
                            headers=bearer, timeout=30).json()["rows"]
        return rows and rows[0]

    record = wait_for(processed_on_b, 90, "beat and the worker never processed the punches",
                      alive=deployment["worker"], every=1)
    assert (record["status"], record["in_time"][11:16], record["out_time"][11:16]) == \
        ("P", "07:55", "17:02")
    assert "floorpulse.run_job" in deployment["worker"].text()


def test_data_posted_to_a_shows_on_b_at_once(deployment):
    a, b = deployment["a"], deployment["b"]
    bearer = {"Authorization": f"Bearer {deployment['token']}"}
    day = _closed_day() - timedelta(days=1)
    path = f"/api/v1/attendance?start={day}&end={day}&summary=1"
    with deployment["engine"].begin() as conn:
        conn.execute(schema.employees.insert().values(
            emp_code="E901", name="Early Bird", line_code="L02", shift_code="A",
            date_joined=day))
    before = requests.get(b.base + path, headers=bearer, timeout=30).json()["total"]
    assert requests.get(b.base + path, headers=bearer, timeout=30).json()["total"] == before
    # a write on A (attendance processed by its own command path) moves the shared version
    answer = requests.post(a.base + "/api/v1/punches", headers=bearer, timeout=30, json=[
        {"emp_code": "E901", "ts": f"{day}T08:00:00", "direction": "IN"},
        {"emp_code": "E901", "ts": f"{day}T17:00:00", "direction": "OUT"}])
    assert answer.json()["accepted"] == 2

    def counted_on_b():
        total = requests.get(b.base + path, headers=bearer, timeout=30).json()["total"]
        return total if total["P"] > before.get("P", 0) else None

    after = wait_for(counted_on_b, 90, "B never showed the new attendance", every=1)
    assert after["P"] == before.get("P", 0) + 1


def _start_reload(deployment, days: int):
    """Sign in on A, press "Start reload" (demo data) through Dash's protocol, hand the ticket to
    the background callback on A; return the session, its handles and the callback."""
    a = deployment["a"]
    session = sign_in(a.base, "admin", PASSWORD)
    start = dependency(session, a.base, "admin-reload-ticket.data")
    answer = call(session, a.base, start, {
        "admin-reload-start.n_clicks": 1, "admin-reload-action.value": "demo",
        "admin-reload-scale.value": "demo", "admin-reload-days.value": days,
        "admin-refresh.data": 0}, "admin-reload-start.n_clicks")
    assert answer.status_code == 200, answer.text[:1000]
    ticket = answer.json()["response"]["admin-reload-ticket"]["data"]
    run = dependency(session, a.base, "admin-reload-result.children")
    values = {"admin-reload-ticket.data": ticket, "admin-refresh.data": 1}
    first = call(session, a.base, run, values, "admin-reload-ticket.data")
    assert first.status_code == 200, first.text[:1000]
    handles = {k: first.json()[k] for k in ("cacheKey", "job")}
    return session, run, values, handles


def _poll(session, base, run, values, handles):
    """One poll of a background callback (what the renderer does every second)."""
    answer = call(session, base, run, values, "admin-reload-ticket.data", handles)
    if answer.status_code == 200 and answer.text and "response" in answer.json():
        return answer.json()["response"]
    return None


def _rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.production)).scalar()


def test_a_reload_started_on_a_is_followed_to_the_end_on_b(deployment):
    b = deployment["b"]
    session, run, values, handles = _start_reload(deployment, days=3)
    result = wait_for(lambda: _poll(session, b.base, run, values, handles), 180,
                      "B never saw the reload finish", alive=deployment["worker"], every=1)
    text = str(result["admin-reload-result"]["children"])
    assert "Loaded the demo plant" in text, text
    assert _rows(deployment["engine"]) > 0
    with deployment["engine"].connect() as conn:
        kinds = conn.execute(select(schema.imports.c.kind, schema.imports.c.status)).all()
    assert ("demo", "ok") in kinds


def test_a_killed_worker_loses_nothing_and_its_reload_ends_as_failed(deployment):
    """SIGKILL the worker mid-reload: the transaction rolls back with it (no half-written rows);
    the next worker to start reports the reload failed — on the page that follows it (B), in the
    import history and the audit log — and frees the slot, so a new reload runs to the end."""
    b, worker, engine = deployment["b"], deployment["worker"], deployment["engine"]
    before = _rows(engine)
    session, run, values, handles = _start_reload(deployment, days=30)
    wait_for(lambda: _reload_progress(session, b.base, run, values, handles), 120,
             "the reload never reported progress", alive=worker, every=0.25)
    worker.kill()
    assert _rows(engine) == before  # the killed transaction left nothing half-written
    replacement = Proc("worker2", worker.cmd, worker.env, deployment["workdir"]).start()
    deployment["started"].append(replacement)  # the fixture stops it
    result = wait_for(lambda: _poll(session, b.base, run, values, handles), 180,
                      "the lost reload was never reported", alive=replacement, every=1)
    assert "worker running it stopped" in str(result["admin-reload-result"]["children"])
    assert _rows(engine) == before
    with engine.connect() as conn:
        history = conn.execute(select(schema.imports.c.status, schema.imports.c.errors)
                               .order_by(schema.imports.c.id.desc())).first()
        audit_actions = [r[0] for r in conn.execute(select(schema.audit_log.c.action))]
    assert history.status == "failed" and "worker running it stopped" in history.errors
    assert "reload failed" in audit_actions
    # the slot is free again: the next reload runs to the end on the new worker
    session, run, values, handles = _start_reload(deployment, days=3)
    result = wait_for(lambda: _poll(session, b.base, run, values, handles), 180,
                      "the next reload never finished", alive=replacement, every=1)
    assert "Loaded the demo plant" in str(result["admin-reload-result"]["children"])


def _reload_progress(session, base, run, values, handles) -> str:
    """The job's latest progress message ("" while it has none to report: Dash hands each one out
    once). An answer that is already the job's result fails the test with that result."""
    answer = call(session, base, run, values, "admin-reload-ticket.data", handles)
    try:
        body = answer.json()
    except ValueError:
        return ""
    assert "response" not in body, f"the reload ended before it was killed: {body['response']}"
    return str(body.get("progress") or "")
