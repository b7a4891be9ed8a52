"""Users and API tokens: hashed passwords (werkzeug), hashed tokens, line scopes."""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from data import schema

ROLES = ("viewer", "line_manager", "plant_head", "admin")
TOKEN_PURPOSES = ("read", "ingest", "kiosk")
# A kiosk token is a link for a screen on the floor: it opens the TV board (/tv) and nothing else.
KIOSK = "kiosk"

U = schema.users
T = schema.api_tokens
log = logging.getLogger(__name__)

# A token's last_used_at is written at most this often: a read with a token must not take the
# database's write lock each time (SQLite has one, shared by every worker process).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """A bad account request (unknown role, duplicate name, ...); the message is for the user."""


@dataclass(frozen=True)
class User(UserMixin):
    id: int
    username: str
    role: str
    lines: tuple[str, ...]
    active: bool = True
    token_purpose: str | None = None  # set when the request came with a bearer token
    session_gen: int = 0  # sessions signed with another generation are refused

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def scope(self) -> tuple[str, ...] | None:
        """Lines this user may read; None = every line. Line managers are held to their lines."""
        if self.role == "line_manager":
            return self.lines
        return None

    @property
    def can_ingest(self) -> bool:
        """Admins, and tokens made for ingestion, may POST events and punches."""
        return self.token_purpose != KIOSK and (self.role == "admin"
                                                or self.token_purpose == "ingest")

    @property
    def is_kiosk(self) -> bool:
        return self.token_purpose == KIOSK

    @property
    def can_run_orders(self) -> bool:
        """Admins and plant heads run every order, line managers their lines' (SPEC 13)."""
        return self.role in ("admin", "plant_head", "line_manager")

    @property
    def order_scope(self) -> tuple[str, ...] | None:
        """Lines whose orders this user may run; None = every line (ask can_run_orders first)."""
        return self.lines if self.role == "line_manager" else None


def _row_to_user(row) -> User:
    lines = tuple(x for x in (row.lines or "").split(",") if x)
    return User(id=row.id, username=row.username, role=row.role, lines=lines,
                active=bool(row.active), session_gen=int(row.session_gen or 0))


def create_user(conn, username: str, password: str, role: str = "viewer",
                lines: tuple[str, ...] = ()) -> User:
    username = (username or "").strip()
    if not username:
        raise AccountError("A user needs a name.")
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}'; choose one of {', '.join(ROLES)}.")
    _check_password(password)
    scope = _clean_lines(lines)
    if role == "line_manager" and not scope:
        raise AccountError("A line manager needs at least one line.")
    if conn.execute(select(U.c.id).where(U.c.username == username)).first():
        raise AccountError(f"A user named '{username}' exists already.")
    result = conn.execute(U.insert().values(
        username=username, password_hash=generate_password_hash(password), role=role,
        lines=scope, active=True, created_at=datetime.now()))
    return get_user(conn, result.inserted_primary_key[0])


def get_user(conn, user_id) -> User | None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    row = conn.execute(select(U).where(U.c.id == user_id)).first()
    return _row_to_user(row) if row else None


def get_user_by_name(conn, username: str) -> User | None:
    row = conn.execute(select(U).where(U.c.username == (username or "").strip())).first()
    return _row_to_user(row) if row else None


# Checked for unknown names too, so the answer takes as long whether or not the user exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(conn, username: str, password: str) -> User | None:
    row = conn.execute(select(U).where(U.c.username == (username or "").strip())).first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(row.password_hash, password or "") or not row.active:
        return None
    return _row_to_user(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn, user: User, name: str = "", purpose: str = "read") -> str:
    """Make a new API token acting as `user`; only its hash is stored, so show it once."""
    if purpose not in TOKEN_PURPOSES:
        raise AccountError(f"Unknown token purpose '{purpose}'; choose one of "
                           f"{', '.join(TOKEN_PURPOSES)}.")
    token = "fp_" + secrets.token_urlsafe(32)
    conn.execute(T.insert().values(user_id=user.id, token_hash=_token_hash(token), name=name,
                                   purpose=purpose, created_at=datetime.now()))
    return token


