"""Sign-in: flask-login, the login form, and the before_request gate in front of everything.

Every page, every Dash route (/_dash-layout, /_dash-update-component, ...) and every /api/v1 route
needs a signed-in user or a valid bearer token; only the login form, the health checks and static
assets answer without one. API and Dash XHR routes answer 401; pages redirect to /login.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from flask import Flask, g, jsonify, redirect, render_template_string, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from auth import users
from reports.context import current

PUBLIC_PATHS = frozenset({"/login", "/api/health", "/api/health/live", "/api/health/ready",
                          "/favicon.ico"})
PUBLIC_PREFIXES = ("/assets/",)
XHR_PREFIXES = ("/api/", "/_dash-", "/_reload-hash", "/_favicon")

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


# Failed sign-ins allowed per window, per client address and per user name, before 429.
MAX_FAILURES_PER_ADDRESS = 20
MAX_FAILURES_PER_USER = 8
FAILURE_WINDOW_S = 15 * 60


def _failure_keys(username: str) -> list[tuple[tuple, int]]:
    return [(("login-fail-ip", request.remote_addr or "?"), MAX_FAILURES_PER_ADDRESS),
            (("login-fail-user", (username or "").strip().lower()), MAX_FAILURES_PER_USER)]


def _too_many_failures(username: str) -> bool:
    cache = current().cache
    return any((cache.get(key) or 0) >= limit for key, limit in _failure_keys(username))


def _record_failure(username: str) -> None:
    """Counted in the shared cache, so every worker process sees the same numbers."""
    cache = current().cache
    for key, _limit in _failure_keys(username):
        cache.add(key, 0, expire=FAILURE_WINDOW_S)
        cache.incr(key)


def _csrf_token() -> str:
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(24)
    return token


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _bearer_user():
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    with current().engine.begin() as conn:
        return users.user_for_token(conn, header[7:].strip())


def request_user():
    """The user behind this request: the bearer token's, else the session's; None if neither."""
    if "fp_user" in g:
        return g.fp_user
    user = _bearer_user()
    if user is None and current_user.is_authenticated:
        user = current_user._get_current_object()
    g.fp_user = user
    return user


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
            return users.get_user(conn, user_id)

    @server.before_request
    def gate():
        if request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIXES):
            return None
        if request_user() is None:
            return unauthorized_response()
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
                    _record_failure(username)
                    error, status = "Unknown user name or wrong password.", 401
                else:
                    session.pop("csrf_token", None)
                    login_user(user)
                    return redirect(_safe_next(request.args.get("next")))
        return render_template_string(LOGIN_PAGE, error=error, username=username,
                                      csrf_token=_csrf_token(), action=request.full_path), status

    @server.route("/logout")
    def logout():
        logout_user()
        session.clear()
        return redirect(url_for("login"))
