"""Background callbacks in threads of the server process, not in forked processes.

Dash's DiskcacheManager forks a process per job. Forking a multi-threaded server is unsafe: a
lock that another thread held at the moment of the fork (SQLite's own mutexes, a connection pool's)
stays held in the child for ever, and the job hangs. This manager runs the same job function in a
thread instead; results and progress still go through the diskcache, and the job's state lives in
the cache too, so every worker process sees whether a job runs and can ask it to stop.

Cancelling is cooperative: `terminate_job` marks the job, and the job's next `raise_if_cancelled()`
(called from its progress reports) raises JobCancelled, which rolls back the work's transaction.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import secrets
import threading
import time

import dash
import flask

_local = threading.local()
RUNNING_TTL_S = 6 * 3600


class JobCancelled(BaseException):
    """Raised inside a job that was asked to stop (a BaseException, so that `except Exception`
    blocks in the work do not swallow it and its transaction rolls back)."""


class ThreadJobManager(dash.DiskcacheManager):
    def call_job_fn(self, key, job_fn, args, context):
        job = secrets.randbelow(2**31 - 2) + 1
        self.handle.set(("job-running", job), True, expire=RUNNING_TTL_S)

        def run():
            _local.job = (self.handle, job)
            try:
                job_fn(key, self._make_progress_key(key), args, context)
            except JobCancelled:
                pass
            finally:
                self.handle.delete(("job-running", job))
                self.handle.delete(("job-cancel", job))

        # the request's context (Flask's app context among it) goes with the job
        ctx = contextvars.copy_context()
        threading.Thread(target=ctx.run, args=(run,), daemon=True,
                         name=f"dash-job-{job}").start()
        return job

    def terminate_job(self, job):
        if job is None:
            return
        if self.handle.get(("job-running", int(job))):
            self.handle.set(("job-cancel", int(job)), True, expire=RUNNING_TTL_S)

    def terminate_unhealthy_job(self, job):
        return False  # a thread cannot turn into a zombie; a finished job clears its own state

    def job_running(self, job):
        return bool(job) and bool(self.handle.get(("job-running", int(job))))


def raise_if_cancelled() -> None:
    """In a job: stop here when the job was asked to stop."""
    handle, job = getattr(_local, "job", (None, None))
    if handle is not None and handle.get(("job-cancel", job)):
        raise JobCancelled()


@contextlib.contextmanager
def app_context():
    """The Flask app context a job needs (the Context lives on the app): a thread job inherits
    the request's; a Celery worker pushes its own app's."""
    if flask.has_app_context():
        yield
        return
    with dash.get_app().server.app_context():
        yield


# --- several machines: Celery on Redis (SPEC section 12) ------------------------------------------
#
# A worker can die mid-job (killed, out of memory, its machine gone). Its transaction rolls back
# with it, so no half-written data remains; what must not remain is a job that looks as if it were
# still running. A Celery job therefore keeps a heartbeat in the shared cache while it runs; the
# next worker to start finds a job whose heartbeat stopped, answers its page with a clear failure
# (through the job's Dash result, which any app server reads) and lets its owner clean up.

HEARTBEAT_S = 5
ALIVE_TTL_S = 20


@contextlib.contextmanager
def watched(cache, slot: str, about: dict):
    """Run a Celery-side job under a heartbeat named `slot`; outside Celery it does nothing."""
    handle = _celery_handle()
    if handle is None:
        yield
        return
    cache.set(("job", slot), {**handle, **about}, expire=RUNNING_TTL_S)
    cache.set(("job-alive", slot), True, expire=ALIVE_TTL_S)
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_S):
            cache.set(("job-alive", slot), True, expire=ALIVE_TTL_S)

    threading.Thread(target=beat, daemon=True, name=f"heartbeat-{slot}").start()
    try:
        yield
    finally:
        stop.set()
        cache.delete(("job", slot))
        cache.delete(("job-alive", slot))


def _celery_handle() -> dict | None:
    try:
        from celery import current_task
    except ImportError:
        return None
    # a proxy: falsy outside a task (comparing it with `is None` is always False)
    if not current_task or not current_task.request.id or not current_task.request.args:
        return None
    return {"task_id": current_task.request.id, "result_key": current_task.request.args[0]}


def reap_lost(cache, celery, slot: str, message: str, on_lost) -> bool:
    """If job `slot` stopped beating, end it: its Dash result becomes the error `message` (the
    page shows it through the callback's on_error) and `on_lost(record)` cleans up."""
    record = cache.get(("job", slot))
    if not record or cache.get(("job-alive", slot)):
        return False
    import json
    celery.backend.set(record["result_key"], json.dumps(
        {"background_callback_error": {"msg": message, "tb": ""}}))
    cache.delete(("job", slot))
    on_lost(record)
    return True

def celery_app_for(settings):
    """The Celery app of a deployment with REDIS_URL: Redis is broker and result backend; the
    Admin reload's background callback runs on its workers (Dash's CeleryManager), and beat sends
    each scheduled job (ingest/schedule.py) at its interval — the workers run them under the
    same database lease as the in-process runner, so a job never runs twice at once.

    A job whose worker dies is not run again behind the user's back (a reload is not a thing to
    repeat unasked): its transaction rolled back, and the next worker reports it failed
    (`reap_lost`)."""
    from celery import Celery
    from celery.signals import worker_ready

    from core.context import Context
    from ingest import schedule

    os.makedirs(settings.cache_dir, exist_ok=True)  # beat keeps its schedule file there
    celery = Celery("floorpulse", broker=settings.redis_url, backend=settings.redis_url)
    celery.conf.update(
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True, task_track_started=True,
        result_expires=24 * 3600, timezone=settings.plant_tz,
        beat_schedule_filename=os.path.join(settings.cache_dir, "celerybeat-schedule"),
        beat_schedule={
            f"floorpulse-{job.name}": {"task": "floorpulse.run_job",
                                       "schedule": job.interval_s(settings),
                                       "args": (job.name,)}
            for job in schedule.enabled_jobs(settings)},
    )

    @worker_ready.connect(weak=False)  # a closure: a weak reference would be gone at once
    def reap_when_ready(**_kw):
        """A worker that starts ends the jobs of a worker that died: once a dead job's heartbeat
        has lapsed (ALIVE_TTL_S), in a thread so the worker takes tasks meanwhile."""
        def later():
            time.sleep(ALIVE_TTL_S + HEARTBEAT_S)
            from reports import admin
            ctx = Context.create(settings)
            reap_lost(ctx.cache, celery, admin.RELOAD_SLOT, admin.RELOAD_LOST_MESSAGE,
                      lambda record: admin.reload_lost(ctx, record))
        threading.Thread(target=later, daemon=True, name="reap-lost-jobs").start()

    @celery.task(name="floorpulse.run_job")
    def run_job(name: str):
        from data import db
        return schedule.run_job(db.get_engine(settings.database_url), settings, name,
                                due_only=False)

    return celery
