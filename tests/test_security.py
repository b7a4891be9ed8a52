"""Sessions, the sign-in throttle, cookie writes, request bodies and callback input, probed as an
attacker and a careless client would (issue: reliability and security, items 4-8)."""
from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from auth import users
from reports import admin

PASSWORD = "right-password-1"


@pytest.fixture
def app_db(engine, database_url, make_app):
    from tests.factories import small_plant
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        boss = users.create_user(conn, "boss", PASSWORD, role="admin")
        users.create_user(conn, "lena", PASSWORD, role="viewer")
    return app, engine, boss


def _client(app, address="10.0.0.1"):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(client, username, password, next_url=None):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    path = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(path, data={"csrf_token": token, "username": username,
                                   "password": password})


READ = "/api/v1/production?start=2026-03-02&end=2026-03-02"


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app_db):
    app, _engine, _boss = app_db
    client = _client(app)
    assert _sign_in(client, "lena", PASSWORD).status_code == 302
    copied = client.get_cookie("session").value
    assert client.get(READ).status_code == 200
    page = client.get("/logout").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = _client(app)
    thief.set_cookie("session", copied)
    assert thief.get(READ).status_code == 401


def test_a_password_change_ends_every_session_of_that_user(app_db):
    app, engine, boss = app_db
    client = _client(app)
    _sign_in(client, "lena", PASSWORD)
    assert client.get(READ).status_code == 200
    with engine.connect() as conn:
        lena = users.get_user_by_name(conn, "lena")
    admin.reset_password(app.server.extensions["floorpulse"], "boss", lena.id, "new-password-22")
    assert client.get(READ).status_code == 401
    assert _sign_in(_client(app), "lena", "new-password-22").status_code == 302


def test_failures_elsewhere_do_not_lock_a_user_out(app_db):
    app, _engine, _boss = app_db
    attacker = _client(app, "203.0.113.9")
    for _ in range(8):
        assert _sign_in(attacker, "lena", "guess").status_code == 401
    assert _sign_in(attacker, "lena", PASSWORD).status_code == 429  # that pair is throttled
    assert _sign_in(_client(app, "10.0.0.7"), "lena", PASSWORD).status_code == 302


def test_a_good_sign_in_and_a_reset_clear_the_count(app_db):
    app, engine, _boss = app_db
    client = _client(app)
    for _ in range(7):
        _sign_in(client, "lena", "typo")
    assert _sign_in(client, "lena", PASSWORD).status_code == 302  # clears the seven
    other = _client(app)
    for _ in range(7):
        assert _sign_in(other, "lena", "typo").status_code == 401
    for _ in range(8):
        _sign_in(other, "boss", "typo")
    assert _sign_in(other, "boss", PASSWORD).status_code == 429
    with engine.connect() as conn:
        boss = users.get_user_by_name(conn, "boss")
    admin.reset_password(app.server.extensions["floorpulse"], "boss", boss.id, "fresh-password-3")
    assert _sign_in(other, "boss", "fresh-password-3").status_code == 302  # as the message says


def test_colleagues_behind_one_proxy_are_not_locked_out_by_typos(app_db):
    app, _engine, _boss = app_db
    proxy = "192.0.2.1"
    for _ in range(25):  # everyone behind the proxy mistypes their password now and then
        _sign_in(_client(app, proxy), "boss", "typo")
    assert _sign_in(_client(app, proxy), "lena", PASSWORD).status_code == 302
    # guessing user names is throttled per address
    prober = _client(app, "198.51.100.4")
    for i in range(20):
        assert _sign_in(prober, f"nobody{i}", "x").status_code == 401
    assert _sign_in(prober, "nobody-else", "x").status_code == 429


@pytest.mark.parametrize("next_url", ["/%0d%0aSet-Cookie:x=1", "/\\evil.example", "//evil.example",
                                      "https://evil.example/", "/%09/x"])
def test_next_never_leaves_the_site_or_splits_a_header(app_db, next_url):
    app, _engine, _boss = app_db
    answer = _sign_in(_client(app), "lena", PASSWORD, next_url)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    assert "Set-Cookie: x" not in str(answer.headers)


def test_writes_riding_on_the_session_cookie_must_be_json(app_db):
    app, _engine, _boss = app_db
    client = _client(app)
    _sign_in(client, "boss", PASSWORD)
    event = {"event_id": "x1", "ts": "2026-03-02T09:00:00", "emp_code": "E001",
             "station_code": "ST1", "event_type": "working"}
    # what a plain HTML form on another page of the same site can send
    forged = client.post("/api/v1/events", data=json.dumps(event), content_type="text/plain")
    assert forged.status_code == 415
    assert forged.get_json()["error"]["code"] == "json_required"
    form = client.post("/api/v1/events", data={"event_id": "x1"})
    assert form.status_code == 415
    # the app's own JSON write goes through (the event itself may be rejected on its merits)
    assert client.post("/api/v1/events", json=event).status_code in (200, 207)


def test_bodies_over_the_cap_are_refused_before_they_are_read(app_db):
    app, _engine, _boss = app_db
    client = _client(app)
    _sign_in(client, "boss", PASSWORD)
    big = b"[" + b"1," * (13 * 1024 * 1024) + b"1]"  # 26 MB
    answer = client.post("/api/v1/punches", data=big, content_type="application/json")
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "payload_too_large"
    # a chunked body has no length up front: the server (gunicorn) marks the stream as
    # terminated, and reading stops at the cap
    chunked = client.post("/api/v1/punches", input_stream=io.BytesIO(big),
                          content_type="application/json",
                          headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input_terminated": True})
    assert chunked.status_code == 413


# --- callbacks with random input: bad input, never a 500 -----------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(["2026-03-02", "L01", "x", "", "A"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6)


def _dependencies(client):
    deps = client.get("/_dash-dependencies").get_json()
    # the background reload would start real work: its start is fuzzed through start_reload
    return [d for d in deps if "reload-result" not in d["output"] and "{" not in d["output"]]


@pytest.fixture
def signed_in_sqlite(sqlite_url, make_app):
    from tests.factories import small_plant
    from data import db
    small_plant(db.get_engine(sqlite_url))
    app = make_app(sqlite_url)
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "boss", PASSWORD, role="admin")
    client = _client(app)
    _sign_in(client, "boss", PASSWORD)
    return client


def test_every_callback_answers_random_input_without_a_500(signed_in_sqlite):
    client = signed_in_sqlite
    deps = _dependencies(client)
    deps.append({"output": "no-such.children", "inputs": [{"id": "x", "property": "value"}],
                 "state": []})
    assert len(deps) > 20

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def probe(data):
        dep = data.draw(st.sampled_from(deps))
        def items(kind):
            return [{"id": d["id"], "property": d["property"], "value": data.draw(JSON)}
                    for d in dep[kind]]
        outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
                   for o in (dep["output"][2:-2].split("...") if dep["output"].startswith("..")
                             else [dep["output"]])]
        inputs = items("inputs")
        body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": inputs, "state": items("state"),
                "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else []}
        answer = client.post("/_dash-update-component", json=body)
        assert answer.status_code < 500, (dep["output"], body, answer.get_data(as_text=True)[:500])

    probe()
