"""FloorPulse: create_app(settings) -> Dash. `python app.py` serves; Flask CLI commands live here.

    python app.py                      # http://127.0.0.1:8050, demo data on first start
    flask --app app init-db | seed-demo | import DIR | create-user | create-token
"""
from __future__ import annotations

import logging
import os

import dash
import dash_bootstrap_components as dbc
import diskcache
from dash import _callback, html

import commands
from api.routes import bp as api_blueprint
from auth.gate import init_auth, request_user
from auth.security import init_security
from components import export, filter_bar, ids, server_grid
from components.jobs import ThreadJobManager
from data import db
from ingest import rollups
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
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(["Floor", html.Span("Pulse", className="brand-accent")], href="/",
                        className="brand"),
        dbc.Nav(links, navbar=True, className="me-auto"),
        html.Div([html.Span(f"{user.username} · {user.role.replace('_', ' ')}",
                            className="user-badge") if user else None,
                  html.A("Sign out", href="/logout", className="signout-link", id="logout-link")],
                 className="d-flex align-items-center gap-3"),
    ], fluid=True), color="dark", dark=True, className="mb-3 app-navbar")


def _layout():
    return html.Div([
        _navbar(),
        dbc.Container(dash.page_container, fluid=True, className="app-body"),
    ])


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    ctx = Context.create(settings)
    db.create_schema(ctx.engine)

    # Callbacks from an app that was built but never served must not leak into this one.
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()

    app = dash.Dash(
        __name__, use_pages=True, pages_folder=str(BASE_DIR / "pages"),
        assets_folder=str(BASE_DIR / "assets"), suppress_callback_exceptions=True,
        # login.css and the TV board's tv.css / tv.js belong to pages Dash does not serve
        title="FloorPulse", update_title=None, serve_locally=True,
        assets_ignore=r"login\.css|^tv\.",
        # long work (the admin page's reload) runs in a server thread (components/jobs.ThreadJobManager); progress via diskcache
        background_callback_manager=ThreadJobManager(
            diskcache.Cache(os.path.join(settings.cache_dir, "jobs"))),
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
    export.register_callbacks(app)
    server_grid.register_callbacks(app)
    commands.register(server)
    return app


def _maybe_load_demo(settings: Settings) -> None:
    """First start on an empty database loads the demo plant (DEMO_DATA=0 starts empty)."""
    engine = db.get_engine(settings.database_url)
    db.create_schema(engine)
    with engine.connect() as conn:
        empty = not db.has_data(conn)
    if empty and settings.demo_data:
        from demo import load as demo
        log.info("empty database: loading demo data (DEMO_DATA=0 to start empty)")
        demo.load_demo(engine, plant_tz=settings.plant_tz, rules=rollups.rules_of(settings))
    with engine.begin() as conn:
        commands.ensure_demo_user(conn, log, demo=settings.demo_data)


def _configure_logging() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


_configure_logging()
app = create_app()
server = app.server

if __name__ == "__main__":
    _settings = Settings.from_env()
    _maybe_load_demo(_settings)
    log.info("FloorPulse on http://%s:%s", _settings.host, _settings.port)
    app.run(host=_settings.host, port=_settings.port, debug=False)
