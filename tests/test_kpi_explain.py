"""Every KPI card explains itself and leads to its detail (issue 19 item 3): the words on the
card are reports/kpis.py EXPLAIN, the README's "KPI cards" table says the same, and the card
links to the page that shows its detail with the same filters (DHU -> /quality)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from flask_login import login_user

from auth import users
from components.page import render_content
from reports.kpis import EXPLAIN
from tests.factories import D, small_plant

README = Path(__file__).resolve().parent.parent / "README.md"
DAY = D.isoformat()


def _nodes(node):
    yield node
    kids = getattr(node, "children", None)
    if kids is None or isinstance(kids, (str, int, float)):
        return
    for kid in kids if isinstance(kids, (list, tuple)) else [kids]:
        yield from _nodes(kid)


def _text(node) -> str:
    return json.dumps(node.to_plotly_json(), ensure_ascii=False, default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


def test_the_readme_says_what_the_cards_say():
    text = README.read_text()
    for key, why in EXPLAIN.items():
        row = next((line for line in text.splitlines() if f"(`{key}`)" in line), None)
        assert row is not None, f"README has no KPI row for {key}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:4] == [why.definition, why.formula, f"`{why.page}`"], key


@pytest.fixture
def rendered(database_url, engine, make_app):
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        head = users.create_user(conn, "head", "head-password", role="plant_head")

    def render(lines=()):
        with app.server.test_request_context("/"):
            login_user(head)
            content, alert, _open = render_content(
                "overview", sys.modules["pages.overview"].build, (DAY, DAY, list(lines), [], []), first=False)
        assert alert is None
        return {n.id: n for n in _nodes(content) if isinstance(getattr(n, "id", None), str)}
    return render


def test_every_overview_card_explains_itself_and_links_to_its_detail(rendered):
    by_id = rendered()
    keys = [k for k in EXPLAIN if f"kpi-{k}" in by_id]
    assert len(keys) == 10  # every Overview card (reports/overview.py CARDS)
    for key in keys:
        why = EXPLAIN[key]
        words = _text(by_id[f"explain-kpi-{key}"])
        assert why.definition in words and why.formula in words, key
        assert by_id[f"explain-kpi-{key}"].target == f"info-kpi-{key}"
        href = by_id[f"link-kpi-{key}"].href
        assert href == f"{why.page}?start={DAY}&end={DAY}", key
    assert by_id["link-kpi-dhu"].href == f"/quality?start={DAY}&end={DAY}"
    assert by_id["link-kpi-attendance_pct"].href.startswith("/workforce?")
    # a coloured measure says its thresholds in words
    assert "Colour:" in _text(by_id["explain-kpi-achievement_pct"])


def test_one_line_selected_leads_to_that_lines_page(rendered):
    by_id = rendered(["L01"])
    assert by_id["link-kpi-output"].href == f"/lines/L01?start={DAY}&end={DAY}&line=L01"
    assert by_id["link-kpi-dhu"].href == f"/quality?start={DAY}&end={DAY}&line=L01"

