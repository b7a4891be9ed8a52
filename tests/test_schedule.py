"""The schedule with no cron (SPEC section 12) on SQLite and PostgreSQL: one runner wins each
job's lease, a running job is never started twice, a failing job is recorded and tried at its next
tick, bad interval settings name themselves, and a plant left running processes its punches into
attendance with no command run."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from data import schema
from ingest import schedule
from settings import Settings, SettingsError
from tests.attendance_plant import attendance_plant


def _settings(url, tmp_path, **kw):
    return Settings(database_url=url, cache_dir=str(tmp_path / "cache"), testing=True,
                    secret_key="x", demo_data=False, **kw)


def _state(engine, name):
    with engine.connect() as conn:
        return conn.execute(select(schema.job_state).where(
            schema.job_state.c.name == name)).mappings().first()


@pytest.fixture
def counting_job(monkeypatch):
    """A job whose runs are counted; `gate` (when set) holds it running until released."""
    calls = []
    gate = {"event": None, "fail": False}

    def run(engine, settings):
        calls.append(threading.get_ident())
        if gate["event"] is not None:
            gate["event"].wait(10)
        if gate["fail"]:
            raise RuntimeError("the source said no")
        return f"run {len(calls)}"

    job = schedule.Job("counted", "Counted", "COUNTED_EVERY_MIN", lambda s: 60.0, run)
    monkeypatch.setitem(schedule.BY_NAME, "counted", job)
    return calls, gate


def test_bad_interval_settings_name_the_setting(monkeypatch):
    for value, words in (("0", "must be greater than 0"), ("-5", "must be greater than 0"),
                         ("soon", "is not a number")):
        monkeypatch.setenv("ATTENDANCE_EVERY_MIN", value)
        with pytest.raises(SettingsError, match=f"ATTENDANCE_EVERY_MIN='{value}' {words}"):
            Settings.from_env(secret_key="x")
    monkeypatch.delenv("ATTENDANCE_EVERY_MIN")
    monkeypatch.setenv("SCHEDULE", "sometimes")
    with pytest.raises(SettingsError, match="SCHEDULE"):
        Settings.from_env(secret_key="x")
    with pytest.raises(SettingsError, match="ALERTS_EVERY_S"):
        Settings(alerts_every_s=0)


def test_who_runs_the_schedule():
    assert Settings(secret_key="x").schedule_in_process  # one machine: the web process
    assert not Settings(secret_key="x", redis_url="redis://127.0.0.1:6379/0").schedule_in_process
    assert not Settings(secret_key="x", testing=True).schedule_in_process
    assert Settings(secret_key="x", testing=True, schedule="on").schedule_in_process
    assert not Settings(secret_key="x", schedule="off").schedule_in_process


def test_one_runner_wins_the_lease(engine):
    now = schedule.plant_now(Settings(secret_key="x"))
    assert schedule.claim(engine, "counted", "a", now)
    assert not schedule.claim(engine, "counted", "b", now)  # a holds it
    # a lease that ran out (its runner was killed) is free again
    later = now + timedelta(seconds=schedule.LEASE_S + 1)
    assert schedule.claim(engine, "counted", "b", later)
    assert _state(engine, "counted")["running_by"] == "b"


def test_a_run_is_recorded_and_not_due_again_before_its_interval(engine, tmp_path, counting_job,
                                                                 database_url):
    calls, _ = counting_job
    settings = _settings(database_url, tmp_path)
    assert schedule.run_job(engine, settings, "counted") == "run 1"
    state = _state(engine, "counted")
    assert (state["last_outcome"], state["last_message"], state["runs"]) == ("ok", "run 1", 1)
    assert state["running_by"] is None and state["lease_until"] is None
    assert state["next_run"] - state["last_started"] == timedelta(seconds=60)
    assert schedule.run_job(engine, settings, "counted") is None  # not due yet
    assert schedule.run_job(engine, settings, "counted", due_only=False) == "run 2"  # beat's call
    assert len(calls) == 2


def test_a_failing_job_is_recorded_and_tried_at_its_next_tick(engine, tmp_path, counting_job,
                                                             database_url, caplog):
    calls, gate = counting_job
    settings = _settings(database_url, tmp_path)
    gate["fail"] = True
    assert schedule.run_job(engine, settings, "counted") == "RuntimeError: the source said no"
    state = _state(engine, "counted")
    assert (state["last_outcome"], state["failures"], state["runs"]) == ("error", 1, 1)
    assert "job counted failed" in caplog.text
    gate["fail"] = False
    assert schedule.run_job(engine, settings, "counted", due_only=False) == "run 2"
    assert _state(engine, "counted")["last_outcome"] == "ok"


def test_a_running_job_is_never_started_twice(engine, tmp_path, counting_job, database_url):
    calls, gate = counting_job
    settings = _settings(database_url, tmp_path)
    gate["event"] = threading.Event()
    first = threading.Thread(target=schedule.run_job, args=(engine, settings, "counted"))
    first.start()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        gate["event"].wait(0.01)
    assert len(calls) == 1
    # others try while it runs, due or not: none starts it
    others = [threading.Thread(target=schedule.run_job, args=(engine, settings, "counted"),
                               kwargs={"due_only": False}) for _ in range(4)]
    for t in others:
        t.start()
    for t in others:
        t.join(20)
    gate["event"].set()
    first.join(20)
    assert len(calls) == 1


def test_runners_racing_for_a_due_job_run_it_once(engine, tmp_path, counting_job, database_url):
    calls, _ = counting_job
    settings = _settings(database_url, tmp_path)
    barrier = threading.Barrier(4)

    def race():
        barrier.wait()
        schedule.run_job(engine, settings, "counted")

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1


def test_a_plant_left_running_processes_its_punches_by_itself(engine, database_url, tmp_path):
    """The app's own runner, with no command: punches become attendance records."""
    from app import create_app

    attendance_plant(engine)
    settings = _settings(database_url, tmp_path, schedule="on", attendance_every_min=0.01,
                         rollups_every_min=0.01)
    create_app(settings, serve=True)
    try:
        deadline = time.monotonic() + 60
        state = None
        while time.monotonic() < deadline:
            state = _state(engine, "attendance")
            if state is not None and state["last_outcome"] is not None:
                break
            threading.Event().wait(0.2)
        assert state["last_outcome"] == "ok", state["last_message"]
        with engine.connect() as conn:
            records = conn.execute(select(func.count()).select_from(
                schema.attendance_daily)).scalar()
        assert records > 0
    finally:
        schedule.stop_in_process(settings)
