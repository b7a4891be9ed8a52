"""Pulling from other databases (SPEC section 10): read what is new in each source of SYNC_CONFIG
and ingest it with the ingestion endpoint's semantics, recording every run as the ETL log.

A run of one source:
1. takes the source's lock (`job_state` row `sync:NAME`), so a scheduled run, the command and the
   Admin page's button never read the same source at once;
2. reads the stored watermark (meta `sync_watermark:NAME`, the largest watermark value of the
   last good run, with its type so it binds back as it came: a timestamp, a number or text);
3. asks the source for its column names (`... WHERE 1 = 0`) and resolves the mapping against
   them (case-insensitively: PostgreSQL folds unquoted names, SQL Server keeps them): a mapped
   column the source does not have fails the run, naming the source and the column;
4. streams `SELECT <mapped columns> FROM (<query or table>) src WHERE <watermark> > :last
   ORDER BY <watermark>` in batches of BATCH rows, maps names and values, and hands each batch to
   `ingest.datasets.ingest_items`, the one ingestion path of the CSV import's rules that
   `POST /api/v1/data/<name>` uses too (per-item rejection, upsert by natural key, duplicates
   counted, the data version moved);
5. moves the watermark to the last row's value only when everything above succeeded. A run that
   fails part-way keeps the old watermark: the next run reads those rows again, and the upsert
   counts the ones already stored as duplicates, so nothing is lost and nothing doubles.

Each run, good or failed, leaves one row in the import history (kind `sync`) with its numbers in
`details`: rows read, accepted, duplicates, rejected (the reasons, as "row N (watermark): ..."),
watermark before and after, seconds and the error. Rows are new when their watermark is strictly
greater than the stored one, so the watermark column must only grow (an id or an insert time).
"""
from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import (Engine, bindparam, column, create_engine, false, inspect, literal_column,
                        select, table, text, update)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from data import db, schema
from ingest import datasets, history
from ingest.sync_config import Source, SyncConfigError, read_config

log = logging.getLogger(__name__)

BATCH = datasets.MAX_ITEMS  # rows per ingestion call: the endpoint's largest batch
MAX_REASONS = 1000  # rejection reasons kept in the ETL log per run (the count is always exact)
CONNECT_TIMEOUT_S = 15
WATERMARK_KEY = "sync_watermark:{}"
LOCK_NAME = "sync:{}"

Progress = Callable[[float, str], None]


class SourceError(RuntimeError):
    """The source cannot be read as configured; the message names the source and what is wrong."""


@dataclass
class SyncRun:
    """One run of one source: what the ETL log records."""
    source: str
    target: str = ""
    url: str = ""  # without its password
    read: int = 0
    accepted: int = 0  # rows written, new or changed
    updated: int = 0  # of those, rows that replaced a stored row with the same key
    duplicates: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)  # "row N (watermark v): reason"
    watermark_before: str | None = None
    watermark_after: str | None = None
    seconds: float = 0.0
    error: str | None = None
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def details(self) -> dict:
        return {"target": self.target, "url": self.url, "read": self.read,
                "accepted": self.accepted, "updated": self.updated,
                "duplicates": self.duplicates,
                "rejected": self.rejected, "watermark_before": self.watermark_before,
                "watermark_after": self.watermark_after, "seconds": round(self.seconds, 3),
                "error": self.error}

    def summary(self) -> str:
        if self.error:
            return f"{self.source}: failed: {self.error}"
        updated = f" ({self.updated:,} updated)" if self.updated else ""
        return (f"{self.source}: {self.read:,} read, {self.accepted:,} accepted{updated}, "
                f"{self.duplicates:,} duplicates, {self.rejected:,} rejected; watermark "
                f"{self.watermark_before or '(none)'} → {self.watermark_after or '(none)'} "
                f"({self.seconds:.1f} s)")


# --- running -------------------------------------------------------------------------------------

def sync(engine: Engine, config_path, names: Iterable[str] | None = None, *, plant_tz: str,
         now: Callable[[], datetime], username: str | None,
         progress: Progress | None = None) -> list[SyncRun]:
    """Run the sources of `config_path` (those in `names`, else all), one after another. A source
    that fails is recorded and the others still run. SyncConfigError when the file is unusable or
    a name is not in it."""
    sources = read_config(config_path)
    wanted = list(names or sources)
    missing = [n for n in wanted if n not in sources]
    if missing:
        raise SyncConfigError(f"no source named {', '.join(missing)} in {config_path} "
                              f"(its sources: {', '.join(sources)})")
    runs = []
    for i, name in enumerate(wanted):
        def step(fraction, message, i=i):
            if progress is not None:
                progress((i + fraction) / len(wanted), f"{name}: {message}")
        runs.append(sync_source(engine, sources[name], plant_tz=plant_tz, now=now,
                                username=username, progress=step))
    return runs


