"""A home per role and saved views (issue 19 item 5): a line manager lands on her line, today,
by hour; a plant head on the Overview; saved views are created, listed, replaced and deleted,
each user's own."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from flask_login import login_user

from auth import saved_views as store, users
from components import saved_views as menu
from core.context import EXTENSION_KEY
from tests.factories import small_plant


def _csrf(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _sign_in(client, username, password, query=""):
    return client.post(f"/login{query}", data={"username": username, "password": password,
                                                "csrf_token": _csrf(client)})


@pytest.fixture
def env(database_url, engine, make_app):
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        maria = users.create_user(conn, "maria", "maria-password", role="line_manager",
                                  lines=("L02", "L01"))
        head = users.create_user(conn, "head", "head-password", role="plant_head")
    return app, engine, maria, head


def test_home_path_by_role():
    day = date(2026, 3, 2)
    manager = users.User(1, "m", "line_manager", ("L07", "L03"))
    assert store.home_path(manager, day) == "/lines/L03?start=2026-03-02&end=2026-03-02"
    for role in ("plant_head", "admin", "viewer"):
        assert store.home_path(users.User(2, "p", role, ()), day) == "/"


def test_sign_in_lands_on_the_roles_home(env):
    app, _engine, _maria, _head = env
    today = app.server.extensions[EXTENSION_KEY].today().isoformat()
    client = app.server.test_client()
    resp = _sign_in(client, "maria", "maria-password")
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert re.fullmatch(r"/lines/L01\?start=(\d{4}-\d\d-\d\d)&end=\1", location), location
    assert location.endswith(f"end={today}")
    # the line page for one day is by hour: it opens (signed in) without an error
    assert client.get(location).status_code == 200
    assert client.get("/home").headers["Location"] == location
    # a page asked for wins over the home
    other = app.server.test_client()
    assert _sign_in(other, "maria", "maria-password", "?next=/quality").headers[
        "Location"] == "/quality"
    head = app.server.test_client()
    assert _sign_in(head, "head", "head-password").headers["Location"] == "/"
    assert head.get("/home").headers["Location"] == "/"


def test_saved_views_create_list_replace_delete(env):
    _app, engine, maria, head = env
    with engine.begin() as conn:
        view, replaced = store.save_view(conn, maria.id, "  L01   this week ",
                                         "/lines/L01?start=2026-03-01&end=2026-03-07")
        assert not replaced and view["name"] == "L01 this week"
        store.save_view(conn, maria.id, "Quality", "/quality")
        store.save_view(conn, head.id, "Quality", "/quality?line=L03")
    with engine.connect() as conn:
        mine = store.list_views(conn, maria.id)
        theirs = store.list_views(conn, head.id)
    assert [(v["name"], v["href"]) for v in mine] == [
        ("L01 this week", "/lines/L01?start=2026-03-01&end=2026-03-07"), ("Quality", "/quality")]
    assert [(v["name"], v["href"]) for v in theirs] == [("Quality", "/quality?line=L03")]
    with engine.begin() as conn:  # the same name again replaces, never duplicates
        _view, replaced = store.save_view(conn, maria.id, "Quality", "/quality?shift=A")
        assert replaced
        # another user's view is not mine to delete
        assert not store.delete_view(conn, maria.id, theirs[0]["id"])
        assert store.delete_view(conn, maria.id, mine[0]["id"])
    with engine.connect() as conn:
        assert [(v["name"], v["href"]) for v in store.list_views(conn, maria.id)] == [
            ("Quality", "/quality?shift=A")]
        assert len(store.list_views(conn, head.id)) == 1


@pytest.mark.parametrize("name, location, says", [
    ("", "/quality", "Give the view a name"),
    ("x", "https://evil.example.com/", "Only a page"),
    ("x", "//evil.example.com/", "Only a page"),
    ("x", "/api/v1/production", "Only a page"),
    ("x", "quality", "Only a page"),
    ("x" * 101, "/quality", "at most 100"),
])
def test_bad_views_are_refused(env, name, location, says):
    _app, engine, maria, _head = env
    with pytest.raises(store.SavedViewError, match=says):
        with engine.begin() as conn:
            store.save_view(conn, maria.id, name, location)
    with engine.connect() as conn:
        assert store.list_views(conn, maria.id) == []


def _text(node) -> str:
    return json.dumps(node if not hasattr(node, "to_plotly_json") else node.to_plotly_json(),
                      ensure_ascii=False, default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


def test_the_menus_callbacks_save_and_delete_for_the_signed_in_user_only(env):
    app, engine, maria, head = env
    with app.server.test_request_context("/"):
        login_user(maria)
        message, items, listing = menu.save(1, "Mine", "/downtime?start=2026-03-01&end=2026-03-02")
        assert "saved" in _text(message)
        assert "/downtime?start=2026-03-01&end=2026-03-02" in _text(items)
        message, _items, _list = menu.save(1, "", "/downtime")
        assert "Give the view a name" in _text(message)
    with engine.connect() as conn:
        view_id = store.list_views(conn, maria.id)[0]["id"]
    with app.server.test_request_context("/"):
        login_user(head)  # the head cannot delete maria's view through the menu
        message, _items, _list = menu.remove({"type": menu.DELETE, "id": view_id}, [1])
        assert "already gone" in _text(message)
        assert "Mine" not in _text(menu.menu(head))
    with engine.connect() as conn:
        assert len(store.list_views(conn, maria.id)) == 1
    with app.server.test_request_context("/"):
        login_user(maria)
        assert "Mine" in _text(menu.menu(maria))
        message, items, _list = menu.remove({"type": menu.DELETE, "id": view_id}, [1])
        assert "Deleted" in _text(message) and "Mine" not in _text(items)
