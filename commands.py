"""Admin commands on Flask's CLI (SPEC section 8): flask --app app COMMAND."""
from __future__ import annotations

import logging
import os
import secrets
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from auth import audit, users
from data import db, schema
from ingest import alerts, history
from ingest.schedule import plant_now
from core.context import current

DEMO_ADMIN_PASSWORD = "floorpulse-demo"

log = logging.getLogger("floorpulse")


def prepare(settings, *, demo_if_empty: bool | None = None) -> list[str]:
    """Make a database ready to serve: the schema at the newest migration, the demo plant on an
    empty database (DEMO_DATA, unless `demo_if_empty` says otherwise) and a first admin.
    Returns the schema revisions before and after."""
    from ingest import rollups
    engine = db.get_engine(settings.database_url)
    revisions = db.create_schema(engine)
    wanted = settings.demo_data if demo_if_empty is None else demo_if_empty
    with engine.connect() as conn:
        empty = not db.has_data(conn)
    if empty and wanted:
        from demo import load as demo_plant
        log.info("empty database: loading demo data (DEMO_DATA=0 to start empty)")
        started = plant_now(settings)
        counts = demo_plant.load_demo(engine, plant_tz=settings.plant_tz,
                                      rules=rollups.rules_of(settings))
        _record_demo_load(engine, settings, "demo scale demo (first start)", "system", started,
                          counts)
    with engine.begin() as conn:
        ensure_demo_user(conn, log, demo=wanted)
    return revisions


def _record_demo_load(engine, settings, source: str, username: str, started: datetime,
                      counts: dict[str, int]) -> None:
    """A demo load joins the import history, as the Admin page's reload does."""
    history.record_import(engine, kind="demo", source=source, username=username,
                          started=started, finished=plant_now(settings), ok=True,
                          row_counts=counts, errors=[])


def ensure_demo_user(conn, log, *, demo: bool = True) -> None:
    """With no users at all, make `admin` so a fresh install can be signed in to.

    Password: ADMIN_PASSWORD, else the documented demo password on a demo database, else a random
    one written to the log once.
    """
    if conn.execute(select(func.count()).select_from(schema.users)).scalar():
        return
    password = os.environ.get("ADMIN_PASSWORD")
    if password:
        users.create_user(conn, "admin", password, role="admin")
        log.warning("created user 'admin' with the password from ADMIN_PASSWORD")
        return
    password = DEMO_ADMIN_PASSWORD if demo else secrets.token_urlsafe(12)
    users.create_user(conn, "admin", password, role="admin")
    log.warning("created user 'admin' with password '%s' (change it, or set ADMIN_PASSWORD "
                "before the first start)", password)


def _engine():
    return current().engine


def _actor() -> str:
    """Admin commands join the audit log as the shell user who ran them."""
    return f"cli:{os.environ.get('USER') or '?'}"


def _audit(action: str, details: dict) -> None:
    with _engine().begin() as conn:
        audit.record(conn, _actor(), action, details, ts=current().now())


def _audit_import(kind: str, source, ok: bool, rows: int, errors: int) -> None:
    _audit("reload finished" if ok else "reload failed",
           {"kind": kind, "source": str(source), "rows": rows, "errors": errors})


def _schema_line(before: str | None, after: str) -> str:
    where = _engine().url.render_as_string(hide_password=True)
    if before == after:
        return f"schema ready on {where}: at {after}, nothing to do"
    return f"schema ready on {where}: upgraded from {before or 'empty'} to {after}"


def _exit_on_errors(errors: list[str], count: int | None = None) -> None:
    """An import that found bad rows lists them (the first 1,000 of `count`) and exits 1 (it
    wrote nothing)."""
    if not errors:
        return
    for err in errors:
        click.echo(err, err=True)
    count = max(count or 0, len(errors))
    if count > len(errors):
        click.echo(f"... and {count - len(errors):,} more", err=True)
    click.echo(f"import failed: {count} error(s); nothing was written", err=True)
    sys.exit(1)