def sync_source(engine: Engine, source: Source, *, plant_tz: str, now: Callable[[], datetime],
                username: str | None, progress: Progress | None = None) -> SyncRun:
    """One run of one source, recorded in the import history; never raises for the source's own
    failure (an unreachable source, a bad query, a wrong column): that is the run's error."""
    run = SyncRun(source.name, target=source.target, url=hidden_url(source.url))
    started, t0 = now(), time.perf_counter()
    me = f"sync-{started.isoformat()}-{id(run)}"
    if not _lock(engine, source.name, me, started):
        run.error = "another run of this source is in progress; try again when it ends"
        return run  # that run records itself
    try:
        before = _load_watermark(engine, source.name)
        run.watermark_before = _shown(before)
        if source.problem:
            raise SourceError(source.problem)
        after = _pull(engine, source, before, run, plant_tz, now, progress or (lambda f, m: None),
                      me)
        run.watermark_after = _shown(after)
        if after is not None and after != before:
            with engine.begin() as conn:
                db.set_meta(conn, WATERMARK_KEY.format(source.name), json.dumps(_typed(after)))
    except Exception as exc:  # noqa: BLE001 - the run's error, in the ETL log
        run.error = _scrub(f"{type(exc).__name__}: {exc}" if not isinstance(
            exc, (SourceError, SyncConfigError)) else str(exc), source.url)
        run.watermark_after = run.watermark_before
        log.warning("sync of source %s failed: %s", source.name, run.error,
                    exc_info=not isinstance(exc, (SourceError, SyncConfigError)))
    finally:
        _unlock(engine, source.name, me)
    run.seconds = time.perf_counter() - t0
    _record(engine, run, username, started, now())
    return run


def _pull(engine, source: Source, before, run: SyncRun, plant_tz, now, progress, lock: str):
    """Read the source past `before` and ingest it; returns the new watermark value."""
    src = create_engine(source.url, poolclass=NullPool, connect_args=_timeouts(source.url))
    try:
        with src.connect() as conn:
            relation, names = _relation(conn, source)
            real = _resolve(source, names)
            cols = [relation.c[real[s]] for s in source.source_columns]
            stmt = select(*cols)
            wm = relation.c[real[source.watermark]] if source.watermark else None
            if wm is not None:
                if before is not None:
                    stmt = stmt.where(wm > bindparam("last", before))
                stmt = stmt.order_by(wm)
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
            after = before
            position = {s: i for i, s in enumerate(source.source_columns)}
            for rows in result.partitions(BATCH):
                items, marks = _items(source, rows, position)
                done = datasets.ingest_items(engine, source.target, items, plant_tz=plant_tz,
                                             now=now(), source=f"sync {source.name}")
                run.accepted += done.accepted
                run.updated += done.updated
                run.duplicates += done.duplicates
                run.rejected += len(done.rejected)
                for r in done.rejected:
                    if len(run.reasons) < MAX_REASONS:
                        i = r["index"]
                        at = f" ({source.watermark} {_shown(marks[i])})" if wm is not None else ""
                        run.reasons.append(f"row {run.read + i + 1}{at}: {r['reason']}")
                run.read += len(rows)
                if wm is not None:
                    last = [m for m in marks if m is not None]
                    after = last[-1] if last else after
                _renew(engine, source.name, lock, now())
                progress(0.5, f"{run.read:,} rows read")
            return after
    finally:
        src.dispose()


def _items(source: Source, rows, position: dict[str, int]):
    """Rows as the endpoint's items (target column -> plain value, value maps applied), and each
    row's watermark value. Column by column: a million rows a minute is the goal."""
    columns = list(zip(*rows)) if rows else [() for _ in position]
    names, values = [], []
    for target, src in source.columns:
        column = columns[position[src]]
        mapping = source.values.get(target)
        if mapping:
            column = [v if v is None else mapping.get(str(v).strip(), v) for v in column]
        if not PLAIN.issuperset(map(type, column)):
            column = [_plain(v) for v in column]
        names.append(target)
        values.append(column)
    items = [dict(zip(names, row)) for row in zip(*values)]
    marks = columns[position[source.watermark]] if source.watermark else [None] * len(rows)
    return items, marks


PLAIN = frozenset({str, int, float, type(None)})  # as JSON has them