def user_for_token(conn, token: str) -> User | None:
    if not token:
        return None
    # one round trip for the token and its user: every TV refresh and API call makes it
    row = conn.execute(
        select(U, T.c.id.label("token_id"), T.c.purpose.label("token_purpose"),
               T.c.last_used_at.label("token_last_used"))
        .select_from(T.join(U, U.c.id == T.c.user_id))
        .where(T.c.token_hash == _token_hash(token), T.c.revoked_at.is_(None))).first()
    if row is None or not row.active:
        return None
    now = datetime.now()
    if row.token_last_used is None or now - row.token_last_used >= LAST_USED_RESOLUTION:
        _mark_used(conn, row.token_id, now)
    return replace(_row_to_user(row), token_purpose=row.token_purpose or "read")


def _mark_used(conn, token_id: int, now: datetime) -> None:
    """Note when a token was used, unless that means waiting for another writer.

    On SQLite an import, a reload or an ingestion batch holds the one write lock for seconds or
    minutes; a read with a token would wait the whole busy timeout (30 s) for it and then fail.
    So the note is tried without waiting and skipped when the lock is taken (a later request
    writes it). PostgreSQL locks rows: nothing else writes this one for long.
    """
    mark = update(T).where(T.c.id == token_id).values(last_used_at=now)
    if conn.dialect.name != "sqlite":
        conn.execute(mark)
        return
    waited_ms = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    conn.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        conn.execute(mark)
    except OperationalError as err:  # "database is locked": a writer is busy
        log.debug("token %s used; last_used_at not written now: %s", token_id, err.orig)
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited_ms)}")


def _clean_lines(lines) -> str:
    return ",".join(sorted({str(x).strip() for x in (lines or ()) if str(x).strip()}))


def _check_password(password: str) -> None:
    if not password or len(password) < 8:
        raise AccountError("A password needs at least 8 characters.")


def _active_admins(conn) -> int:
    from sqlalchemy import func
    return conn.execute(select(func.count()).select_from(U).where(
        U.c.role == "admin", U.c.active.is_(True))).scalar()


def _require(conn, user_id) -> User:
    user = get_user(conn, user_id)
    if user is None:
        raise AccountError("That user does not exist (any more).")
    return user


def _keep_an_admin(conn, user: User, *, role: str, active: bool) -> None:
    """No change may leave the plant without an active admin (nobody could undo it)."""
    if user.role == "admin" and user.active and (role != "admin" or not active) \
            and _active_admins(conn) <= 1:
        raise AccountError(f"{user.username} is the last active admin; make another admin "
                           "first.")


def update_user(conn, user_id, *, role: str, lines=()) -> User:
    """Change a user's role and line scope (a line manager needs at least one line)."""
    user = _require(conn, user_id)
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}'; choose one of {', '.join(ROLES)}.")
    scope = _clean_lines(lines)
    if role == "line_manager" and not scope:
        raise AccountError("A line manager needs at least one line.")
    _keep_an_admin(conn, user, role=role, active=user.active)
    conn.execute(update(U).where(U.c.id == user.id).values(role=role, lines=scope))
    return get_user(conn, user.id)


def set_active(conn, user_id, active: bool) -> User:
    """Disable (or enable again) a user: a disabled user's sessions and tokens stop at once."""
    user = _require(conn, user_id)
    _keep_an_admin(conn, user, role=user.role, active=active)
    conn.execute(update(U).where(U.c.id == user.id).values(active=bool(active)))
    return get_user(conn, user.id)


def set_password(conn, user_id, password: str) -> User:
    user = _require(conn, user_id)
    _check_password(password)
    conn.execute(update(U).where(U.c.id == user.id).values(
        password_hash=generate_password_hash(password), session_gen=_next_gen()))
    return user


def end_sessions(conn, user_id) -> None:
    """Refuse every session cookie of this user signed so far (sign-out, a password change)."""
    conn.execute(update(U).where(U.c.id == int(user_id)).values(session_gen=_next_gen()))


def _next_gen():
    return func.coalesce(U.c.session_gen, 0) + 1


def revoke_token(conn, token_id) -> bool:
    """Revoke a token; True when it was live. The next request with it is refused."""
    result = conn.execute(update(T).where(T.c.id == int(token_id), T.c.revoked_at.is_(None))
                          .values(revoked_at=datetime.now()))
    return result.rowcount > 0
