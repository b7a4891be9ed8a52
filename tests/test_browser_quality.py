"""End to end in headless Chromium: Quality, Downtime and Trends open, a Pareto bar drills.

Numbers come from tests/factories.quality_downtime (worked out by hand there).
"""
from __future__ import annotations

import pytest
from dash.testing.wait import until as wait_until
from selenium.webdriver.common.action_chains import ActionChains

from auth import users
from data import db
from tests.browser import serve_signed_in
from tests.factories import quality_downtime, small_plant

RANGE = "start=2026-03-02&end=2026-03-02"


@pytest.fixture
def signed_in(dash_duo, sqlite_url, make_app):
    engine = db.get_engine(sqlite_url)
    small_plant(engine)
    quality_downtime(engine)
    with engine.begin() as conn:
        users.create_user(conn, "plant", "plant-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "plant", "plant-password")
    return dash_duo, base


def _click_bar(duo, graph_id: str, index: int) -> None:
    """Hover, then click, the index-th bar of a Plotly bar chart, as a user does."""
    wait_until(lambda: len(duo.find_elements(f"#{graph_id} .barlayer .point path")) > index,
               timeout=10)
    bar = duo.find_elements(f"#{graph_id} .barlayer .point path")[index]
    ActionChains(duo.driver).move_to_element(bar).pause(0.2).click().perform()


def test_quality_pareto_bar_drills_to_its_defects(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/quality?{RANGE}")
    # plant: 41 defects in 300 checked -> DHU 13.7; FPY 270 / 300 = 90 %
    duo.wait_for_contains_text("#quality-summary", "13.7", timeout=15)
    duo.wait_for_contains_text("#quality-summary", "90.0 %")
    duo.wait_for_contains_text("#quality-drill", "Click a bar")
    _click_bar(duo, "quality-pareto-reason", 0)  # Broken stitch: DF1 (20) and DF3 (5)
    duo.wait_for_contains_text("#quality-drill-title", "Broken stitch", timeout=10)
    duo.wait_for_contains_text("#quality-drill-title", "25 defects in 2 records")
    wait_until(lambda: len(duo.find_elements(
        "#quality-drill-grid .ag-center-cols-container .ag-row")) == 2, timeout=10)
    _click_bar(duo, "quality-pareto-operation", 1)  # Hemming: DF2 (10) and DF3 (5)
    duo.wait_for_contains_text("#quality-drill-title", "Hemming", timeout=10)
    duo.wait_for_contains_text("#quality-drill-title", "15 defects")
    assert "start=2026-03-02" in duo.driver.current_url
    assert duo.get_logs() == []


def test_downtime_page_pareto_drills_to_reasons(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/downtime?{RANGE}")
    # seen from today BD3 is still open: 16:00 -> 08:00 the next morning is 960 min in the
    # window; plus 30 + 24 (clipped) + 60 = 1,074 min in 4 stops; one machine down now
    duo.wait_for_text_to_equal("#downtime-summary-downtime", "1,074 min", timeout=15)
    duo.wait_for_text_to_equal("#downtime-summary-stops", "4")
    duo.wait_for_text_to_equal("#downtime-summary-down-now", "1")
    duo.wait_for_contains_text("#downtime-oee-definition", "availability × performance")
    duo.wait_for_contains_text("#downtime-drill-title", "Machine breakdown")  # the top bar
    _click_bar(duo, "downtime-pareto-category", 1)
    duo.wait_for_contains_text("#downtime-drill-title", "Style changeover", timeout=10)
    duo.wait_for_element("#downtime-reasons-graph .main-svg")
    wait_until(lambda: len(duo.find_elements(
        "#downtime-pm-grid .ag-center-cols-container .ag-row")) == 4, timeout=10)
    assert duo.get_logs() == []


def test_trends_page_opens_with_every_series(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/trends?{RANGE}")
    for key in ("output", "efficiency_pct", "dhu", "downtime_min"):
        duo.wait_for_element(f"#trend-{key} .main-svg", timeout=15)
    duo.wait_for_element("#trends-lines-grid .ag-row", timeout=10)
    assert duo.get_logs() == []


def test_empty_selection_explains_itself(signed_in):
    duo, base = signed_in
    for page in ("quality", "downtime"):
        duo.driver.get(f"{base}/{page}?start=2025-01-01&end=2025-01-07")
        duo.wait_for_contains_text(f"#{page}-content", "No data for this selection", timeout=15)
    assert duo.get_logs() == []
