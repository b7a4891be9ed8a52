"""The TV board's routes and kiosk tokens (SPEC section 11), through the Flask test client.

A kiosk token opens /tv and /tv/data with no person signed in, sees only its user's lines, is
refused by every other page, Dash route and /api/v1 route, and stops at once when revoked.
Board numbers are tested in tests/test_floor_board.py; here: who sees what, and "unchanged".
"""
from __future__ import annotations

import re

import dash
import pytest

from auth import users
from data import db
from tests.factories import small_plant

INVALID = "This screen's link is no longer valid."


@pytest.fixture
def plant(engine, database_url, make_app):
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        manager = users.create_user(conn, "l2-manager", "long-password", role="line_manager",
                                    lines=("L02",))
        head = users.create_user(conn, "head", "long-password", role="plant_head")
        tokens = {"kiosk": users.create_token(conn, manager, purpose="kiosk"),
                  "head_kiosk": users.create_token(conn, head, purpose="kiosk"),
                  "read": users.create_token(conn, head, purpose="read")}
    client = app.server.test_client()
    client.get("/login")  # the first request registers the pages' router callback
    return app, client, tokens


def _rules(app, method):
    return sorted({r.rule for r in app.server.url_map.iter_rules()
                   if r.rule.startswith("/api/v1/") and method in r.methods
                   and r.endpoint != "api.not_found"})


