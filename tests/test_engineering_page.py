"""The Engineering page's content and exports called directly (Vizro style), on the hand-made
plant of tests/engineering_plant.py: the dark corners a browser test would be slow to reach."""
from __future__ import annotations

import json

import pytest

from auth import users
from core.filters import Filters
from tests.engineering_plant import D1, LAST, engineering_plant


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), ensure_ascii=False,
                      default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


@pytest.fixture
def page(engine, database_url, make_app):
    engineering_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        token = users.create_token(conn, users.create_user(conn, "head", "long-password",
                                                           role="plant_head"))
    from core.context import current
    from pages import engineering
    with app.server.test_request_context("/engineering",
                                         headers={"Authorization": f"Bearer {token}"}):
        app.server.preprocess_request()
        yield engineering, current()


def test_a_line_without_plan_shows_dashes(page):
    engineering, ctx = page
    text = _text(engineering.build(ctx, Filters(start=D1, end=D1, lines=("E3",)), None))
    assert "No plan (working minutes and target)" in text
    assert "needs operations with operator-minutes" not in text  # E3 has minutes: no plan only
    assert '"Working hours"' in text and "—" in text


def test_a_window_without_output_shows_empty_states(page):
    engineering, ctx = page
    f = Filters(start=LAST.replace(year=2025), end=LAST.replace(year=2025), lines=("E1",))
    text = _text(engineering.build(ctx, f, None))
    assert "No operator output on this line in this window" in text
    assert "No style changeover on this line in this window" in text
    assert "no changeover in this window was followed to day 8" in text


def test_several_lines_selected_shows_the_first(page):
    engineering, ctx = page
    text = _text(engineering.build(ctx, Filters(start=D1, end=D1, lines=("E2", "E1")), None))
    assert "showing E1, the first of your selection" in text
    assert "bottleneck: O2" in text


def test_exports_follow_the_chosen_line(page):
    from components.export import EXPORTS
    engineering, ctx = page
    f = Filters(start=D1, end=LAST, lines=("E1",))
    balance = EXPORTS["engineering-operations"](ctx, f, None)
    assert set(balance["line_code"]) == {"E1"} and list(balance["operation"]) == ["O1", "O2",
                                                                                  "O3"]
    curve = EXPORTS["engineering-ramp"](ctx, f, None)
    assert list(curve["target_pct"].head(3)) == [50, 60, 70]
    changeovers = EXPORTS["engineering-changeovers"](ctx, f, None)
    assert list(changeovers["style_code"]) == ["S2"]
    # a line manager of E1 asking for E2 is shown E1 (the line scope), never E2
    scoped = EXPORTS["engineering-balance"](ctx, Filters(start=D1, end=D1, lines=("E2",)),
                                            ("E1",))
    assert set(scoped["line_code"]) == {"E1"}


def test_picking_a_line_sets_the_filter_bar(page):
    engineering, _ctx = page
    assert engineering.pick_line("E2") == ["E2"]
