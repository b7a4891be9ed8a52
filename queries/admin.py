"""Accounts and bookkeeping for the admin page: users, API tokens, import history, audit log."""
from __future__ import annotations

from sqlalchemy import func, select

from data import schema
from queries.common import frame

U, T, I, A = schema.users, schema.api_tokens, schema.imports, schema.audit_log


def users(conn):
    live = (select(T.c.user_id, func.count().label("tokens")).where(T.c.revoked_at.is_(None))
            .group_by(T.c.user_id).subquery())
    stmt = (select(U.c.id, U.c.username, U.c.role, U.c.lines, U.c.active, U.c.created_at,
                   func.coalesce(live.c.tokens, 0).label("tokens"))
            .select_from(U.outerjoin(live, live.c.user_id == U.c.id)).order_by(U.c.username))
    return frame(conn, stmt)


def tokens(conn):
    stmt = (select(T.c.id, U.c.username, T.c.name, T.c.purpose, T.c.created_at,
                   T.c.last_used_at, T.c.revoked_at)
            .select_from(T.outerjoin(U, U.c.id == T.c.user_id))
            .order_by(T.c.revoked_at.is_not(None), T.c.id.desc()))
    return frame(conn, stmt)


ERRORS_HEAD = 4000  # characters of an import's error list read for the history's first error


def imports(conn, limit: int = 200):
    """The newest imports; of each error list only its start (`errors_head`, enough for the
    first error) and the count: the lists themselves are read one import at a time."""
    stmt = (select(I.c.id, I.c.started_at, I.c.finished_at, I.c.username, I.c.kind, I.c.source,
                   I.c.status, I.c.row_counts, I.c.error_count,
                   func.substr(I.c.errors, 1, ERRORS_HEAD).label("errors_head"))
            .order_by(I.c.id.desc()).limit(limit))
    return frame(conn, stmt)


def audit_log(conn, limit: int = 500, wo_number: str | None = None):
    """Newest first; with wo_number, only the operations on that work order."""
    stmt = select(A.c.id, A.c.ts, A.c.username, A.c.action, A.c.details, A.c.wo_number,
                  A.c.status_before, A.c.status_after)
    if wo_number:
        stmt = stmt.where(A.c.wo_number == wo_number)
    return frame(conn, stmt.order_by(A.c.id.desc()).limit(limit))


def job_states(conn):
    J = schema.job_state
    return frame(conn, select(J).order_by(J.c.name))


def last_sync_runs(conn):
    """The newest database sync run of each source (the import history's kind `sync`)."""
    newest = (select(func.max(I.c.id).label("id")).where(I.c.kind == "sync")
              .group_by(I.c.source).subquery())
    stmt = (select(I.c.id, I.c.source, I.c.started_at, I.c.finished_at, I.c.username, I.c.status,
                   I.c.details).select_from(I.join(newest, newest.c.id == I.c.id)))
    return frame(conn, stmt)
