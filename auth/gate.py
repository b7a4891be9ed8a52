"""Sign-in: flask-login, the login form, and the before_request gate in front of everything.

Every page, every Dash route (/_dash-layout, /_dash-update-component, ...) and every /api/v1 route
needs a signed-in user or a valid bearer token; only the login form, the health checks and static
assets answer without one, and so do the API's description (/api/openapi.json)
and its docs page (/api/docs). API and Dash XHR routes answer 401; pages redirect to /login.

The floor TV signs in with its link: `/tv?key=<kiosk token>` (and the board's data endpoint) is
admitted with no person signed in. A kiosk token opens nothing else: sent as a bearer token to any
other route it is refused with 403, and `key=` anywhere else is not read at all.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from flask import Flask, g, jsonify, redirect, render_template_string, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from auth import saved_views, security, users
from core.context import current

PUBLIC_PATHS = frozenset({"/login", "/api/health", "/api/health/live", "/api/health/ready",
                          "/api/openapi.json", "/api/docs", "/favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/api/docs/")
XHR_PREFIXES = ("/api/", "/_dash-", "/_reload-hash", "/_favicon", "/tv/")
# The TV board and its data endpoint: the only routes a kiosk token opens.
KIOSK_PATHS = frozenset({"/tv", "/tv/data"})

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · FloorPulse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/login.css"></head>
<body><main class="login-card">
<h1>Floor<span>Pulse</span></h1><p class="sub">Sign in to see how the floor is doing.</p>
{% if error %}<div class="error" role="alert">{{ error }}</div>{% endif %}
<form method="post" action="{{ action }}">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" value="{{ username }}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-button">Sign in</button>
</form></main></body></html>"""


FORBIDDEN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not allowed · FloorPulse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/login.css"></head>
<body><main class="login-card">
<h1>Floor<span>Pulse</span></h1>
<div class="error" role="alert">Your role may not open this page.</div>
<p class="sub"><a href="/">Back to the overview</a> · <a href="/logout">Sign in as someone else</a></p>
</main></body></html>"""


# Sign-out is a POST with the session's CSRF token (a link or an image elsewhere cannot sign a
# user out); GET /logout, an old bookmark, asks first.
LOGOUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out · FloorPulse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/login.css"></head>
<body><main class="login-card">
<h1>Floor<span>Pulse</span></h1>
{% if error %}<div class="error" role="alert">{{ error }}</div>{% endif %}
<p class="sub">Sign out of FloorPulse?</p>
<form method="post" action="/logout">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<button type="submit" id="logout-button">Sign out</button>
</form>
<p class="sub"><a href="/">Back to the overview</a></p>
</main></body></html>"""


# A TV whose key is wrong or revoked: a plain notice, never a sign-in form nobody at the screen
# could fill in. The board's script shows the same words when its data answers 401.
KIOSK_INVALID_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FloorPulse TV</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/login.css"></head>
<body><main class="login-card">
<h1>Floor<span>Pulse</span></h1>
<div class="error" role="alert" id="kiosk-invalid">This screen's link is no longer valid.</div>
<p class="sub">Ask an admin for a new TV link (a kiosk token on the Admin page).</p>
</main></body></html>"""
KIOSK_INVALID_MESSAGE = "This screen's link is no longer valid."


# The sign-in throttle, counted in the shared cache so every worker sees the same numbers:
# - failures of one user name from one address: 8 in 15 minutes, then 429 for that pair only, so
#   somebody guessing elsewhere cannot lock a user out, and colleagues behind the same proxy
#   are not locked out with them; a successful sign-in and an admin's password reset clear it;
# - failures for user names that do not exist, from one address: 20, then that address is
#   refused (guessing names); typing one's own password wrong never counts here.
MAX_FAILURES_PER_USER = 8
MAX_UNKNOWN_NAMES_PER_ADDRESS = 20
FAILURE_WINDOW_S = 15 * 60


def _name(username: str | None) -> str:
    return (username or "").strip().lower()


def _user_key(cache, username: str) -> tuple:
    # the user's generation in the key: a password reset moves it, forgetting every address's count
    generation = cache.get(("login-gen", _name(username))) or 0
    return ("login-fail", _name(username), generation, request.remote_addr or "?")


def _address_key() -> tuple:
    return ("login-fail-unknown", request.remote_addr or "?")


def _too_many_failures(username: str) -> bool:
    cache = current().cache
    return ((cache.get(_user_key(cache, username)) or 0) >= MAX_FAILURES_PER_USER
            or (cache.get(_address_key()) or 0) >= MAX_UNKNOWN_NAMES_PER_ADDRESS)


def _record_failure(username: str, known_user: bool) -> None:
    cache = current().cache
    key = _user_key(cache, username) if known_user else _address_key()
    cache.add(key, 0, expire=FAILURE_WINDOW_S)
    cache.incr(key)


def clear_failures(cache, username: str) -> None:
    """Forget a user's failed sign-ins from every address (an admin reset their password)."""
    key = ("login-gen", _name(username))
    cache.add(key, 0, expire=FAILURE_WINDOW_S * 2)
    cache.incr(key)


