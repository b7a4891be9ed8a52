"""Each user's home and saved views (issue 19 item 5).

Home: a line manager lands on her line, today, by hour (/lines/<her first line>?start=today&
end=today); everyone else on the plant Overview. Saved views: a name for a page and its URL
filters, kept per user (table saved_views); a user reads and deletes only their own.
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote, urlencode, urlparse

from sqlalchemy import delete, func, select

from data import schema

SV = schema.saved_views
MAX_VIEWS = 50  # per user: a menu, not a database
NAME_MAX = 100


class SavedViewError(ValueError):
    """A bad saved view (no name, not a page of this app, too many); the message is for the user."""


def home_path(user, today: date) -> str:
    """Where `user` lands after signing in or on the brand link."""
    if user is not None and user.role == "line_manager" and user.lines:
        day = today.isoformat()
        return (f"/lines/{quote(sorted(user.lines)[0], safe='')}?"
                + urlencode([("start", day), ("end", day)]))
    return "/"


NOT_PAGES = ("/api", "/login", "/logout", "/home", "/_dash", "/assets", "/tv")


def is_app_page(location: str) -> bool:
    """A same-site address of one of the app's pages: no other site, no way up (..), no
    control characters, not the API, sign-in or Dash's own routes. Saved views and the page
    PDF (components/page_pdf.py) open nothing else."""
    parsed = urlparse(location)
    return (location.startswith("/") and not location.startswith("//") and not parsed.scheme
            and not parsed.netloc and "\\" not in location
            and not any(ord(c) < 0x20 or ord(c) == 0x7f for c in location)
            and ".." not in parsed.path.split("/") and not parsed.path.startswith(NOT_PAGES))


def _clean_location(location: str) -> tuple[str, str]:
    """(path, query) of a same-site page address; SavedViewError for anything else."""
    location = (location or "").strip()
    if not is_app_page(location):
        raise SavedViewError("Only a page of FloorPulse can be saved as a view.")
    parsed = urlparse(location)
    path = parsed.path
    if len(path) > 300 or len(parsed.query) > 2000:
        raise SavedViewError("That address is too long to save.")
    return path, f"?{parsed.query}" if parsed.query else ""


def save_view(conn, user_id: int, name: str, location: str) -> tuple[dict, bool]:
    """Keep `location` (path and query) under `name` for the user; a name they already use is
    replaced. Returns (the view, replaced?)."""
    name = " ".join((name or "").split())
    if not name:
        raise SavedViewError("Give the view a name.")
    if len(name) > NAME_MAX:
        raise SavedViewError(f"A view's name has at most {NAME_MAX} characters.")
    path, query = _clean_location(location)
    existing = conn.execute(select(SV.c.id).where(SV.c.user_id == user_id,
                                                  SV.c.name == name)).scalar()
    now = datetime.now().replace(microsecond=0)
    if existing is not None:
        conn.execute(SV.update().where(SV.c.id == existing).values(
            path=path, query=query, created_at=now))
        view_id = existing
    else:
        count = conn.execute(select(func.count()).select_from(SV).where(
            SV.c.user_id == user_id)).scalar()
        if count >= MAX_VIEWS:
            raise SavedViewError(f"You have {MAX_VIEWS} saved views; delete one first.")
        view_id = conn.execute(SV.insert().values(user_id=user_id, name=name, path=path,
                                                  query=query, created_at=now)
                               ).inserted_primary_key[0]
    return {"id": int(view_id), "name": name, "path": path, "query": query}, existing is not None


def list_views(conn, user_id: int) -> list[dict]:
    """The user's views by name."""
    rows = conn.execute(select(SV.c.id, SV.c.name, SV.c.path, SV.c.query)
                        .where(SV.c.user_id == user_id).order_by(SV.c.name)).all()
    return [{"id": r.id, "name": r.name, "path": r.path, "query": r.query or "",
             "href": r.path + (r.query or "")} for r in rows]


def delete_view(conn, user_id: int, view_id: int) -> bool:
    """Delete one of the user's own views; another user's id deletes nothing."""
    result = conn.execute(delete(SV).where(SV.c.id == view_id, SV.c.user_id == user_id))
    return bool(result.rowcount)
