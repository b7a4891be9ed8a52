"""The admin page's work: accounts and tokens with an audit trail, the import history, and the
data reload that runs as a background job.

Every change an admin makes is written with its audit-log row in one transaction. Nothing here is
cached: these tables change outside the data version.

The reload is split in two so that the user is resolved inside a request, never in the job:
`request_reload` (in the admin's request) checks the choice and leaves a one-time ticket naming
the admin in the shared cache; `run_reload` (in the background process) takes the ticket and does
the work. A ticket id the server did not hand out starts nothing.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from auth import audit, gate, users
from data import schema
from demo import load as demo
from ingest import history, rollups
from ingest.importer import import_folder
from ingest.upload import import_upload
from queries import admin as q
from core.context import Context

log = logging.getLogger(__name__)

DEMO_SCALES = tuple(demo.SCALES)
TICKET_TTL_S = 10 * 60
RUNNING_KEY = ("admin-reload", "running")
RUNNING_TTL_S = 3 * 3600  # a reload that died without cleaning up frees the slot after this
RELOAD_SLOT = "admin-reload"  # its heartbeat's name on Celery workers (components/jobs.watched)
RELOAD_LOST_MESSAGE = ("The reload was interrupted: the worker running it stopped. Nothing was "
                       "changed; start it again.")


class AdminError(ValueError):
    """A request an admin can fix (bad folder, weak password, ...); the message is for them."""


# --- reading -------------------------------------------------------------------------------------

def _in_plant_time(ctx: Context, df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Account timestamps are stamped with the server's clock; show them in plant time, as the
    import history and the audit log are."""
    server_tz = datetime.now().astimezone().tzinfo
    for col in columns:
        stamps = pd.to_datetime(df[col])
        df[col] = (stamps.dt.tz_localize(server_tz).dt.tz_convert(ctx.settings.plant_tz)
                   .dt.tz_localize(None))
    return df


def users_table(ctx: Context) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        df = q.users(conn)
    df["active"] = df["active"].astype(bool)
    return _in_plant_time(ctx, df, ["created_at"])


def tokens_table(ctx: Context) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        df = q.tokens(conn)
    df["status"] = ["revoked" if pd.notna(r) else "live" for r in df["revoked_at"]]
    return _in_plant_time(ctx, df, ["created_at", "last_used_at", "revoked_at"])


def import_history(ctx: Context) -> pd.DataFrame:
    """One row per import or reload: who, when, source, files, rows, errors, duration."""
    with ctx.engine.connect() as conn:
        df = q.imports(conn)
    counts = [json.loads(x) if x else {} for x in df["row_counts"]]
    started = pd.to_datetime(df["started_at"])
    df["files"] = [len(c) for c in counts]
    df["rows"] = [sum(c.values()) for c in counts]
    df["error_count"] = df["error_count"].fillna(0).astype(int)
    df["first_error"] = [_first_error(head) for head in df.pop("errors_head")]
    df["duration_s"] = (pd.to_datetime(df["finished_at"]) - started).dt.total_seconds()
    return df


def _first_error(head: str | None) -> str:
    """The first error of a stored list from the list's first characters."""
    text = (head or "").lstrip()
    if not text.startswith("[") or text[1:].lstrip().startswith("]"):
        return ""
    try:
        first, _end = json.JSONDecoder().raw_decode(text[1:].lstrip())
    except ValueError:  # longer than the head: cut
        return text[1:].lstrip().strip('"')[:500] + " …"
    return str(first)


def import_detail(ctx: Context, import_id: int) -> dict | None:
    with ctx.engine.connect() as conn:
        row = conn.execute(schema.imports.select().where(
            schema.imports.c.id == int(import_id))).mappings().first()
    if row is None:
        return None
    errors = json.loads(row["errors"] or "[]")
    return {**row, "row_counts": json.loads(row["row_counts"] or "{}"), "errors": errors,
            "error_count": max(row["error_count"] or 0, len(errors))}


ERROR_PARTS = re.compile(r"^(?P<file>.*?):(?P<line>\d+): (?P<column>.*?): (?P<reason>.*)$",
                         re.DOTALL)
ERROR_FIELDS = ["file", "line", "column", "reason"]


def import_errors(ctx: Context, import_id: int) -> pd.DataFrame:
    """The stored errors of one import (at most history.MAX_ERRORS), one row each: file, line,
    column, reason (an error of another shape is all reason)."""
    detail = import_detail(ctx, import_id)
    return error_rows(detail["errors"] if detail else [])


def error_rows(errors: list[str]) -> pd.DataFrame:
    rows = []
    for error in errors:
        found = ERROR_PARTS.match(error)
        rows.append({**found.groupdict(), "line": int(found["line"])} if found else
                    {"file": "", "line": None, "column": "", "reason": error})
    return pd.DataFrame(rows, columns=ERROR_FIELDS)