def csrf_token() -> str:
    """The session's token that the sign-in and sign-out forms send back (made on first use)."""
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(24)
    return token


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if (parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7f for c in target)):
        return "/"  # a CR/LF would split the Location header; a backslash reads as // in browsers
    return target


def _after_sign_in(user, target: str | None) -> str:
    """Where a sign-in lands: the page asked for, or, when none was (or only the plant
    Overview, where everyone starts), the user's home (auth/saved_views.py home_path)."""
    wanted = _safe_next(target)
    return saved_views.home_path(user, current().today()) if wanted == "/" else wanted


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _bearer_user():
    token = _bearer_token()
    if token is None:
        return None
    with current().engine.begin() as conn:
        return users.user_for_token(conn, token)


def request_user():
    """The user behind this request: the bearer token's, else the session's; None if neither."""
    if "fp_user" in g:
        return g.fp_user
    user = _bearer_user()
    if user is None and current_user.is_authenticated:
        user = current_user._get_current_object()
    if user is not None and not user.active:  # disabled since signing in: out at once
        user = None
    g.fp_user = user
    return user


# Dash callbacks whose output ids start with a prefix here answer only to the roles named:
# the admin page's callbacks (and its background reload) are refused before they run.
CALLBACK_ROLES: dict[str, tuple[str, ...]] = {}


def restrict_callbacks(prefix: str, roles: tuple[str, ...]) -> None:
    CALLBACK_ROLES[prefix] = tuple(roles)


def _output_ids(body) -> list[str]:
    outputs = body.get("outputs") if isinstance(body, dict) else None
    outputs = outputs if isinstance(outputs, list) else [outputs]
    found = []
    for out in outputs:
        items = out if isinstance(out, list) else [out]  # pattern-matching ALL gives lists
        for item in items:
            cid = item.get("id") if isinstance(item, dict) else None
            if isinstance(cid, dict):
                cid = cid.get("type")
            if isinstance(cid, str):
                found.append(cid)
    return found


def _roles_needed() -> tuple[str, ...] | None:
    """The roles this request needs beyond being signed in (None: any signed-in user)."""
    path = request.path
    if path == "/_dash-update-component" and CALLBACK_ROLES:
        body = request.get_json(silent=True) or {}
        # Dash finds the callback by the "output" string and shapes the answer by "outputs":
        # both are checked, so neither can smuggle a restricted callback past the other.
        key = body.get("output") if isinstance(body, dict) else None
        key = key if isinstance(key, str) else ""
        for prefix, roles in CALLBACK_ROLES.items():
            if prefix in key or any(cid.startswith(prefix) for cid in _output_ids(body)):
                return roles
        return None
    import dash  # the page registry: pages registered with roles=(...) are theirs alone
    for page in dash.page_registry.values():
        roles, page_path = page.get("roles"), page.get("path")
        if roles and page_path and (path == page_path or path.startswith(page_path + "/")):
            return tuple(roles)
    return None


def kiosk_user():
    """The user of a valid kiosk token in `?key=`, or None (wrong, revoked, or another purpose:
    a read or ingest token never travels in a URL)."""
    with current().engine.begin() as conn:
        user = users.user_for_token(conn, request.args.get("key", ""))
    return user if user is not None and user.is_kiosk else None


def kiosk_invalid_response():
    if request.path.startswith(XHR_PREFIXES):
        return jsonify({"error": {"code": "kiosk_key_invalid", "message": KIOSK_INVALID_MESSAGE,
                                  "details": {}}}), 401
    return render_template_string(KIOSK_INVALID_PAGE), 401


def kiosk_forbidden_response():
    message = "A kiosk token opens only the TV board (/tv)."
    if request.path.startswith(XHR_PREFIXES):
        return jsonify({"error": {"code": "kiosk_only", "message": message, "details": {}}}), 403
    return render_template_string(FORBIDDEN_PAGE), 403


SESSION_GEN_KEY = "gen"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"


