"""The Workforce page's callbacks called directly: content, drill, heat-map click, exports."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import timedelta

import pytest
from dash import no_update
from flask_login import login_user

from auth import users
from components.export import EXPORTS
from components.page import render_content
from data import db
from ingest.attendance import process_attendance
from core.context import current
from core.filters import Filters
from tests.attendance_plant import NOW, attendance_plant
from tests.factories import D

WEEK = (str(D), str(D + timedelta(days=4)), [], [], [])


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=str)


@pytest.fixture
def page(sqlite_url, make_app):
    engine = db.get_engine(sqlite_url)
    attendance_plant(engine)
    process_attendance(engine, NOW)
    app = make_app(sqlite_url)
    with engine.begin() as conn:
        head = users.create_user(conn, "head", "plant-head-pw", role="plant_head")
        manager = users.create_user(conn, "lm", "line-manager-pw", role="line_manager",
                                    lines=("L02",))

    @contextmanager
    def as_user(user):
        with app.server.test_request_context("/"):
            login_user(user)
            yield
    yield sys.modules["pages.workforce"], as_user, head, manager


def test_content_shows_the_summary_and_every_card(page):
    workforce, as_user, head, _ = page
    with as_user(head):
        content, alert, is_open = render_content("workforce", workforce.build, WEEK, first=False)
    text = _text(content)
    assert alert is None and is_open is False
    for expected in ("54.2 %", "workforce-heatmap", "workforce-groups", "workforce-unmatched",
                     "Absent days", "of them without any punch"):
        assert expected in text


def test_empty_window_says_how_attendance_is_made(page):
    workforce, as_user, head, _ = page
    with as_user(head):
        content, _, _ = render_content("workforce", workforce.build,
                                       ("2025-01-01", "2025-01-07", [], [], []), first=False)
    assert "process-attendance" in _text(content)


def test_drill_for_an_employee_and_outside_the_scope(page):
    workforce, as_user, head, manager = page
    with as_user(head):
        assert "Choose an employee" in _text(workforce.drill_content(None, WEEK))
        text = _text(workforce.drill_content("E002", WEEK))
        assert "Bina" in text and "50.0 %" in text  # (1 P + 0.5 HD) / 3 scheduled
        bad = _text(workforce.drill_content("E002", ("2026-03-09", "2026-03-01", [], [], [])))
        assert "before the start date" in bad
    with as_user(manager):  # E002 works on L01: not theirs
        assert "No employee 'E002' you may see" in _text(workforce.drill_content("E002", WEEK))
        assert "Chandra" in _text(workforce.drill_content("E003", WEEK))


def test_a_heatmap_click_picks_the_row_employee(page):
    workforce, *_ = page
    # rows are labelled "name · emp_code" (a name may itself hold the separator)
    assert workforce.drill_from_heatmap({"points": [{"y": "Chandra · E003"}]}) == "E003"
    assert workforce.drill_from_heatmap({"points": [{"y": "A · B · E004"}]}) == "E004"
    assert workforce.drill_from_heatmap(None) is no_update


def test_exports_give_the_data_behind_each_card(page):
    _workforce, as_user, head, _ = page
    filters = Filters(start=D, end=D + timedelta(days=4))
    with as_user(head):
        ctx = current()
        groups = EXPORTS["workforce-groups"](ctx, filters, None)
        assert set(groups["by"]) == {"Line", "Department", "Shift"}
        assert groups.set_index(["by", "group"]).loc[("Line", "L02"), "attendance_pct"] == 40.0
        assert len(EXPORTS["workforce-unmatched"](ctx, filters, None)) == 1
        assert len(EXPORTS["workforce-daily"](ctx, filters, None)) == 5
        assert len(EXPORTS["workforce-heatmap"](ctx, filters, None)) == 19