def audit_table(ctx: Context, wo_number: str | None = None) -> pd.DataFrame:
    """Newest first; `details` as stored (JSON) and `summary` for people ("role: admin · ...");
    with wo_number only that work order's operations, each with its `move` ("DRAFT → RELEASED";
    a quantity changed reads "order_qty: 1200 → 1500")."""
    with ctx.engine.connect() as conn:
        df = q.audit_log(conn, wo_number=(wo_number or "").strip() or None)
    df["summary"] = [" · ".join(_detail(k, v) for k, v in json.loads(d).items()
                                if v not in (None, "")) if d else "" for d in df["details"]]
    df["move"] = [f"{b or '—'} → {a}" if a else "" for b, a in
                  zip(df["status_before"], df["status_after"])]
    return df


def schedule_table(ctx: Context) -> pd.DataFrame:
    """Each scheduled job with its interval, who runs it, its last run and its next one; a job
    that never ran yet is listed too ("not run yet")."""
    from ingest import schedule
    with ctx.engine.connect() as conn:
        states = q.job_states(conn).set_index("name")
    s = ctx.settings
    runner = ("in the web process" if s.schedule_in_process else
              "Celery beat" if s.redis_url and s.schedule == "auto" else "off (commands only)")
    rows = []
    for job in schedule.JOBS:
        state = states.loc[job.name].to_dict() if job.name in states.index else {}
        running = pd.notna(state.get("lease_until")) and state.get("running_by")
        rows.append({
            "job": job.title, "name": job.name, "setting": job.setting,
            "every": _interval_text(job.interval_s(s)),
            "runner": runner if job.enabled(s) else "disabled",
            "last_started": state.get("last_started"), "last_seconds": state.get("last_seconds"),
            "outcome": "running" if running else (state.get("last_outcome") or "not run yet"),
            "message": state.get("last_message") or "",
            "next_run": state.get("next_run"), "runs": state.get("runs") or 0,
            "failures": state.get("failures") or 0,
        })
    return pd.DataFrame(rows)


def _interval_text(seconds: float) -> str:
    if seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} min" if minutes < 120 else f"{minutes / 60:g} h"
    return f"{seconds:g} s"


def _detail(key: str, value) -> str:
    if isinstance(value, list) and len(value) == 2:  # [before, after]
        return f"{key}: {value[0]} → {value[1]}"
    return f"{key}: {value}"


# --- accounts ------------------------------------------------------------------------------------

def _account_change(ctx: Context, actor: str, action: str, change, **details):
    """Run `change(conn)` and its audit row in one transaction; AccountError -> AdminError."""
    try:
        with ctx.engine.begin() as conn:
            result = change(conn)
            audit.record(conn, actor, action, details, ts=ctx.now())
            return result
    except users.AccountError as err:
        raise AdminError(str(err)) from err


def create_user(ctx: Context, actor: str, username: str, password: str, role: str,
                lines=()) -> users.User:
    return _account_change(
        ctx, actor, "user created",
        lambda conn: users.create_user(conn, username, password, role=role, lines=tuple(lines)),
        user=(username or "").strip(), role=role, lines=",".join(lines or ()))


def _name(ctx: Context, user_id) -> str:
    with ctx.engine.connect() as conn:
        user = users.get_user(conn, user_id)
    if user is None:
        raise AdminError("That user does not exist (any more).")
    return user.username


def update_user(ctx: Context, actor: str, user_id: int, role: str, lines=()) -> users.User:
    return _account_change(
        ctx, actor, "user changed",
        lambda conn: users.update_user(conn, user_id, role=role, lines=lines or ()),
        user=_name(ctx, user_id), role=role, lines=",".join(lines or ()))


def set_active(ctx: Context, actor: str, user_id: int, active: bool) -> users.User:
    name = _name(ctx, user_id)
    if not active and name == actor:
        raise AdminError("You cannot disable yourself; ask another admin.")
    return _account_change(ctx, actor, "user enabled" if active else "user disabled",
                           lambda conn: users.set_active(conn, user_id, active), user=name)


def reset_password(ctx: Context, actor: str, user_id: int, password: str) -> users.User:
    """A new password ends the user's sessions (users.set_password) and clears their failed
    sign-ins from every address, so the new password works at once."""
    user = _account_change(ctx, actor, "password reset",
                           lambda conn: users.set_password(conn, user_id, password),
                           user=_name(ctx, user_id))
    gate.clear_failures(ctx.cache, user.username)
    return user


def create_token(ctx: Context, actor: str, user_id: int, name: str, purpose: str) -> str:
    """A new API token for the user; the return value is the only time it is ever seen."""
    owner = _name(ctx, user_id)

    def change(conn):
        return users.create_token(conn, users.get_user(conn, user_id), name=name or "",
                                  purpose=purpose)
    return _account_change(ctx, actor, "token created", change, user=owner, name=name or "",
                           purpose=purpose)


