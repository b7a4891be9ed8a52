"""The import history (schema.imports): one row per CSV import, attlog, UCI file, demo reload or
database sync run, written the same way whatever the kind."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Mapping, Sequence

from sqlalchemy import Engine

from data import schema

log = logging.getLogger(__name__)


def record_import(engine: Engine, *, kind: str, source, username: str | None,
                  started: datetime, finished: datetime, ok: bool,
                  row_counts: Mapping[str, int], errors: Sequence[str],
                  details: Mapping | None = None) -> int | None:
    """One row in `imports` in its own transaction (after the import's, so a failed import is
    recorded too); returns its id. If the row cannot be written the failure is logged and None
    returned: the import itself is over, and its report must still reach the user. `details`
    holds what a kind records beyond rows and errors (a sync run's ETL log numbers)."""
    try:
        with engine.begin() as conn:
            result = conn.execute(schema.imports.insert().values(
                source=str(source), kind=kind, username=username, started_at=started,
                finished_at=finished, status="ok" if ok else "failed",
                row_counts=json.dumps(dict(row_counts)), errors=json.dumps(list(errors)),
                details=json.dumps(dict(details)) if details is not None else None))
            return result.inserted_primary_key[0]
    except Exception:  # noqa: BLE001 - see above
        log.exception("could not record the %s import of %s in the import history", kind, source)
        return None
