"""The import history (schema.imports): one row per CSV import, attlog, UCI file or demo reload,
written the same way whatever the kind."""
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
                  row_counts: Mapping[str, int], errors: Sequence[str]) -> int | None:
    """One row in `imports` in its own transaction (after the import's, so a failed import is
    recorded too); returns its id. If the row cannot be written the failure is logged and None
    returned: the import itself is over, and its report must still reach the user."""
    try:
        with engine.begin() as conn:
            result = conn.execute(schema.imports.insert().values(
                source=str(source), kind=kind, username=username, started_at=started,
                finished_at=finished, status="ok" if ok else "failed",
                row_counts=json.dumps(dict(row_counts)), errors=json.dumps(list(errors))))
            return result.inserted_primary_key[0]
    except Exception:  # noqa: BLE001 - see above
        log.exception("could not record the %s import of %s in the import history", kind, source)
        return None
