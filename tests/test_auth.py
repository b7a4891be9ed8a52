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
    # maria manages L01: her home is her line, today (tests/test_saved_views.py)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/lines/L01?start=")
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
    assert resp.headers["Location"].startswith("/lines/L01?")  # her home, never off-site


def test_logout_is_a_post_with_the_csrf_token(client):
    login(client)
    token = _csrf(client, "/logout")  # GET only asks: still signed in
    assert client.get("/").status_code == 200
    resp = client.post("/logout", data={"csrf_token": "forged"})
    assert resp.status_code == 400 and "still signed in" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 200
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def _components(node):
    """Every component of a serialised Dash layout, depth first."""
    if isinstance(node, list):
        for child in node:
            yield from _components(child)
    elif isinstance(node, dict) and "props" in node:
        yield node
        yield from _components(node["props"].get("children"))


def test_the_navbar_signs_out_with_a_form_carrying_the_token(client):
    login(client)
    layout = client.get("/_dash-layout").get_json()
    form = next(c for c in _components(layout) if c["type"] == "Form")
    assert (form["props"]["action"], form["props"]["method"]) == ("/logout", "post")
    button = form["props"]["children"]
    assert button["type"] == "Button" and button["props"]["type"] == "submit"
    assert button["props"]["name"] == "csrf_token"
    assert client.post("/logout", data={"csrf_token": button["props"]["value"]}).status_code == 302
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


# --- hardening: headers, cookies, idle sessions, address throttling ---------------------------------

def test_security_headers_on_pages_api_and_login(client):
    login(client)
    for path in ("/", "/login", "/api/v1/production", "/api/health", "/_dash-layout"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-eval'" not in script_src and "'unsafe-inline'" not in script_src


def test_csp_allows_exactly_the_inline_scripts_dash_serves(client):
    """Every inline <script> of the Dash page has its hash in the policy (else it would not run)."""
    import base64
    import hashlib
    login(client)
    resp = client.get("/")
    policy = resp.headers["Content-Security-Policy"]
    page = re.sub(r"<!--.*?-->", "", resp.get_data(as_text=True), flags=re.S)  # IE-only notes
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>",
                        page, flags=re.S)
    assert inline, "Dash serves at least its renderer inline"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_session_cookie_is_secure_over_https_only(client):
    plain = login(client).headers["Set-Cookie"]
    assert "Secure" not in plain
    https = client.post("/login", base_url="https://localhost", data={
        "username": "maria", "password": "correct-horse",
        "csrf_token": _csrf(client, "https://localhost/login")})
    assert "Secure" in https.headers["Set-Cookie"] and "HttpOnly" in https.headers["Set-Cookie"]


def test_idle_session_ends(client):
    import time as _time
    login(client)
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] = _time.time() - 119 * 60  # default SESSION_IDLE_MIN is 120
    assert client.get("/").status_code == 200  # still within the idle time, and seen again now
    with client.session_transaction() as sess:
        sess["seen"] = _time.time() - 121 * 60
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert client.get("/_dash-layout").status_code == 401  # the session is gone, not only paused


def test_failed_sign_ins_from_one_address_are_throttled(client):
    from auth.gate import MAX_UNKNOWN_NAMES_PER_ADDRESS as MAX_FAILURES_PER_ADDRESS
    for i in range(MAX_FAILURES_PER_ADDRESS):  # different names, one address
        assert login(client, username=f"guess-{i}", password="wrong-password").status_code == 401
    assert login(client).status_code == 429


def test_disabled_user_is_signed_out_at_once(sqlite_url, client):
    from sqlalchemy import update
    from data import db, schema
    login(client)
    assert client.get("/").status_code == 200
    with db.get_engine(sqlite_url).begin() as conn:
        conn.execute(update(schema.users).values(active=False))
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/production").status_code == 401


def test_revoked_token_stops_working_at_once(sqlite_url, client):
    from data import db
    with db.get_engine(sqlite_url).begin() as conn:
        token = users.create_token(conn, users.get_user_by_name(conn, "maria"))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/production", headers=auth).status_code == 200
    with db.get_engine(sqlite_url).begin() as conn:
        from sqlalchemy import select
        from data import schema
        token_id = conn.execute(select(schema.api_tokens.c.id)).scalar()
        assert users.revoke_token(conn, token_id)
    resp = client.get("/api/v1/production", headers=auth)
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


# --- API errors and health ------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, status, code", [
    ("get", "/api/v1/nothing-here", 404, "not_found"),
    ("get", "/api/nothing", 404, "not_found"),
    ("delete", "/api/v1/production", 405, "method_not_allowed"),
    ("get", "/api/v1/production?start=2026-02-30", 400, "bad_filter"),
    ("get", "/api/v1/production?group_by=colour", 400, "bad_group_by"),
    ("get", "/api/v1/wip?at=yesterday-ish", 400, "bad_timestamp"),
])
def test_api_errors_have_one_format(client, method, path, status, code):
    login(client)
    resp = getattr(client, method)(path)
    assert resp.status_code == status
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]


def test_health_reports_database_cache_and_version(client):
    from version import __version__
    body = client.get("/api/health").get_json()
    assert body == {"status": "ok", "version": __version__,
                    "components": {"database": "ok", "cache": "ok"}}
    assert client.get("/api/health/live").status_code == 200
    assert client.get("/api/health/ready").get_json() == {"status": "ok", "database": "ok"}


def test_ready_is_503_when_the_database_is_unreachable(sqlite_url, make_app):
    from data import db
    from core.context import EXTENSION_KEY
    app = make_app(sqlite_url)
    ctx = app.server.extensions[EXTENSION_KEY]
    # a PostgreSQL server that is not there (port 1 refuses at once)
    ctx.engine = db.get_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none")
    client = app.server.test_client()
    resp = client.get("/api/health/ready")
    assert resp.status_code == 503 and resp.get_json()["database"] == "unreachable"
    health = client.get("/api/health")
    assert health.status_code == 503
    assert health.get_json()["components"]["database"] == "unreachable"
    assert client.get("/api/health/live").status_code == 200  # the process itself is alive


def test_a_refused_callback_leaves_the_sign_in_form_working(client):
    """A Dash request answered 401 after the sign-in page was served writes no cookie, so it
    cannot replace the form's CSRF token (the browser then fails to sign in as 'expired')."""
    token = _csrf(client)
    resp = client.post("/_dash-update-component", json={})
    assert resp.status_code == 401 and "Set-Cookie" not in resp.headers
    resp = client.post("/login", data={"username": "maria", "password": "correct-horse",
                                       "csrf_token": token})
    assert resp.status_code == 302