def _cookie_write_without_proof() -> bool:
    """A write to the API or a Dash route that rides on the session cookie must be JSON (a plain
    form on another page of the same site cannot send that) or carry the session's CSRF token in
    a header. Bearer-token clients are not at risk: a browser never adds the token by itself."""
    if request.method not in UNSAFE_METHODS or not request.path.startswith(("/api/", "/_dash-")):
        return False
    if request.routing_exception is not None or request.endpoint == "api.not_found":
        return False  # no such route or method: that answer comes first
    if _bearer_token() is not None or request.is_json:
        return False
    sent = request.headers.get(CSRF_HEADER, "")
    return not (sent and hmac.compare_digest(sent, session.get("csrf_token", "")))


def _json_required_response():
    return jsonify({"error": {
        "code": "json_required",
        "message": "Writes with a browser session must be JSON (Content-Type: application/json) "
                   f"or carry the {CSRF_HEADER} header.", "details": {}}}), 415


def forbidden_response():
    if request.path.startswith(XHR_PREFIXES):
        return jsonify({"error": {"code": "forbidden", "message": "Your role may not do this.",
                                  "details": {}}}), 403
    return render_template_string(FORBIDDEN_PAGE), 403


def unauthorized_response():
    path = request.path
    if path.startswith(XHR_PREFIXES):
        return jsonify({"error": {"code": "unauthorized", "message": "Sign in or send a valid "
                                  "bearer token.", "details": {}}}), 401
    return redirect(url_for("login", next=request.full_path.rstrip("?")))


def init_auth(server: Flask) -> None:
    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def load_user(user_id):
        with current().engine.connect() as conn:
            user = users.get_user(conn, user_id)
        # a cookie signed before the user signed out or changed password is not a session
        if user is None or session.get(SESSION_GEN_KEY, 0) != user.session_gen:
            return None
        return user

    @server.before_request
    def gate():
        if request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIXES):
            return None
        if request.path in KIOSK_PATHS and "key" in request.args:
            user = kiosk_user()
            if user is None:
                return kiosk_invalid_response()
            g.fp_user = user  # this request only: no session is made for a screen
            return None
        if _bearer_token() is None and current_user.is_authenticated and \
                security.session_idle_expired(current().settings.session_idle_min):
            logout_user()
            session.clear()
            return unauthorized_response()
        user = request_user()
        if user is None:
            return unauthorized_response()
        if user.is_kiosk and request.path not in KIOSK_PATHS:
            return kiosk_forbidden_response()
        if _cookie_write_without_proof():
            return _json_required_response()
        roles = _roles_needed()
        if roles is not None and user.role not in roles:
            return forbidden_response()
        return None

    @server.route("/login", methods=["GET", "POST"])
    def login():
        error, username, status = None, "", 200
        if request.method == "POST":
            username = request.form.get("username", "")
            sent = request.form.get("csrf_token", "")
            if not hmac.compare_digest(sent, session.get("csrf_token", "")):
                error, status = "Your sign-in form expired; please try again.", 400
            elif _too_many_failures(username):
                error, status = ("Too many failed sign-ins. Wait 15 minutes and try again, or "
                                 "ask an admin to reset your password."), 429
            else:
                with current().engine.connect() as conn:
                    user = users.authenticate(conn, username, request.form.get("password", ""))
                if user is None:
                    with current().engine.connect() as conn:
                        known = users.get_user_by_name(conn, username) is not None
                    _record_failure(username, known)
                    error, status = "Unknown user name or wrong password.", 401
                else:
                    current().cache.delete(_user_key(current().cache, username))
                    session.pop("csrf_token", None)
                    session[SESSION_GEN_KEY] = user.session_gen
                    login_user(user)
                    security.mark_signed_in()
                    return redirect(_after_sign_in(user, request.args.get("next")))
        return render_template_string(LOGIN_PAGE, error=error, username=username,
                                      csrf_token=csrf_token(), action=request.full_path), status

    @server.route("/home")
    def home():
        """The signed-in user's home (the brand link): a line manager's line today, by hour."""
        return redirect(saved_views.home_path(request_user(), current().today()))

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        if request.method == "GET":
            return render_template_string(LOGOUT_PAGE, error=None, csrf_token=csrf_token())
        if not hmac.compare_digest(request.form.get("csrf_token", ""),
                                   session.get("csrf_token", "")):
            return render_template_string(
                LOGOUT_PAGE, error="Your sign-out form expired; you are still signed in.",
                csrf_token=csrf_token()), 400
        if current_user.is_authenticated:
            with current().engine.begin() as conn:
                users.end_sessions(conn, current_user.id)  # a copied cookie dies with this one
        logout_user()
        session.clear()
        return redirect(url_for("login"))
