"""Browser-facing hardening: session cookies, idle timeout, security headers.

- The session cookie is HttpOnly and SameSite=Lax always, and Secure whenever the request came
  over HTTPS (or SESSION_COOKIE_SECURE=1 forces it): one setting works for a laptop demo on
  http://127.0.0.1 and for a deployment behind TLS.
- A signed-in session ends after SESSION_IDLE_MIN minutes without a request: the gate checks the
  last-seen time kept in the (signed) session, and the cookie itself expires as well.
- Every response carries a Content-Security-Policy that Dash works with: scripts only from this
  site plus the hashes of Dash's own inline scripts (`app.csp_hashes()`), no eval; styles may be
  inline because plotly and React set them; nothing may frame the app.
"""
from __future__ import annotations

import io
import time
from datetime import timedelta

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

SEEN_KEY = "seen"
# The last-seen time is rewritten at most this often, so most responses keep the same cookie.
SEEN_RESOLUTION_S = 30


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return forced or (has_request_context() and request.is_secure)

    def save_session(self, app: Flask, session, response) -> None:
        # A refused background request (a Dash callback answering 401 after the session ended)
        # must not write a cookie: arriving after the sign-in page's, it would replace the form's
        # CSRF token and the next sign-in would fail as "expired".
        if response.status_code == 401 and request.path.startswith(("/_dash-", "/api/")):
            return
        super().save_session(app, session, response)


def csp(script_hashes: list[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_security(app, settings) -> None:
    """Cookies, idle timeout and headers for the Dash app `app` (its Flask server)."""
    server: Flask = app.server
    if settings.trust_proxy:  # behind a TLS-terminating proxy: believe its X-Forwarded-*
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_min),
        # the cookie is rewritten when the session changes (signing in, or the last-seen time
        # moving on every SEEN_RESOLUTION_S), not on every response
        SESSION_REFRESH_EACH_REQUEST=False,
        # every request body is capped, chunked ones too (werkzeug stops reading at the cap)
        MAX_CONTENT_LENGTH=settings.max_body_mb * 1024 * 1024,
    )

    @server.before_request
    def cap_streamed_body():
        """A chunked body has no length up front, and werkzeug would cut it silently at the cap
        (a truncated batch then reads as bad JSON): read up to one byte past the cap here, answer
        413 when it is longer, else hand the request the body it had."""
        env = request.environ
        if request.content_length is not None or not env.get("wsgi.input_terminated"):
            return None
        cap = server.config["MAX_CONTENT_LENGTH"]
        body = env["wsgi.input"].read(cap + 1)
        if len(body) > cap:
            return too_large(None)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        env.pop("wsgi.input_terminated", None)
        request.__dict__.pop("stream", None)  # werkzeug caches the stream it made
        return None

    @server.errorhandler(413)
    def too_large(_err):
        message = f"The request body is over {settings.max_body_mb} MB; nothing was stored."
        if request.path.startswith(("/api/", "/_dash-")):
            return {"error": {"code": "payload_too_large", "message": message,
                              "details": {"max_mb": settings.max_body_mb}}}, 413
        return message, 413

    @server.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", csp(app.csp_hashes()))
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def session_idle_expired(idle_min: int) -> bool:
    """True when this signed-in session has been idle too long; else marks it as seen now."""
    now = time.time()
    seen = session.get(SEEN_KEY)
    if seen is not None and now - float(seen) > idle_min * 60:
        return True
    if seen is None or now - float(seen) > SEEN_RESOLUTION_S:
        session[SEEN_KEY] = now
        session.permanent = True
    return False


def mark_signed_in() -> None:
    session[SEEN_KEY] = time.time()
    session.permanent = True
