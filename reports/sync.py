"""The Admin page's database sync (SPEC section 10): the sources of SYNC_CONFIG with their stored
watermark and last run, and "Sync now" as a background job.

As with the reload (reports/admin.py), the admin is resolved in their request: `request_sync`
checks the choice and leaves a one-time ticket in the shared cache; `run_sync`, in the background
job, takes it and runs `ingest.sync` exactly as the command and the schedule do (each run lands in
the import history, the ETL log). Nothing here is cached: these tables change outside the data
version.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import pandas as pd

from auth import audit
from ingest import sync
from ingest.sync_config import SyncConfigError, has_sources, read_config
from queries import admin as q
from core.context import Context

TICKET_TTL_S = 10 * 60
SHOWN = ("read", "accepted", "duplicates", "rejected", "seconds", "error", "watermark_after")


class SyncRequestError(ValueError):
    """A request an admin can fix (no config, an unknown source); the message is for them."""


@dataclass
class SyncOutcome:
    ok: bool
    message: str
    lines: list[str] = field(default_factory=list)  # one summary per source, then rejections


def sources_table(ctx: Context) -> tuple[pd.DataFrame, str | None]:
    """One row per source of SYNC_CONFIG: target, URL (no password), stored watermark and the
    last run's numbers; and a note when there is no usable config (then no rows)."""
    path = ctx.settings.sync_config
    if not has_sources(path):
        return pd.DataFrame(), (f"No databases to pull from: SYNC_CONFIG ({path}) does not exist. "
                                "The README's \"Pulling from other databases\" shows one.")
    try:
        sources = read_config(path)
    except SyncConfigError as err:
        return pd.DataFrame(), str(err)
    with ctx.engine.connect() as conn:
        last = q.last_sync_runs(conn).set_index("source")
    rows = []
    for name, source in sources.items():
        run = last.loc[name].to_dict() if name in last.index else {}
        details = json.loads(run.get("details") or "{}")
        rows.append({"source": name, "target": source.target or "?",
                     "url": sync.hidden_url(source.url) if source.url else "",
                     "watermark": sync.watermark(ctx.engine, name),
                     "last_run": run.get("started_at"),
                     "status": run.get("status") or "not run yet",
                     **{k: details.get(k) for k in SHOWN},
                     "problem": source.problem or ""})
    return pd.DataFrame(rows), None


def request_sync(ctx: Context, actor: str, name: str | None = None) -> str:
    """Check the choice (a source of the config, or all of them) and hand out a ticket."""
    try:
        sources = read_config(ctx.settings.sync_config)
    except SyncConfigError as err:
        raise SyncRequestError(f"Nothing to sync: {err}.") from None
    if name and name not in sources:
        raise SyncRequestError(f"There is no source '{name}' in SYNC_CONFIG any more.")
    if not ctx.cache.available():
        raise SyncRequestError("Background jobs are unavailable: the shared cache and job "
                               "broker (Redis) cannot be reached. Try again when it is back.")
    ticket = secrets.token_urlsafe(16)
    ctx.cache.set(("admin-sync", ticket), {"username": actor, "name": name},
                  expire=TICKET_TTL_S)
    with ctx.engine.begin() as conn:
        audit.record(conn, actor, "sync requested", {"source": name or "all"}, ts=ctx.now())
    return ticket


def run_sync(ctx: Context, ticket: str | None, progress) -> SyncOutcome:
    """The background job: take the ticket and run the source(s); `progress(fraction, message)`
    hears how far it has come."""
    req = ctx.cache.pop(("admin-sync", ticket), default=None) if ticket else None
    if not isinstance(req, dict):
        return SyncOutcome(False, "This sync request is unknown or expired; start it again.")
    try:  # a source another run is reading (the schedule, say) fails, saying so
        runs = sync.sync(ctx.engine, ctx.settings.sync_config,
                         [req["name"]] if req["name"] else None,
                         plant_tz=ctx.settings.plant_tz, now=ctx.now,
                         username=req["username"], progress=progress)
    except SyncConfigError as err:
        return SyncOutcome(False, f"Nothing was synced: {err}.")
    failed = [run.source for run in runs if not run.ok]
    lines = []
    for run in runs:
        lines.append(run.summary())
        lines += [f"  rejected {reason}" for reason in run.reasons[:50]]
    message = (f"Synced {len(runs)} source(s): {sum(r.accepted for r in runs):,} rows accepted."
               if not failed else f"{len(failed)} of {len(runs)} source(s) failed: "
               f"{', '.join(failed)}; their watermark did not move.")
    with ctx.engine.begin() as conn:
        audit.record(conn, req["username"], "sync finished" if not failed else "sync failed",
                     {"source": req["name"] or "all", "failed": ", ".join(failed)}, ts=ctx.now())
    return SyncOutcome(not failed, message, lines)
