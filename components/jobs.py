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

import contextvars
import secrets
import threading

import dash

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