def revoke_token(ctx: Context, actor: str, token_id: int) -> None:
    def change(conn):
        if not users.revoke_token(conn, token_id):
            raise users.AccountError("That token is revoked already (or does not exist).")
    _account_change(ctx, actor, "token revoked", change, token_id=int(token_id))


# --- data reload ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReloadRequest:
    action: str  # "csv" | "demo" | "upload"
    username: str
    folder: str | None = None  # absolute path inside DATA_DIR (csv)
    scale: str = "demo"  # demo
    days: int | None = None  # demo; None = the scale's
    # upload: (file name, content) as sent; they travel in the ticket through the shared cache,
    # so a Celery worker on another machine gets them too
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass
class ReloadResult:
    ok: bool
    action: str
    message: str
    errors: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    error_count: int = 0  # the whole count; `errors` holds the first history.MAX_ERRORS
    import_id: int | None = None  # its row in the import history


def data_folders(data_dir: str) -> list[str]:
    """Folders under DATA_DIR holding CSV files, as names relative to it ("." = DATA_DIR)."""
    root = Path(data_dir)
    if not root.is_dir():
        return []
    found = sorted({str(p.parent.relative_to(root)) for p in root.rglob("*.csv")})
    return found


def _resolve_folder(data_dir: str, name: str | None) -> Path:
    """The folder `name` inside DATA_DIR; never a path outside it."""
    if not name:
        raise AdminError("Choose a folder to import.")
    root = Path(data_dir).resolve()
    folder = (root / name).resolve()
    if folder != root and root not in folder.parents:
        raise AdminError("Only folders inside DATA_DIR can be imported.")
    if not folder.is_dir():
        raise AdminError(f"There is no folder '{name}' in DATA_DIR ({root}).")
    return folder


def request_reload(ctx: Context, actor: str, action: str, folder: str | None = None,
                   scale: str | None = None, days=None) -> str:
    """Check the admin's choice and hand out a one-time ticket for the background job."""
    if action == "csv":
        req = ReloadRequest("csv", actor, folder=str(_resolve_folder(ctx.settings.data_dir,
                                                                    folder)))
    elif action == "demo":
        if scale not in demo.SCALES:
            raise AdminError(f"Choose a scale: {', '.join(demo.SCALES)}.")
        if days not in (None, ""):
            try:
                days = int(days)
            except (TypeError, ValueError):
                raise AdminError("Days must be a whole number.") from None
            if not 1 <= days <= 3660:
                raise AdminError("Days must be between 1 and 3660.")
        req = ReloadRequest("demo", actor, scale=scale, days=days or None)
    else:
        raise AdminError("Choose what to reload: a CSV folder or demo data.")
    return _hand_out(ctx, actor, req)


def request_upload(ctx: Context, actor: str, contents, filenames) -> str:
    """Check files dropped on the upload box (dcc.Upload's data URLs and names) and hand out a
    one-time ticket for the background job, as a reload does."""
    contents = contents if isinstance(contents, list) else [contents]
    filenames = filenames if isinstance(filenames, list) else [filenames]
    if not contents or len(contents) != len(filenames) or not all(
            isinstance(x, str) for x in contents + filenames):
        raise AdminError("Drop CSV files or one .xlsx workbook on the box.")
    files = []
    for name, data_url in zip(filenames, contents):
        try:
            files.append((name, base64.b64decode(data_url.split(",", 1)[-1], validate=True)))
        except (binascii.Error, ValueError):
            raise AdminError(f"{name} did not arrive whole; drop it again.") from None
    return _hand_out(ctx, actor, ReloadRequest("upload", actor, files=tuple(files)))


def _hand_out(ctx: Context, actor: str, req: ReloadRequest) -> str:
    if not ctx.cache.available():
        raise AdminError("Background jobs are unavailable: the shared cache and job broker "
                         "(Redis) cannot be reached. Nothing was changed; try again when it is "
                         "back.")
    if ctx.cache.get(RUNNING_KEY):
        raise AdminError("A reload is running already; wait for it or cancel it.")
    ticket = secrets.token_urlsafe(16)
    ctx.cache.set(("admin-reload", ticket), req, expire=TICKET_TTL_S)
    with ctx.engine.begin() as conn:
        audit.record(conn, actor, "reload requested", _about(req), ts=ctx.now())
    return ticket


def _about(req: ReloadRequest) -> dict:
    source = (req.folder or "upload: " + ", ".join(name for name, _ in req.files)
              if req.action != "demo" else f"demo {req.scale}")
    return {"kind": req.action, "source": source, "days": req.days}


