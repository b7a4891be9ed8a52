"""FloorPulse: create_app(settings) -> Dash; importing this module builds nothing.

    python app.py                      # prepare the database, serve http://127.0.0.1:8050
    gunicorn wsgi:server               # wsgi.py builds the app once per worker
    flask --app app prepare | db upgrade | seed-demo | import DIR | create-user | create-token
"""
from __future__ import annotations

import logging
import os

import dash
import dash_bootstrap_components as dbc
import diskcache
from dash import html

import commands
from api.routes import bp as api_blueprint
from auth.gate import csrf_token, init_auth, request_user
from auth.security import init_security
from components import export, filter_bar, ids, server_grid
from components import callback_errors, page_export, saved_views
from components.callback_errors import on_callback_error
from components.jobs import ThreadJobManager, celery_app_for
from ingest import schedule
from core.context import EXTENSION_KEY, Context
from pages.tv import bp as tv_blueprint
from settings import BASE_DIR, Settings

log = logging.getLogger("floorpulse")

def nav_pages(user) -> list[tuple[str, str]]:
    """(path, name) of the pages in the navbar, by `order`: every page registered without
    `nav=False` and, when it names `roles`, only for users holding one of them."""
    pages = sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
    return [(p["path"], p["name"]) for p in pages
            if p.get("nav", True) and not p.get("path_template")
            and (not p.get("roles") or (user is not None and user.role in p["roles"]))]


def _navbar() -> dbc.Navbar:
    user = request_user()
    links = [dbc.NavItem(dbc.NavLink(label, href=path, id={"type": ids.NAV, "path": path},
                                     active="exact" if path == "/" else "partial"))
             for path, label in nav_pages(user)]
    # below the lg breakpoint the links fold behind the toggler (a phone shows one bar, not nine
    # stacked links); the theme button flips light/dark, kept per user (assets/theme.js)
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(["Floor", html.Span("Pulse", className="brand-accent")], href="/home",
                        external_link=True, className="brand"),  # the user's home
        html.Button("◐", id="theme-toggle", type="button", className="theme-toggle ms-auto me-2",
                    title="Dark or light theme", **{"aria-label": "Switch dark or light theme",
                                                    "data-user": user.username if user else ""}),
        dbc.NavbarToggler(id="navbar-toggler", className="navbar-toggler-sm"),
        dbc.Collapse([
            dbc.Nav(links, navbar=True, className="me-auto"),
            html.Div([saved_views.menu(user),
                      html.Span(f"{user.username} · {user.role.replace('_', ' ')}",
                                className="user-badge") if user else None,
                      # a form: sign-out is a POST carrying the session's CSRF token
                      # (auth/gate.py), sent as the button's own name and value
                      html.Form(html.Button("Sign out", type="submit", name="csrf_token",
                                            value=csrf_token(), className="signout-link",
                                            id="logout-link"),
                                action="/logout", method="post", className="signout-form")],
                     className="d-flex align-items-center gap-3 navbar-user"),
        ], id="navbar-collapse", is_open=False, navbar=True),
    ], fluid=True), color="dark", dark=True, expand="lg", className="mb-3 app-navbar")


def _layout():
    return html.Div([
        _navbar(),
        dbc.Container(dash.page_container, fluid=True, className="app-body"),
    ])


def _job_manager(settings: Settings):
    """Background callbacks: Celery workers when REDIS_URL is set (any machine may run them),
    else a thread of this server with progress in the local diskcache."""
    if settings.redis_url:
        if settings not in _celery_apps:
            _celery_apps[settings] = celery_app_for(settings)
        return dash.CeleryManager(_celery_apps[settings])
    return ThreadJobManager(diskcache.Cache(os.path.join(settings.cache_dir, "jobs")))


_celery_apps: dict[Settings, object] = {}


def create_app(settings: Settings | None = None, serve: bool = False) -> dash.Dash:
    """The Dash app on `settings` (default: the environment). It does not touch the schema:
    `flask --app app prepare`, wsgi.py or `python app.py` bring the database up to date.
    `serve`: this process serves requests (wsgi.py, `python app.py`), so it also runs the
    schedule when the settings say the web process runs it (not a CLI command, not a worker)."""
    settings = settings or Settings.from_env()
    ctx = Context.create(settings)
    app = dash.Dash(
        __name__, use_pages=True, pages_folder=str(BASE_DIR / "pages"),
        assets_folder=str(BASE_DIR / "assets"), suppress_callback_exceptions=True,
        # login.css and the TV board's tv.css / tv.js belong to pages Dash does not serve
        title="FloorPulse", update_title=None, serve_locally=True,
        assets_ignore=r"login\.css|^tv\.",
        on_error=on_callback_error,  # bad input from the browser: 400, never a 500
        # long work (the admin page's reload): a server thread, or Celery workers with REDIS_URL
        background_callback_manager=_job_manager(settings),
    )
    app.layout = _layout
    server = app.server
    server.config.update(
        SECRET_KEY=settings.secret_key, REMEMBER_COOKIE_HTTPONLY=True, TESTING=settings.testing,
    )
    init_security(app, settings)  # cookies (HttpOnly, SameSite, Secure on HTTPS), idle, headers
    server.extensions[EXTENSION_KEY] = ctx
    init_auth(server)
    server.register_blueprint(api_blueprint)
    server.register_blueprint(tv_blueprint)  # /tv: the floor TV board (not a Dash page)
    filter_bar.register_callbacks(app)
    # the navbar's toggler opens and closes the folded links (no server round trip)
    app.clientside_callback("function (n, open) { return n ? !open : open; }",
                            dash.Output("navbar-collapse", "is_open"),
                            dash.Input("navbar-toggler", "n_clicks"),
                            dash.State("navbar-collapse", "is_open"), prevent_initial_call=True)
    export.register_callbacks(app)
    callback_errors.register(server)
    server_grid.register_callbacks(app)
    saved_views.register_callbacks(app)
    page_export.register_callbacks(app)
    commands.register(server)
    if serve and settings.schedule_in_process:
        schedule.start_in_process(ctx.engine, settings)
    return app


def configure_logging() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic narrates every start at INFO; data.migrate logs the upgrades that happen
    logging.getLogger("alembic").setLevel(logging.WARNING)


def __getattr__(name: str):
    """Built on the first ask, never on import:
    - `application`: `flask --app app COMMAND` asks for it once it finds no Flask app in the
      module (Flask's own factory lookup wants create_app to return Flask; ours returns Dash);
    - `celery_app`: `celery -A app.celery_app worker|beat`, the Celery app of REDIS_URL, with
      the Dash app built so that its background callbacks are registered as tasks."""
    global application, celery_app
    if name == "application":
        configure_logging()
        application = create_app().server
        return application
    if name == "celery_app":
        configure_logging()
        settings = Settings.from_env()
        if not settings.redis_url:
            raise RuntimeError("celery needs REDIS_URL (the broker); without it the schedule "
                               "and background jobs run in the web process")
        create_app(settings)
        celery_app = _celery_apps[settings]
        return celery_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    configure_logging()
    _settings = Settings.from_env()
    commands.prepare(_settings)
    log.info("FloorPulse on http://%s:%s", _settings.host, _settings.port)
    create_app(_settings, serve=True).run(host=_settings.host, port=_settings.port, debug=False)
