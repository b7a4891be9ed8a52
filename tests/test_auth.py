"""Sign-in and the gate: nothing but login, health and static assets answers without a user."""
import re

import pytest

from auth import users


@pytest.fixture
def client(sqlite_url, make_app):
    from data import db
    app = make_app(sqlite_url)
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "maria", "correct-horse", role="line_manager", lines=("L01",))
    return app.server.test_client()


def _csrf(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username="maria", password="correct-horse"):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": _csrf(client)})


@pytest.mark.parametrize("path", ["/", "/lines", "/lines/L01", "/?start=2026-01-01", "/loginX",
                                  "/login/../lines"])
def test_pages_redirect_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method, path", [
    ("get", "/_dash-layout"), ("get", "/_dash-dependencies"),
    ("post", "/_dash-update-component"), ("get", "/api/v1/production"),
    ("get", "/api/v1/wip"), ("get", "/api/healthz"), ("get", "/_dash-component-suites/dash/dcc/dash_core_components.js"),
])
def test_dash_and_api_routes_answer_401_without_a_user(client, method, path):
    resp = getattr(client, method)(path)
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"


def test_bad_bearer_token_is_401(client):
    resp = client.get("/api/v1/production", headers={"Authorization": "Bearer fp_nope"})
    assert resp.status_code == 401


def test_login_then_pages_and_dash_routes_answer(client):
    resp = login(client)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/api/v1/production").status_code == 200


def test_wrong_password_is_refused_with_a_message(client):
    resp = login(client, password="wrong-password")
    assert resp.status_code == 401
    assert "wrong password" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    resp = client.post("/login", data={"username": "maria", "password": "correct-horse"})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client):
    token = _csrf(client)
    resp = client.post("/login?next=https://evil.example/", data={
        "username": "maria", "password": "correct-horse", "csrf_token": token})
    assert resp.headers["Location"] == "/"


def test_logout_ends_the_session(client):
    login(client)
    client.get("/logout")
    assert client.get("/").status_code == 302


def test_passwords_are_hashed(sqlite_url):
    from sqlalchemy import select
    from data import db, schema
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "ali", "s3cret-pass", role="viewer")
        stored = conn.execute(select(schema.users.c.password_hash)).scalar()
    assert "s3cret-pass" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_session_cookie_is_httponly_and_samesite(client):
    resp = login(client)
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cli_create_user_and_token(sqlite_url, make_app):
    app = make_app(sqlite_url)
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["create-user", "sam", "--role", "plant_head",
                                 "--password", "long-enough"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-token", "sam"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    client = app.server.test_client()
    resp = client.get("/api/v1/production", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    result = runner.invoke(args=["create-user", "sam", "--role", "boss", "--password", "x" * 9])
    assert result.exit_code != 0


def test_repeated_failed_sign_ins_for_a_user_are_throttled(client):
    from auth.gate import MAX_FAILURES_PER_USER
    for _ in range(MAX_FAILURES_PER_USER):
        assert login(client, password="wrong-password").status_code == 401
    resp = login(client)  # even the right password waits now
    assert resp.status_code == 429
    assert "Too many failed sign-ins" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # another user from elsewhere is not locked out by maria's failures
    other = login(client, username="someone-else", password="whatever-else")
    assert other.status_code == 401


def test_disabled_user_cannot_sign_in(sqlite_url, client):
    from sqlalchemy import update
    from data import db, schema
    with db.get_engine(sqlite_url).begin() as conn:
        conn.execute(update(schema.users).values(active=False))
    assert login(client).status_code == 401
