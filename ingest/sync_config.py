"""The sync configuration (SPEC section 10): `SYNC_CONFIG`, a TOML file of sources to pull from.

    [sources.zk]
    url = "mysql+pymysql://floorpulse:${ZK_PASSWORD}@10.0.0.5/zk"
    query = "SELECT USERID, CHECKTIME, CHECKTYPE, SENSORID FROM CHECKINOUT"   # or: table = "..."
    target = "punches"
    watermark = "CHECKTIME"
    [sources.zk.columns]            # target column = source column
    device_user_id = "USERID"
    ...
    [sources.zk.values.direction]   # source value -> target value
    I = "IN"

A file that is not TOML is one error for the whole file. Everything else is checked per source:
a source with a mistake (a missing `${VAR}`, no url, an unknown target or target column) is kept
with its `problem`, so that its run is recorded as failed in the ETL log while the other sources
still run. Source columns are checked when the source is read (only the source knows them).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ingest.datasets import EXTRA_FIELDS, NAMES, spec_of

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
KEYS = {"url", "query", "table", "target", "watermark", "columns", "values"}


class SyncConfigError(ValueError):
    """SYNC_CONFIG cannot be read at all (missing, not TOML, no [sources]); the message says why."""


@dataclass(frozen=True)
class Source:
    name: str
    url: str = ""
    target: str = ""
    query: str | None = None
    table: str | None = None
    watermark: str | None = None
    columns: tuple[tuple[str, str], ...] = ()  # (target column, source column), in file order
    values: Mapping[str, Mapping[str, object]] = field(default_factory=dict)  # target col -> map
    problem: str | None = None  # a mistake in this source's configuration: it cannot run

    @property
    def source_columns(self) -> list[str]:
        """Every source column the source needs (mapped ones, then the watermark), once each."""
        needed = [src for _, src in self.columns]
        if self.watermark:
            needed.append(self.watermark)
        return list(dict.fromkeys(needed))


def target_columns(target: str) -> tuple[str, ...]:
    """The columns of the file `target` an item may hold (a punch may also name its employee by
    the device's user id, as biometric databases do)."""
    return tuple(c.name for c in spec_of(target).columns) + EXTRA_FIELDS.get(target, ())


def read_config(path, environ: Mapping[str, str] | None = None) -> dict[str, Source]:
    """The sources of the file at `path`, by name, in file order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SyncConfigError(f"SYNC_CONFIG {path} does not exist") from None
    except OSError as err:
        raise SyncConfigError(f"SYNC_CONFIG {path} cannot be read: {err}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SyncConfigError(f"SYNC_CONFIG {path} is not valid TOML: {err}") from None
    sources = doc.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise SyncConfigError(f"SYNC_CONFIG {path} has no [sources.NAME] tables")
    env = os.environ if environ is None else environ
    return {name: _source(name, body, env) for name, body in sources.items()}


def has_sources(path) -> bool:
    """True when SYNC_CONFIG exists (the scheduled sync runs, and reports a broken file)."""
    return bool(path) and Path(path).is_file()


def _source(name: str, body, env: Mapping[str, str]) -> Source:
    try:
        return _parse(name, body, env)
    except _Problem as problem:
        return Source(name=name, problem=f"source '{name}': {problem}")


class _Problem(ValueError):
    pass


def _parse(name: str, body, env: Mapping[str, str]) -> Source:
    if not isinstance(body, dict):
        raise _Problem("must be a table ([sources.NAME])")
    unknown = sorted(set(body) - KEYS)
    if unknown:
        raise _Problem(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})")
    body = _expand(body, env)
    url = _text(body, "url")
    if not url:
        raise _Problem("url is required (an SQLAlchemy URL such as "
                       "mysql+pymysql://user:${PASSWORD}@host/db)")
    query, table = _text(body, "query"), _text(body, "table")
    query = query.rstrip(";").strip() or None if query else None  # it becomes a subquery
    if bool(query) == bool(table):
        raise _Problem("give either query or table (one of them)")
    target = _text(body, "target")
    if target not in NAMES:
        raise _Problem(f"target '{target}' is not a dataset; use one of {', '.join(NAMES)}")
    columns = body.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise _Problem("[columns] is required: target column = source column")
    known = target_columns(target)
    pairs = []
    for target_col, source_col in columns.items():
        if target_col not in known:
            raise _Problem(f"column '{target_col}' is not a column of {target} "
                           f"(its columns: {', '.join(known)})")
        if not isinstance(source_col, str) or not source_col.strip():
            raise _Problem(f"column {target_col} must name a source column")
        pairs.append((target_col, source_col.strip()))
    values = body.get("values") or {}
    if not isinstance(values, dict):
        raise _Problem("[values] must be tables of source value = target value")
    for target_col, mapping in values.items():
        if target_col not in dict(pairs):
            raise _Problem(f"values.{target_col}: '{target_col}' is not a mapped column")
        if not isinstance(mapping, dict):
            raise _Problem(f"values.{target_col} must be a table of source value = target value")
    return Source(name=name, url=url, target=target, query=query, table=table,
                  watermark=_text(body, "watermark"), columns=tuple(pairs),
                  values={k: {str(src).strip(): v for src, v in m.items()}
                          for k, m in values.items()})


def _text(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Problem(f"{key} must be a string")
    return value.strip() or None


def _expand(value, env: Mapping[str, str]):
    """`${VAR}` in every string, from the environment; an unset variable is a problem."""
    if isinstance(value, str):
        def one(match):
            if match.group(1) not in env:
                raise _Problem(f"${{{match.group(1)}}} is not set in the environment")
            return env[match.group(1)]
        return VARIABLE.sub(one, value)
    if isinstance(value, dict):
        return {k: _expand(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, env) for v in value]
    return value
