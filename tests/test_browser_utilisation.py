"""dash_duo: the Utilisation page in headless Chromium shows the hand-worked numbers of
tests/camera_plant.py, draws the timeline, switches its day, and logs no console errors."""
from __future__ import annotations

import pytest

from auth import users
from data import db
from dash.testing.wait import until as wait_until

from selenium.webdriver.common.by import By

from tests.browser import serve_signed_in
from tests.camera_plant import CAMERA_EVENTS, camera_plant

# one more event the day before D: W3 working 09:00 (its last: 30 min at the cap)
DAY_BEFORE = {"ts": "2026-03-01T09:00:00", "emp_code": "W3", "station_code": "ST3",
              "event_type": "working"}

RANGE = "start=2026-03-01&end=2026-03-02"


@pytest.fixture
def signed_in(dash_duo, sqlite_url, make_app):
    engine = db.get_engine(sqlite_url)
    camera_plant(engine, CAMERA_EVENTS + [DAY_BEFORE])
    with engine.begin() as conn:
        users.create_user(conn, "plant", "plant-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "plant", "plant-password")
    return dash_duo, base


def test_utilisation_page_shows_workers_stations_and_the_timeline(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/utilisation?{RANGE}")
    # plant: 170 + 30 working / 280 + 30 working + idle = 64.5 %, 28 units
    duo.wait_for_text_to_equal("#utilisation-utilisation", "64.5 %", timeout=20)
    duo.wait_for_text_to_equal("#utilisation-units", "28")
    duo.wait_for_element("#utilisation-timeline-graph .main-svg", timeout=10)
    duo.wait_for_element("#utilisation-workers-grid .ag-row", timeout=10)
    assert len(duo.find_elements(
        "#utilisation-workers-grid .ag-center-cols-container .ag-row")) == 3
    assert len(duo.find_elements(
        "#utilisation-stations-grid .ag-center-cols-container .ag-row")) == 3
    # the lowest first: Mita (W2) at 50 %
    duo.wait_for_text_to_equal(
        "#utilisation-workers-grid .ag-center-cols-container .ag-row[row-index='0'] "
        "[col-id='utilisation_pct']", "50.0 %")
    # the timeline shows the last day; the day before has only Joya (W3)
    duo.wait_for_contains_text("#utilisation-timeline", "Mita", timeout=10)
    duo.find_element("#utilisation-day").click()
    # a single-select Dash 4 dropdown: options are rows with a hidden radio input
    duo.driver.find_element(By.XPATH, "//*[contains(@class, 'dash-dropdown-option')]"
                                      "[contains(., 'Sun 01 Mar 2026')]").click()
    wait_until(lambda: "Mita" not in duo.find_element("#utilisation-timeline").text, timeout=10)
    assert "Joya" in duo.find_element("#utilisation-timeline").text
    # the overview card: D alone, 170 / 280 = 60.7 %
    duo.driver.get(f"{base}/?start=2026-03-02&end=2026-03-02")
    duo.wait_for_text_to_equal("#kpi-utilisation_pct", "60.7 %", timeout=20)
    assert duo.get_logs() == []


def test_a_day_without_events_shows_the_empty_state(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/utilisation?start=2026-02-01&end=2026-02-02")
    duo.wait_for_contains_text("#utilisation-content", "No camera events", timeout=20)
    assert duo.get_logs() == []