def _plain(value):
    """A value as the JSON endpoint would receive it."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return value


def _relation(conn, source: Source):
    """The source's rows as a selectable with its real column names, and those names."""
    if source.query:
        probe = text(source.query).columns().subquery("src")
        names = list(conn.execute(select(literal_column("*")).select_from(probe)
                                  .where(false())).keys())
        return text(source.query).columns(*[column(n) for n in names]).subquery("src"), names
    schema_name, _, name = source.table.rpartition(".")
    inspector = inspect(conn)
    tables = inspector.get_table_names(schema=schema_name or None) + \
        inspector.get_view_names(schema=schema_name or None)
    found = [t for t in tables if t == name] or [t for t in tables if t.lower() == name.lower()]
    if not found:
        raise SourceError(f"source '{source.name}': table '{source.table}' is not in the source "
                          f"database (its tables: {', '.join(sorted(tables)) or 'none'})")
    names = [c["name"] for c in inspector.get_columns(found[0], schema=schema_name or None)]
    return table(found[0], *[column(n) for n in names], schema=schema_name or None), names


def _resolve(source: Source, names: list[str]) -> dict[str, str]:
    """Configured source column -> the source's own spelling; an unknown one fails the run."""
    exact = set(names)
    folded: dict[str, list[str]] = {}
    for n in names:
        folded.setdefault(n.lower(), []).append(n)
    targets = {src: tgt for tgt, src in source.columns}
    real = {}
    for wanted in source.source_columns:
        if wanted in exact:
            real[wanted] = wanted
        elif len(folded.get(wanted.lower(), [])) == 1:
            real[wanted] = folded[wanted.lower()][0]
        else:
            role = (f"mapped to {source.target}.{targets[wanted]}" if wanted in targets
                    else "the watermark")
            raise SourceError(f"source '{source.name}': column '{wanted}' ({role}) is not in the "
                              f"source (its columns: {', '.join(names)})")
    return real


def _timeouts(url: str) -> dict:
    """Give up on an unreachable server after CONNECT_TIMEOUT_S instead of the driver's default
    (PostgreSQL's is forever). SQLite: the file must exist (it would be made empty otherwise)."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        path = u.database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).is_file():
            raise SourceError(f"the SQLite source file {path} does not exist")
        return {}
    if backend in ("postgresql", "mysql", "mariadb"):
        return {"connect_timeout": CONNECT_TIMEOUT_S}
    if backend == "mssql" and u.get_driver_name() == "pyodbc":
        return {"timeout": CONNECT_TIMEOUT_S}
    return {}


def hidden_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL: show none of it
        return "(a URL that cannot be parsed)"


def _scrub(message: str, url: str) -> str:
    """Never a password in the ETL log: a driver may quote the URL it was given."""
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001
        password = None
    if password:
        message = message.replace(str(password), "***")
    message = re.sub(r"\(Background on this error at: \S+\)", "", message)
    return re.sub(r"\s+", " ", message).strip()[:2000]


# --- the watermark -------------------------------------------------------------------------------

TYPES = {"datetime": datetime.fromisoformat, "date": date.fromisoformat, "int": int,
         "float": float, "decimal": Decimal, "str": str}


def _typed(value) -> dict:
    for name, kind in (("datetime", datetime), ("date", date), ("decimal", Decimal)):
        if isinstance(value, kind):
            return {"type": name, "value": value.isoformat() if name != "decimal" else str(value)}
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return {"type": "str", "value": str(value)}
    return {"type": "int" if isinstance(value, int) else "float", "value": value}


def _load_watermark(engine, name: str):
    with engine.connect() as conn:
        stored = db.get_meta(conn, WATERMARK_KEY.format(name))
    if stored is None:
        return None
    kept = json.loads(stored)
    return TYPES[kept["type"]](kept["value"])


def watermark(engine, name: str) -> str | None:
    """The stored watermark of source `name`, as shown in the ETL log."""
    return _shown(_load_watermark(engine, name))


def _shown(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


# --- the lock and the log ------------------------------------------------------------------------

def _lock(engine, name: str, me: str, now: datetime) -> bool:
    from ingest.schedule import claim
    return claim(engine, LOCK_NAME.format(name)[:50], me, now, due_only=False)


def _renew(engine, name: str, me: str, now: datetime) -> None:
    """A long run keeps its lock (the lease would lapse after schedule.LEASE_S otherwise)."""
    from ingest.schedule import renew
    renew(engine, LOCK_NAME.format(name)[:50], me, now)


def _unlock(engine, name: str, me: str) -> None:
    J = schema.job_state
    with engine.begin() as conn:
        conn.execute(update(J).where(J.c.name == LOCK_NAME.format(name)[:50],
                                     J.c.running_by == me).values(running_by=None,
                                                                  lease_until=None))


def _record(engine, run: SyncRun, username, started, finished) -> None:
    errors = list(run.reasons)
    if run.rejected > len(run.reasons):
        errors.append(f"... and {run.rejected - len(run.reasons):,} more rejected rows")
    if run.error:
        errors.append(run.error)
    run.import_id = history.record_import(
        engine, kind="sync", source=run.source, username=username, started=started,
        finished=finished, ok=run.ok, row_counts={run.target or "?": run.accepted},
        errors=errors, details=run.details())
