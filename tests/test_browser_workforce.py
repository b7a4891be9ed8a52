"""Workforce in headless Chromium: open the page, read the numbers, drill to one employee.

Numbers from tests/attendance_plant.py (worked out by hand there).
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from dash.testing.wait import until as wait_until

from auth import users
from data import db
from ingest.attendance import process_attendance
from tests.attendance_plant import NOW, attendance_plant
from selenium.webdriver.common.keys import Keys

from tests.browser import serve_signed_in
from tests.factories import D

RANGE = f"start={D}&end={D + timedelta(days=4)}"
SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def signed_in(dash_duo, sqlite_url, make_app):
    engine = db.get_engine(sqlite_url)
    attendance_plant(engine)
    process_attendance(engine, NOW)
    with engine.begin() as conn:
        users.create_user(conn, "hr", "hr-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "hr", "hr-password")
    return dash_duo, base


def test_workforce_page_and_drill_to_an_employee(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/workforce?{RANGE}")
    # (6 P + 0.5 x 1 HD) / 12 scheduled days = 54.2 %
    duo.wait_for_contains_text("#workforce-summary", "54.2 %", timeout=15)
    # 5 absent days, 4 of them without any punch (each its own figure, no "5 (4)")
    duo.wait_for_contains_text("#workforce-summary", "ABSENT DAYS5")
    duo.wait_for_contains_text("#workforce-summary", "WITHOUT ANY PUNCH4")
    for graph in ("#workforce-trend-graph", "#workforce-lines-graph", "#workforce-heatmap"):
        duo.wait_for_element(f"{graph} .main-svg", timeout=10)
    duo.wait_for_contains_text("#workforce-unmatched", "E003", timeout=10)
    if SHOTS:
        duo.driver.save_screenshot(os.path.join(SHOTS, "workforce.png"))
    # drill: pick the employee, as a user does
    picker = duo.find_element("#workforce-emp")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});"
                              "arguments[0].click()", picker)
    duo.find_element(".dash-dropdown-search").send_keys("E002")
    duo.find_element(".dash-dropdown-search").send_keys(Keys.ENTER)
    duo.wait_for_contains_text("#workforce-drill-heading", "Bina", timeout=15)
    # E002: HD, A (missing OUT), P on 3 scheduled days -> (1 + 0.5) / 3 = 50 %
    duo.wait_for_contains_text("#workforce-drill-summary", "50.0 %", timeout=10)
    duo.wait_for_element("#workforce-days .ag-row", timeout=10)
    wait_until(lambda: len(duo.find_elements(
        "#workforce-days .ag-center-cols-container .ag-row")) == 5, timeout=10)
    wait_until(lambda: len(duo.find_elements(
        "#workforce-punches .ag-center-cols-container .ag-row")) == 6, timeout=10)
    # a link with ?emp= opens the same drill
    duo.driver.get(f"{base}/workforce?{RANGE}&emp=E001")
    duo.wait_for_contains_text("#workforce-drill-heading", "Asha", timeout=15)
    assert duo.get_logs() == []


def test_overview_shows_the_attendance_card(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/?{RANGE}")
    duo.wait_for_text_to_equal("#kpi-attendance_pct", "54.2 %", timeout=15)
    assert duo.get_logs() == []
