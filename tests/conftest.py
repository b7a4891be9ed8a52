"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set) and Chromium.

Under CI=true, TEST_DATABASE_URL must be set and reachable: the PostgreSQL half of the suite never
skips silently there.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from data import db, schema
from core.context import Context
from settings import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_available() -> str | None:
    """Return None when usable, else the reason it is not."""
    if not TEST_DATABASE_URL:
        return "TEST_DATABASE_URL is not set"
    try:
        with db.get_engine(TEST_DATABASE_URL).connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"TEST_DATABASE_URL is not reachable: {exc}"
    return None


def pytest_sessionstart(session):
    if IN_CI:
        reason = _postgres_available()
        if reason:
            raise pytest.UsageError(f"CI=true needs PostgreSQL for the tests: {reason}")


def _reset(engine) -> None:
    db.create_schema(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in schema.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        else:
            for table in reversed(schema.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database with the schema created, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        db.create_schema(db.get_engine(url))
        return url
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    _reset(db.get_engine(TEST_DATABASE_URL))
    return TEST_DATABASE_URL


@pytest.fixture
def make_ctx(database_url, tmp_path):
    """A report context on the test database, with settings overridden by keyword."""
    def build(**settings):
        s = Settings(database_url=database_url, cache_dir=str(tmp_path / "cache"), testing=True,
                     secret_key="x", demo_data=False, **settings)
        return Context.create(s)
    return build


@pytest.fixture
def engine(database_url):
    return db.get_engine(database_url)


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'test.db'}"
    db.create_schema(db.get_engine(url))
    return url


def pytest_setup_options():
    """Selenium options for dash_duo: Debian's headless Chromium (DESIGN.md, Testing)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    return options


def _forget_dash_callbacks() -> None:
    """Dash keeps the callbacks declared with dash.callback (every page's) in module globals
    until an app serves its first request; each create_app declares them again. An app a test
    built but never served must not leave its set to the next app (duplicate callbacks)."""
    from dash import _callback
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()


@pytest.fixture(autouse=True)
def fresh_dash_callbacks():
    _forget_dash_callbacks()
    yield


@pytest.fixture
def make_app(tmp_path):
    """Build the Dash app on a given database with a private cache."""
    def build(url):
        from app import create_app
        from settings import Settings
        _forget_dash_callbacks()
        settings = Settings(database_url=url, cache_dir=str(tmp_path / "cache"), testing=True,
                            secret_key="test-secret", demo_data=False)
        return create_app(settings)
    return build


@pytest.fixture
def api_client(engine, database_url, make_app):
    """A test client plus an admin bearer token, on each backend, with the small plant loaded."""
    from auth import users
    from tests.factories import small_plant

    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        admin = users.create_user(conn, "admin", "admin-password", role="admin")
        token = users.create_token(conn, admin)
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client
