"""The import history (schema.imports): one row per CSV import, upload, attlog, UCI file, demo
reload or database sync run, written the same way whatever the kind.

An error list is capped: the first MAX_ERRORS are kept and `error_count` says how many there were
(a million bad rows once stored a 62 MB list that the Admin page then sent whole)."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Mapping, Sequence

from sqlalchemy import Engine

from data import schema

log = logging.getLogger(__name__)

MAX_ERRORS = 1000


def capped(errors: Sequence[str]) -> tuple[list[str], int]:
    """(the first MAX_ERRORS errors, how many more there were)."""
    return list(errors[:MAX_ERRORS]), max(len(errors) - MAX_ERRORS, 0)


def record_import(engine: Engine, *, kind: str, source, username: str | None,
                  started: datetime, finished: datetime, ok: bool,
                  row_counts: Mapping[str, int], errors: Sequence[str],
                  details: Mapping | None = None, error_count: int | None = None) -> int | None:
    """One row in `imports` in its own transaction (after the import's, so a failed import is
    recorded too); returns its id. If the row cannot be written the failure is logged and None
    returned: the import itself is over, and its report must still reach the user. `details`
    holds what a kind records beyond rows and errors (a sync run's ETL log numbers).

    `errors` may be the whole list or its first part (then `error_count` is the whole count):
    the first MAX_ERRORS are stored with the count."""
    kept, more = capped(errors)
    try:
        with engine.begin() as conn:
            result = conn.execute(schema.imports.insert().values(
                source=str(source), kind=kind, username=username, started_at=started,
                finished_at=finished, status="ok" if ok else "failed",
                row_counts=json.dumps(dict(row_counts)), errors=json.dumps(kept),
                error_count=max(error_count or 0, len(kept) + more),
                details=json.dumps(dict(details)) if details is not None else None))
            return result.inserted_primary_key[0]
    except Exception:  # noqa: BLE001 - see above
        log.exception("could not record the %s import of %s in the import history", kind, source)
        return None
