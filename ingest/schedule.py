"""Scheduled work with no cron (SPEC section 12): a job is a name, an interval setting and a
function; a lease in the database (`job_state`) makes sure one runner runs it at a time.

Who runs the jobs:
- one machine (the default): a thread in each web process (`Runner`, started by create_app).
  Every worker's runner tries every due job; the conditional UPDATE of `claim` lets exactly one
  of them win, on SQLite and on PostgreSQL alike;
- several machines (`REDIS_URL`): Celery beat sends `run_job(name)` to the workers at each
  job's interval, and the web processes run no schedule. The same lease applies.

A running job renews its lease every LEASE_S / 3 seconds, so it is never started twice however
long it runs, while a runner that was killed frees its jobs within LEASE_S. A job that raises is
logged with its traceback, recorded as an error on the Admin page, and tried at its next tick.
Each job is still a command (`flask --app app process-attendance`, `refresh-rollups`, ...), and
the commands call the same functions.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, or_, select, update

from data import db, schema
from settings import Settings

log = logging.getLogger(__name__)

J = schema.job_state
LEASE_S = 120.0
MESSAGE_MAX = 2000


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    setting: str  # the environment variable that sets its interval
    interval_s: Callable[[Settings], float]
    run: Callable[[Engine, Settings], str]  # does the work; returns a one-line outcome
    enabled: Callable[[Settings], bool] = lambda settings: True


def plant_now(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.plant_tz)).replace(tzinfo=None)


# --- the jobs ---------------------------------------------------------------------------------

def process_attendance(engine: Engine, settings: Settings) -> str:
    from ingest.attendance import process_attendance as run
    now = plant_now(settings)
    report = run(engine, now, default_shift=settings.default_shift)
    return (f"{report.day_count} day(s) up to {report.closed_until}: {report.written} written, "
            f"{report.deleted} removed, {report.punches} punches"
            + skipped_text(report.skipped, "punch", report.skipped_examples, now))


def refresh_rollups(engine: Engine, settings: Settings, everything: bool = False) -> str:
    from ingest import rollups
    rules = rollups.rules_of(settings)
    now = plant_now(settings)
    with engine.begin() as conn:
        written = (rollups.rebuild(conn, rules, now=now) if everything
                   else rollups.refresh(conn, rules, now=now))
        if everything:
            rollups.rebuild_attendance(conn)
            rollups.rebuild_line_day(conn)
            rollups.rebuild_operator_month(conn)
        if written or everything:
            db.analyze(conn, schema.ROLLUP_TABLES)
            db.bump_data_version(conn)
        skipped, shown = rollups.outside_events(conn, now)
    return f"util_daily: {written:,} rows written" + skipped_text(skipped, "event", shown, now)


def skipped_text(count: int, noun: str, shown: list[str], now: datetime) -> str:
    """"; skipped 2 events outside the plausible window (...): a, b" or nothing."""
    if not count:
        return ""
    from ingest.csv_rules import window_text
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return (f"; skipped {count:,} {noun}{'' if count == 1 else 'es' if noun.endswith('h') else 's'}"
            f" outside the plausible window ({window_text(now)}): {', '.join(shown)}{more}")


def evaluate_alerts(engine: Engine, settings: Settings) -> str:
    from ingest.alerts import evaluate_alerts as run
    r = run(settings)
    return (f"{r['rules']} rule(s): {r['fired']} fired, {r['resolved']} resolved, "
            f"{r['firing']} firing; {r['sent']} sent, {r['retrying']} to retry")


class SyncFailed(RuntimeError):
    """A scheduled sync in which a source failed (each failure is in the ETL log already)."""


def sync_sources(engine: Engine, settings: Settings) -> str:
    from ingest import sync
    runs = sync.sync(engine, settings.sync_config, plant_tz=settings.plant_tz,
                     now=lambda: plant_now(settings), username="schedule")
    message = "; ".join(run.summary() for run in runs)
    if any(not run.ok for run in runs):
        raise SyncFailed(message)
    return message


def _sync_configured(settings: Settings) -> bool:
    from ingest.sync_config import has_sources
    return has_sources(settings.sync_config)


JOBS: tuple[Job, ...] = (
    Job("attendance", "Attendance processing", "ATTENDANCE_EVERY_MIN",
        lambda s: s.attendance_every_min * 60, process_attendance),
    Job("rollups", "Rollup refresh", "ROLLUPS_EVERY_MIN",
        lambda s: s.rollups_every_min * 60, refresh_rollups),
    Job("alerts", "Alert evaluation", "ALERTS_EVERY_S", lambda s: s.alerts_every_s,
        evaluate_alerts),
    # only when SYNC_CONFIG exists (a broken file then shows as this job's error)
    Job("sync", "Database sync", "SYNC_EVERY_MIN", lambda s: s.sync_every_min * 60,
        sync_sources, enabled=_sync_configured),
)
BY_NAME = {job.name: job for job in JOBS}


# --- the lease --------------------------------------------------------------------------------

def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(engine: Engine, name: str, me: str, now: datetime, due_only: bool = True) -> bool:
    """Take job `name` for `me` if nobody holds its lease (and, with due_only, its next run has
    come). One UPDATE with the condition in its WHERE: of several runners exactly one wins."""
    with engine.begin() as conn:
        db.insert_ignore(conn, J, [{"name": name, "runs": 0, "failures": 0}])
        free = or_(J.c.lease_until.is_(None), J.c.lease_until < now)
        due = or_(J.c.next_run.is_(None), J.c.next_run <= now) if due_only else True
        won = conn.execute(update(J).where(J.c.name == name, free, due).values(
            running_by=me, lease_until=now + timedelta(seconds=LEASE_S), last_started=now))
        return won.rowcount == 1


def renew(engine: Engine, name: str, me: str, now: datetime) -> bool:
    with engine.begin() as conn:
        held = conn.execute(update(J).where(J.c.name == name, J.c.running_by == me).values(
            lease_until=now + timedelta(seconds=LEASE_S)))
        return held.rowcount == 1


def release(engine: Engine, job: Job, settings: Settings, me: str, started: datetime,
            seconds: float, ok: bool, message: str) -> None:
    now = plant_now(settings)
    with engine.begin() as conn:
        conn.execute(update(J).where(J.c.name == job.name, J.c.running_by == me).values(
            running_by=None, lease_until=None, last_finished=now, last_seconds=seconds,
            last_outcome="ok" if ok else "error", last_message=message[:MESSAGE_MAX],
            next_run=started + timedelta(seconds=job.interval_s(settings)),
            runs=J.c.runs + 1, failures=J.c.failures + (0 if ok else 1)))


def run_job(engine: Engine, settings: Settings, name: str, due_only: bool = True) -> str | None:
    """Run job `name` once if this runner wins its lease; None when another runner holds it
    (or, with due_only, it is not due). Never raises for the job's own failure: that is logged
    and recorded, and the job is tried again at its next tick."""
    job = BY_NAME[name]
    me = runner_id()
    started = plant_now(settings)
    if not claim(engine, name, me, started, due_only):
        return None
    stop = threading.Event()

    def keep_lease():
        while not stop.wait(LEASE_S / 3):
            try:
                renew(engine, name, me, plant_now(settings))
            except Exception:  # noqa: BLE001 - the next renewal tries again
                log.warning("job %s: could not renew its lease", name, exc_info=True)

    threading.Thread(target=keep_lease, daemon=True, name=f"lease-{name}").start()
    t0 = time.perf_counter()
    try:
        message, ok = job.run(engine, settings), True
        log.info("job %s: %s (%.1f s)", name, message, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - a failing job must not stop the schedule
        message, ok = f"{type(exc).__name__}: {exc}", False
        log.exception("job %s failed; it runs again at its next tick", name)
    finally:
        stop.set()
    release(engine, job, settings, me, started, time.perf_counter() - t0, ok, message)
    return message


def enabled_jobs(settings: Settings) -> list[Job]:
    return [job for job in JOBS if job.enabled(settings)]


# --- the in-process runner (one machine) -------------------------------------------------------

class Runner:
    """A daemon thread that runs every due job, one after another. Start one per process."""

    def __init__(self, engine: Engine, settings: Settings, tick_s: float | None = None):
        self.engine, self.settings = engine, settings
        jobs = enabled_jobs(settings)
        shortest = min((job.interval_s(settings) for job in jobs), default=60.0)
        self.tick_s = tick_s if tick_s is not None else max(0.5, min(15.0, shortest / 4))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Runner":
        self._thread = threading.Thread(target=self._loop, daemon=True, name="floorpulse-schedule")
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for job in enabled_jobs(self.settings):
                if self._stop.is_set():
                    break
                try:
                    run_job(self.engine, self.settings, job.name)
                except Exception:  # noqa: BLE001 - the database was unreachable: next tick
                    log.warning("schedule: could not reach the database for %s", job.name,
                                exc_info=True)
            self._stop.wait(self.tick_s)


_runners: dict[tuple[int, str], Runner] = {}


def start_in_process(engine: Engine, settings: Settings) -> Runner:
    """Start this process's runner for settings' database once (a later create_app on the same
    database keeps it). A forked child (gunicorn --preload) gets runners of its own: threads do
    not survive a fork."""
    key = (os.getpid(), settings.database_url)
    if key not in _runners:
        _runners[key] = Runner(engine, settings).start()
        os.register_at_fork(after_in_child=lambda: start_in_process(engine, settings))
    return _runners[key]


def stop_in_process(settings: Settings) -> None:
    runner = _runners.pop((os.getpid(), settings.database_url), None)
    if runner is not None:
        runner.stop()
