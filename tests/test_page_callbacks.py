"""Page content callbacks called directly (the Vizro way): filters in, content or a message out."""
import sys

import pytest
from dash import no_update
from flask_login import login_user

from auth import users
from components.page import render_content
from data import db
from tests.factories import small_plant

DAY = ("2026-03-02", "2026-03-02")


@pytest.fixture
def page_env(sqlite_url, make_app):
    small_plant(db.get_engine(sqlite_url))
    app = make_app(sqlite_url)
    with db.get_engine(sqlite_url).begin() as conn:
        user = users.create_user(conn, "lm", "line-manager-pw", role="line_manager",
                                 lines=("L02",))
    with app.server.test_request_context("/"):
        login_user(user)
        yield sys.modules["pages.overview"], sys.modules["pages.lines"]


def _texts(component) -> str:
    import json
    return json.dumps(component.to_plotly_json(), default=str)


def test_overview_renders_for_good_filters(page_env):
    overview, _ = page_env
    content, alert, is_open = render_content("overview", overview.build, (*DAY, [], [], []),
                                             first=False)
    assert alert is None and is_open is False
    assert "300 pcs" in _texts(content)  # the line manager sees only L02


def test_end_before_start_changes_nothing_and_says_why(page_env):
    overview, _ = page_env
    content, alert, is_open = render_content(
        "overview", overview.build, ("2026-03-05", "2026-03-01", [], [], []), first=False)
    assert content is no_update and is_open is True
    assert "before the start date" in alert


def test_another_line_than_the_scope_is_refused(page_env):
    _, lines = page_env
    content, alert, is_open = render_content("lines", lines.build, (*DAY, ["L01"], [], []),
                                             first=False)
    assert content is no_update and "access to line L01" in alert


def test_first_render_keeps_the_layouts_message(page_env):
    overview, _ = page_env
    content, alert, is_open = render_content("overview", overview.build, (*DAY, [], [], []),
                                             first=True)
    assert alert is no_update and is_open is no_update and content is not no_update


def test_a_failing_build_is_logged_and_explained(page_env, caplog):
    def broken(ctx, filters, scope):
        raise RuntimeError("boom")
    content, alert, is_open = render_content("overview", broken, (*DAY, [], [], []),
                                             first=False)
    assert "Something went wrong on our side" in alert and is_open
    assert "page overview failed" in caplog.text
