"""Live refresh of the analytics pages in headless Chromium (SPEC section 11).

The Overview of a window that includes today asks every LIVE_REFRESH_S seconds (2 here) whether
the data moved; a count arriving through the importer shows without a reload, and a zoomed chart
keeps its zoom. A window in the past does not poll and says no "as of".
Numbers: tests/live_plant.py (all six lines: 300 + 315 + 235 + 300 + 275 + 295 = 1,720).
"""
from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from dash.testing.wait import until

from app import create_app
from auth import users
from data import db
from settings import Settings
from tests.browser import serve_signed_in
from tests.live_plant import PLANT_TZ, live_plant, post_count

SHOTS = os.environ.get("SCREENSHOT_DIR")
RANGE_JS = "return document.querySelector('#daily-graph .js-plotly-plot').layout.yaxis.range"


def _plant_today():
    return datetime.now(ZoneInfo(PLANT_TZ)).date()


@pytest.fixture
def live(request, dash_duo, sqlite_url, tmp_path):
    engine = db.get_engine(sqlite_url)
    start = live_plant(engine, getattr(request, "param", None))
    with engine.begin() as conn:
        users.create_user(conn, "head", "long-password", role="plant_head")
    app = create_app(Settings(database_url=sqlite_url, cache_dir=str(tmp_path / "cache"),
                              testing=True, secret_key="x", demo_data=False, plant_tz=PLANT_TZ,
                              live_refresh_s=2))
    base = serve_signed_in(dash_duo, app, "head", "long-password")
    dash_duo.driver.set_window_size(1600, 1100)
    return dash_duo, base, engine, start


def test_a_page_showing_today_follows_the_data_and_keeps_its_zoom(live, tmp_path):
    duo, base, engine, start = live
    duo.driver.get(f"{base}/?start={start.date()}&end={_plant_today()}")
    duo.wait_for_text_to_equal("#kpi-output", "1,720 pcs", timeout=20)
    duo.wait_for_contains_text("#overview-as-of", "as of", timeout=10)
    duo.wait_for_element("#daily-graph .main-svg", timeout=10)
    # a person zooms the daily chart, and the page is not reloaded from here on
    duo.driver.execute_script(
        "Plotly.relayout(document.querySelector('#daily-graph .js-plotly-plot'),"
        " {'yaxis.range': [0, 5000]}); window.__sameDocument = true;")
    assert duo.driver.execute_script(RANGE_JS) == [0, 5000]

    post_count(engine, tmp_path, start, "L01", 3, 40)  # the running hour: 40 so far
    duo.wait_for_text_to_equal("#kpi-output", "1,760 pcs", timeout=15)
    assert duo.driver.execute_script("return window.__sameDocument === true")
    assert duo.driver.execute_script(RANGE_JS) == [0, 5000]  # the zoom survived the refresh
    if SHOTS:
        duo.driver.save_screenshot(os.path.join(SHOTS, "overview-live.png"))
    assert duo.get_logs() == []


def test_a_past_window_does_not_poll(live):
    duo, base, _engine, _start = live
    duo.driver.get(f"{base}/?start=2026-01-05&end=2026-01-11")
    duo.wait_for_element("#overview-content > *", timeout=20)
    assert duo.find_element("#overview-as-of").text == ""
    # and choosing "Today" makes the same page live
    duo.find_element("button[id*='\"range\":\"today\"']").click()
    duo.wait_for_contains_text("#overview-as-of", "as of", timeout=10)
    assert duo.get_logs() == []


# twenty lines: the league grid shows twelve rows and scrolls
TWENTY = {f"L{i:02d}": (100, 100, 100) for i in range(1, 21)}
VIEWPORT = "document.querySelector('#league-grid .ag-body-viewport')"


@pytest.mark.parametrize("live", [TWENTY], indirect=True)
def test_a_scrolled_grid_stays_where_it_was(live, tmp_path):
    duo, base, engine, start = live
    duo.driver.get(f"{base}/?start={start.date()}&end={_plant_today()}")
    duo.wait_for_text_to_equal("#kpi-output", "6,000 pcs", timeout=20)
    duo.wait_for_element("#league-grid .ag-row", timeout=10)
    duo.driver.execute_script(f"{VIEWPORT}.scrollTop = 200;")
    until(lambda: duo.driver.execute_script(f"return {VIEWPORT}.scrollTop") == 200, timeout=5)
    post_count(engine, tmp_path, start, "L01", 3, 40)
    duo.wait_for_text_to_equal("#kpi-output", "6,040 pcs", timeout=15)
    until(lambda: duo.driver.execute_script(f"return {VIEWPORT}.scrollTop") == 200, timeout=5)
    assert duo.get_logs() == []