def run_reload(ctx: Context, ticket: str, progress) -> ReloadResult:
    """The background job: take the ticket, reload, record the outcome. `progress(fraction,
    message)` hears how far it has come."""
    req = ctx.cache.pop(("admin-reload", ticket), default=None) if ticket else None
    if not isinstance(req, ReloadRequest):
        return ReloadResult(False, "?", "This reload request is unknown or expired; start it "
                            "again.")
    if not ctx.cache.add(RUNNING_KEY, req.username, expire=RUNNING_TTL_S):
        return ReloadResult(False, req.action, "A reload is running already; wait for it or "
                            "cancel it.")
    try:
        result = _reload(ctx, req, progress)
    finally:
        ctx.cache.delete(RUNNING_KEY)
    with ctx.engine.begin() as conn:
        audit.record(conn, req.username, "reload finished" if result.ok else "reload failed",
                     {**_about(req), "rows": sum(result.row_counts.values()),
                      "errors": max(result.error_count, len(result.errors)),
                      "duration_s": round(result.duration_s, 1)},
                     ts=ctx.now())
    return result


def _reload(ctx: Context, req: ReloadRequest, progress) -> ReloadResult:
    t0 = time.perf_counter()
    if req.action in ("csv", "upload"):
        if req.action == "csv":
            report = import_folder(ctx.engine, req.folder, plant_tz=ctx.settings.plant_tz,
                                   username=req.username, progress=progress)
        else:
            report = import_upload(ctx.engine, req.files, plant_tz=ctx.settings.plant_tz,
                                   username=req.username, progress=progress)
        rows = sum(report.row_counts.values())
        message = (f"Imported {rows:,} rows from {len(report.row_counts)} files."
                   if report.ok else f"Import failed with {report.error_count:,} error(s); "
                   "nothing was written, the data is as it was.")
        return ReloadResult(report.ok, req.action, message, report.errors, report.row_counts,
                            report.duration_s, report.error_count, report.import_id)
    started = ctx.now()
    try:
        counts = demo.load_demo(ctx.engine, scale=req.scale, days=req.days,
                                plant_tz=ctx.settings.plant_tz, progress=progress,
                                rules=rollups.rules_of(ctx.settings))
        size = f"scale {req.scale}" + (f", {req.days} days" if req.days else "")
        result = ReloadResult(True, "demo", f"Loaded the demo plant ({size}): "
                              f"{sum(counts.values()):,} rows.", [], counts)
    except Exception as exc:  # noqa: BLE001 - reported to the admin and the history, logged
        log.exception("demo reload (scale %s, days %s) failed", req.scale, req.days)
        result = ReloadResult(False, "demo", "The demo reload failed; nothing was changed. "
                              "The error is logged.", [f"{type(exc).__name__}: {exc}"])
    result.duration_s = time.perf_counter() - t0
    result.error_count = len(result.errors)
    result.import_id = _record_history(ctx, req, started, result)
    return result


def _record_history(ctx: Context, req: ReloadRequest, started, result: ReloadResult
                    ) -> int | None:
    """Demo reloads join the import history (CSV imports record themselves)."""
    return history.record_import(
        ctx.engine, kind="demo", username=req.username, started=started, finished=ctx.now(),
        source=f"demo scale {req.scale}" + (f", {req.days} days" if req.days else ""),
        ok=result.ok, row_counts=result.row_counts, errors=result.errors)


def describe_ticket(ctx: Context, ticket: str | None) -> dict:
    """What a reload ticket asks for (before the job takes it), for its heartbeat record."""
    req = ctx.cache.get(("admin-reload", ticket)) if ticket else None
    if not isinstance(req, ReloadRequest):
        return {}
    return {**_about(req), "username": req.username, "started_at": ctx.now()}


def reload_lost(ctx: Context, about: dict) -> None:
    """A reload whose worker died mid-way (its transaction rolled back with the process): free
    the slot and say so in the audit log and the import history. A reload that was cancelled
    has freed the slot and said so already."""
    if not ctx.cache.get(RUNNING_KEY):
        return
    ctx.cache.delete(RUNNING_KEY)
    now, who = ctx.now(), about.get("username") or "?"
    error = "the worker running it stopped; nothing was changed"
    with ctx.engine.begin() as conn:
        audit.record(conn, who, "reload failed",
                     {k: about.get(k) for k in ("kind", "source", "days")} | {"error": error},
                     ts=now)
    history.record_import(ctx.engine, kind=about.get("kind"), username=who,
                          started=about.get("started_at") or now, finished=now,
                          source=about.get("source"), ok=False, row_counts={}, errors=[error])


def reload_cancelled(ctx: Context, actor: str) -> None:
    """The admin cancelled: the job's process is gone and its transaction rolled back."""
    ctx.cache.delete(RUNNING_KEY)
    with ctx.engine.begin() as conn:
        audit.record(conn, actor, "reload cancelled", None, ts=ctx.now())

