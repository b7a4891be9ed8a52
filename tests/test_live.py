"""Live refresh (SPEC section 11), through the Flask test client: the poll is cheap and says
"nothing new" until the data version moves; the tick is on only for windows that include today."""
from __future__ import annotations

import pytest
from dash import no_update

from auth import users
from components.page import live_outputs
from data import db
from reports.live import live_state
from tests.factories import small_plant


@pytest.fixture
def client(engine, database_url, make_app):
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        head = users.create_user(conn, "head", "long-password", role="plant_head")
        token = users.create_token(conn, head)
    c = app.server.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    c.get("/login")
    return app, c


def _poll(app, client, shown):
    key = next(k for k in app.callback_map if "overview-live-state.data" in k)
    outputs = [{"id": o.strip(".").rsplit(".", 1)[0],
                "property": o.strip(".").rsplit(".", 1)[1].split("@")[0]}
               for o in key.split("...")]
    body = {"output": key, "outputs": outputs,
            "inputs": [{"id": "overview-live-tick", "property": "n_intervals", "value": 1}],
            "state": [{"id": "overview-live-state", "property": "data", "value": shown}],
            "changedPropIds": ["overview-live-tick.n_intervals"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()["response"]


def test_the_poll_moves_the_state_only_when_the_data_moved(client, engine):
    app, c = client
    with app.server.test_request_context():
        from core.context import current
        state = live_state(current())
    quiet = _poll(app, c, state)
    assert "overview-live-state" not in quiet  # nothing new: the content callback stays still
    assert quiet["overview-as-of"]["children"].startswith("as of ")
    with engine.begin() as conn:
        db.bump_data_version(conn)
    moved = _poll(app, c, state)
    assert moved["overview-live-state"]["data"] != state


def test_the_tick_runs_only_for_windows_that_include_today(client):
    app, _c = client
    with app.server.test_request_context():
        from core.context import current
        today = current().today()
        assert live_outputs(("2026-01-01", "2026-01-07", [], [], [])) == (True, "")
        disabled, as_of = live_outputs((today.isoformat(), today.isoformat(), [], [], []))
        assert disabled is False and as_of.startswith("as of ")
        # a bad window changes nothing (the page keeps its last good view and its tick)
        assert live_outputs(("2026-01-07", "2026-01-01", [], [], [])) == (no_update, no_update)
