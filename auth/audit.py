"""The audit log: one row for every admin action and every data reload, written in the same
transaction as the change it describes (so a change that rolls back leaves no false entry)."""
from __future__ import annotations

import json
from datetime import datetime

from data import schema


def record(conn, username: str | None, action: str, details: dict | None = None, *,
           ts: datetime | None = None) -> None:
    """`ts` is plant-local (as the import history is); the server's clock when not given."""
    conn.execute(schema.audit_log.insert().values(
        ts=(ts or datetime.now()).replace(microsecond=0), username=username or "?", action=action,
        details=json.dumps(details, default=str, sort_keys=True) if details else ""))