def test_a_kiosk_key_opens_the_board_with_nobody_signed_in(plant):
    _app, client, tokens = plant
    page = client.get(f"/tv?key={tokens['kiosk']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="tv-board"' in html and "/assets/tv.js" in html and "password" not in html
    fresh = _app.server.test_client().get(f"/tv?key={tokens['kiosk']}")
    assert fresh.status_code == 200 and not fresh.headers.getlist("Set-Cookie")  # no session
    data = client.get(f"/tv/data?key={tokens['kiosk']}").get_json()
    # the line manager of L02 sees L02 only
    assert [line["line_code"] for line in data["board"]["lines"]] == ["L02"]
    wide = client.get(f"/tv/data?key={tokens['head_kiosk']}").get_json()
    assert [line["line_code"] for line in wide["board"]["lines"]] == ["L01", "L02"]
    # and asking for another line is a clear refusal, not an empty board
    other = client.get(f"/tv/data?key={tokens['kiosk']}&line=L01")
    assert other.status_code == 400
    assert other.get_json()["error"]["code"] == "bad_filter"
    assert "L01" in other.get_json()["error"]["message"]


def test_the_kiosk_token_opens_nothing_else(plant):
    app, client, tokens = plant
    bearer = {"Authorization": f"Bearer {tokens['kiosk']}"}
    pages = [re.sub(r"<[^>]+>", "L02", p.get("path_template") or p["path"])
             for p in dash.page_registry.values()]
    assert "/" in pages and "/lines" in pages
    for path in pages + ["/_dash-layout", "/_dash-dependencies"]:
        assert client.get(path, headers=bearer).status_code == 403, path
        # the key in a URL is read on /tv only: anywhere else it signs nobody in
        resp = client.get(f"{path}?key={tokens['kiosk']}")
        assert resp.status_code in (302, 401), path
    for rule in _rules(app, "GET"):
        resp = client.get(re.sub(r"<[^>]+>", "L02", rule), headers=bearer)
        assert resp.status_code == 403, rule
        assert resp.get_json()["error"]["code"] == "kiosk_only"
    for rule in _rules(app, "POST"):
        assert client.post(rule, json=[], headers=bearer).status_code == 403, rule
    assert client.post("/_dash-update-component", json={}, headers=bearer).status_code == 403


def test_a_wrong_or_revoked_key_shows_a_plain_notice(plant, engine):
    _app, client, tokens = plant
    wrong = client.get("/tv?key=fp_not-a-token")
    assert wrong.status_code == 401
    assert INVALID in wrong.get_data(as_text=True)
    assert "password" not in wrong.get_data(as_text=True)  # not a sign-in form
    # a read token may not travel in a URL: only kiosk tokens open the board this way
    assert client.get(f"/tv?key={tokens['read']}").status_code == 401
    assert client.get(f"/tv/data?key={tokens['kiosk']}").status_code == 200
    with engine.begin() as conn:
        token_id = conn.exec_driver_sql("select id from api_tokens where purpose = 'kiosk' "
                                        "order by id").scalar()
        assert users.revoke_token(conn, token_id)
    revoked = client.get(f"/tv/data?key={tokens['kiosk']}")
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "kiosk_key_invalid"
    assert INVALID in client.get(f"/tv?key={tokens['kiosk']}").get_data(as_text=True)


def test_a_quiet_board_is_told_unchanged_until_the_data_moves(plant, engine):
    _app, client, tokens = plant
    first = client.get(f"/tv/data?key={tokens['head_kiosk']}").get_json()
    assert first["unchanged"] is False and first["state"] and first["build"]
    again = client.get(f"/tv/data?key={tokens['head_kiosk']}&since={first['state']}").get_json()
    if again["state"] == first["state"]:  # (unless the clock stepped in between)
        assert again["unchanged"] is True and "board" not in again
    with engine.begin() as conn:
        db.bump_data_version(conn)
    moved = client.get(f"/tv/data?key={tokens['head_kiosk']}&since={first['state']}").get_json()
    assert moved["unchanged"] is False and moved["state"] != first["state"]
    assert moved["board"]["lines"]


def test_people_signed_in_may_open_the_board_and_nobody_else(plant):
    _app, client, tokens = plant
    assert client.get("/tv/data").status_code == 401
    assert client.get("/tv").status_code == 302  # to the sign-in form
    read = {"Authorization": f"Bearer {tokens['read']}"}
    assert client.get("/tv/data", headers=read).status_code == 200
    assert client.get("/tv", headers=read).status_code == 200


def test_bad_refresh_and_rotate_fall_back_with_a_notice(plant):
    _app, client, tokens = plant
    html = client.get(f"/tv?key={tokens['kiosk']}&refresh=soon&rotate=1").get_data(as_text=True)
    assert 'data-refresh="30"' in html and 'data-rotate="15"' in html
    assert "refresh=soon is not a number of seconds" in html
    assert "rotate must be 2 to 3600 seconds" in html
    html = client.get(f"/tv?key={tokens['kiosk']}&refresh=5&rotate=20").get_data(as_text=True)
    assert 'data-refresh="5"' in html and 'data-rotate="20"' in html


def test_create_token_purpose_kiosk_on_the_command_line(plant):
    app, _client, _tokens = plant
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["create-token", "l2-manager", "--purpose", "kiosk",
                                 "--name", "line 2 TV"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert f"/tv?key={token}" in result.output
    assert app.server.test_client().get(f"/tv/data?key={token}").status_code == 200
    bad = runner.invoke(args=["create-token", "l2-manager", "--purpose", "tv"])
    assert bad.exit_code != 0 and "kiosk" in bad.output


def test_the_admin_page_makes_kiosk_tokens(plant, engine):
    app, client, _tokens = plant
    from reports import admin
    ctx = app.server.extensions["floorpulse"]
    with engine.begin() as conn:
        manager_id = users.get_user_by_name(conn, "l2-manager").id
    token = admin.create_token(ctx, "head", manager_id, "line 2 TV", "kiosk")
    board = client.get(f"/tv/data?key={token}").get_json()["board"]
    assert [line["line_code"] for line in board["lines"]] == ["L02"]
    row = admin.tokens_table(ctx).set_index("name").loc["line 2 TV"]
    assert row["purpose"] == "kiosk"


def test_firing_alerts_show_on_their_line_and_move_the_state(plant, engine):
    """An alert fires without moving the data version: the board's state carries the alerts'
    own token, so a quiet screen fetches the board again and shows the alert on its line."""
    from datetime import datetime

    from data import schema
    from ingest import alerts as ia
    from reports import alerts as alert_reports
    app, client, tokens = plant
    ctx = app.server.extensions["floorpulse"]
    rule = alert_reports.create_rule(ctx, "admin", {"kind": "behind_target", "threshold": 80,
                                                    "lines": ["L02"]})
    first = client.get(f"/tv/data?key={tokens['head_kiosk']}").get_json()
    assert all(line["alerts"] == [] for line in first["board"]["lines"])
    now = datetime(2026, 3, 2, 11, 0)
    with engine.begin() as conn:
        conn.execute(schema.alerts.insert().values(
            rule_id=rule["id"], subject="L02", line_code="L02", state="firing",
            live_key=f"{rule['id']}:L02", since=now, fired_at=now, value=74.1, threshold=80,
            message="L02 at 74.1 % of its pace", updated_at=now))
        db.set_meta(conn, ia.ALERTS_VERSION_KEY, "after-firing")
    moved = client.get(f"/tv/data?key={tokens['head_kiosk']}&since={first['state']}").get_json()
    assert moved["unchanged"] is False
    shown = {line["line_code"]: line["alerts"] for line in moved["board"]["lines"]}
    assert shown["L01"] == []
    assert [a["message"] for a in shown["L02"]] == ["L02 at 74.1 % of its pace"]