def register(server: Flask) -> None:
    @server.cli.command("prepare")
    @click.option("--demo-if-empty/--no-demo", default=None,
                  help="load the demo plant into an empty database (default: DEMO_DATA)")
    def prepare_command(demo_if_empty):
        """Upgrade the schema, load the demo plant on an empty database, make the first admin
        (what `python app.py` does before serving; run it before gunicorn)."""
        before, after = prepare(current().settings, demo_if_empty=demo_if_empty)
        click.echo(_schema_line(before, after))

    @server.cli.command("init-db")
    def init_db():
        """Bring the schema to the newest migration (the same as `db upgrade`)."""
        click.echo(_schema_line(*db.create_schema(_engine())))

    @server.cli.group("db")
    def db_group():
        """Schema migrations (Alembic, migrations/)."""

    @db_group.command("upgrade")
    def db_upgrade():
        """Bring the schema to the newest migration (a database made before migrations is
        stamped with the baseline first)."""
        click.echo(_schema_line(*db.create_schema(_engine())))

    @db_group.command("current")
    def db_current():
        """Print the database's revision and the newest one."""
        from data import migrate
        with _engine().connect() as conn:
            revision = migrate.current(conn)
        click.echo(f"database: {revision or 'not migrated'}; newest: {migrate.head()}")

    @db_group.command("stamp")
    @click.argument("revision")
    def db_stamp(revision):
        """Record REVISION as the database's without running migrations."""
        from alembic.util import CommandError
        from data import migrate
        try:
            with _engine().begin() as conn:
                db.lock_for_schema(conn)
                migrate.stamp(conn, revision)
        except CommandError as err:
            raise click.ClickException(str(err))
        click.echo(f"database stamped {revision}")

    @server.cli.command("seed-demo")
    @click.option("--days", type=int, default=None, help="days of history (default per scale)")
    @click.option("--lines", type=int, default=None, help="number of sewing lines")
    @click.option("--scale", type=click.Choice(["demo", "medium", "large", "xlarge"]),
                  default="demo")
    @click.option("--seed", type=int, default=42)
    @click.option("--end", type=str, default=None, help="last day (YYYY-MM-DD); default now")
    def seed_demo(days, lines, scale, seed, end):
        """Replace the plant data with a generated demo plant (deterministic by seed and end)."""
        from demo import load as demo
        from ingest.rollups import rules_of
        settings = current().settings
        kwargs = {"scale": scale, "seed": seed, "plant_tz": settings.plant_tz,
                  "rules": rules_of(settings)}
        if days is not None:
            kwargs["days"] = days
        if lines is not None:
            kwargs["lines"] = lines
        if end:
            try:
                kwargs["end"] = datetime.fromisoformat(end)
            except ValueError:
                raise click.BadParameter(f"--end must be a date like 2026-03-31, not '{end}'")
            if len(end) <= 10:  # a date: the data runs to the end of that day
                kwargs["end"] = kwargs["end"].replace(hour=23)
        t0, started = datetime.now(), plant_now(settings)
        db.create_schema(_engine())
        counts = demo.load_demo(_engine(), **kwargs)
        _record_demo_load(_engine(), settings, f"demo scale {scale}"
                          + (f", {days} days" if days else ""), _actor(), started, counts)
        _audit("reload finished", {"kind": "demo", "source": f"demo {scale}", "days": days,
                                   "rows": sum(counts.values())})
        for table, n in counts.items():
            click.echo(f"{table:>18}: {n:,}")
        click.echo(f"demo plant loaded in {(datetime.now() - t0).total_seconds():.1f} s")

    @server.cli.command("import")
    @click.argument("folder", type=click.Path(file_okay=False))
    def import_folder(folder):
        """Import a folder of CSV files (SPEC section 2) in one transaction."""
        from ingest.importer import import_folder as run_import
        if not Path(folder).is_dir():
            click.echo(f"error: {folder} is not a folder", err=True)
            sys.exit(2)
        report = run_import(_engine(), folder, plant_tz=current().settings.plant_tz,
                            username=os.environ.get("USER"))
        _audit_import("csv", folder, report.ok, sum(report.row_counts.values()),
                      report.error_count)
        for name, n in report.row_counts.items():
            click.echo(f"{name}: {n} rows")
        _exit_on_errors(report.errors, report.error_count)
        click.echo("import ok")

    @server.cli.command("import-attlog")
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_attlog(file):
        """Import a ZKTeco attlog.dat: every punch stored, unknown users as placeholders."""
        from ingest.attlog import import_attlog as run_import
        if not Path(file).is_file():
            click.echo(f"error: {file} is not a file", err=True)
            sys.exit(2)
        report = run_import(_engine(), file, now=current().now(),
                            username=os.environ.get("USER"))
        _audit_import("attlog", file, report.ok, report.accepted, len(report.errors))
        _exit_on_errors(report.errors)
        click.echo(f"{report.lines} punches read: {report.accepted} stored, "
                   f"{report.duplicates} already there; {len(report.placeholders)} placeholder "
                   f"employee(s) made for unknown device users")
        click.echo("run `flask --app app process-attendance` to compute attendance")

    @server.cli.command("process-attendance")
    @click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="recompute from this day (default: what changed since the last run)")
    @click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="recompute up to this day (default: the last day whose windows closed)")
    def process_attendance(start, end):
        """Compute daily attendance from the punches (idempotent, incremental)."""
        from ingest.attendance import process_attendance as run
        if start and end and end < start:
            raise click.BadParameter("--end is before --start")
        ctx = current()
        report = run(_engine(), ctx.now(), start=start.date() if start else None,
                     end=end.date() if end else None, default_shift=ctx.settings.default_shift)
        click.echo(f"{report.day_count} day(s) processed up to {report.closed_until}: "
                   f"{report.records} records, {report.written} written, {report.deleted} "
                   f"removed; {report.punches} punches, {report.unmatched} unmatched "
                   f"({report.seconds:.1f} s)")

    @server.cli.command("refresh-rollups")
    @click.option("--all", "everything", is_flag=True, help="rebuild every day, not just stale ones")
    def refresh_rollups(everything):
        """Build the daily rollups again for the days ingestion changed (run it on a schedule,
        like process-attendance; reads are right without it, only slower on stale days)."""
        from ingest import schedule
        t0 = datetime.now()
        message = schedule.refresh_rollups(_engine(), current().settings, everything=everything)
        click.echo(f"{message} in {(datetime.now() - t0).total_seconds():.1f} s")

    @server.cli.command("import-uci")
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_uci(file):
        """Import the UCI garment productivity CSV into line_daily (one transaction)."""
        from ingest.uci import import_uci as run_import
        if not Path(file).is_file():
            click.echo(f"error: {file} is not a file", err=True)
            sys.exit(2)
        report = run_import(_engine(), file, username=os.environ.get("USER"))
        _audit_import("uci", file, not report.errors, report.rows, len(report.errors))
        _exit_on_errors(report.errors)
        click.echo(f"line_daily: {report.rows} rows, {report.lines} lines, {report.dates} dates")
        click.echo("import ok")

    @server.cli.command("sync")
    @click.argument("names", nargs=-1)
    def sync_command(names):
        """Pull what is new from the databases of SYNC_CONFIG (all sources, or those NAMEd) and
        record each run in the import history; exits 1 when a source failed."""
        from ingest import sync
        ctx = current()
        try:
            runs = sync.sync(_engine(), ctx.settings.sync_config, names,
                             plant_tz=ctx.settings.plant_tz, now=ctx.now,
                             username=os.environ.get("USER"))
        except sync.SyncConfigError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
        for run in runs:
            click.echo(run.summary(), err=not run.ok)
            for reason in run.reasons[:20]:
                click.echo(f"  rejected {reason}")
            if run.rejected > 20:
                click.echo(f"  ... {run.rejected - 20:,} more rejected rows: see the import "
                           "history on the Admin page")
        if any(not run.ok for run in runs):
            sys.exit(1)

    @server.cli.command("evaluate-alerts")
    def evaluate_alerts():
        """Evaluate every alert rule, then send the notifications that are due."""
        result = alerts.evaluate_alerts(current())
        click.echo("rules {rules}: {fired} fired, {resolved} resolved, {pending} waiting "
                   "(for_min), {firing} firing; notifications {sent} sent, {retrying} to retry, "
                   "{failed} given up".format(**result))
        if result["errors"]:
            click.echo(f"{result['errors']} rule(s) could not be evaluated (see the log)",
                       err=True)
            sys.exit(1)

    @server.cli.command("create-user")
    @click.argument("name")
    @click.option("--role", type=click.Choice(users.ROLES), default="viewer")
    @click.option("--lines", default="", help="line scope, e.g. L01,L02 (line managers)")
    @click.option("--password", default=None, help="asked for when not given")
    def create_user(name, role, lines, password):
        """Create a user who can sign in."""
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        scope = tuple(x.strip() for x in lines.split(",") if x.strip())
        try:
            with _engine().begin() as conn:
                user = users.create_user(conn, name, password, role=role, lines=scope)
                audit.record(conn, _actor(), "user created",
                             {"user": user.username, "role": role, "lines": ",".join(scope)},
                             ts=current().now())
        except users.AccountError as err:
            raise click.ClickException(str(err))
        click.echo(f"created {user.username} ({user.role})")

    @server.cli.command("create-token")
    @click.argument("user")
    @click.option("--name", default="", help="what the token is for")
    @click.option("--purpose", type=click.Choice(users.TOKEN_PURPOSES), default=None,
                  help="read (default): the API; ingest: may also POST data; kiosk: opens "
                       "only the TV board, as /tv?key=TOKEN")
    @click.option("--ingest", is_flag=True, help="the same as --purpose ingest")
    def create_token(user, name, purpose, ingest):
        """Print a new API token acting as USER (last line of the output)."""
        purpose = purpose or ("ingest" if ingest else "read")
        with _engine().begin() as conn:
            account = users.get_user_by_name(conn, user)
            if account is None:
                raise click.ClickException(f"no user named '{user}'")
            token = users.create_token(conn, account, name=name, purpose=purpose)
        _audit("token created", {"user": account.username, "name": name, "purpose": purpose})
        click.echo(f"token for {account.username} (shown once; store it now):")
        if purpose == users.KIOSK:
            click.echo(f"open the board on the floor TV at /tv?key={token}")
        click.echo(token)
