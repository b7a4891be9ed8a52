"""End to end in headless Chromium (dash_duo): sign in, open Overview and Lines, change a filter.

Numbers come from tests/factories.py (worked out by hand there).
"""
from __future__ import annotations

import os

import pytest
from dash.testing.wait import until as wait_until
from pathlib import Path

from auth import users
from data import db
from tests.browser import choose, serve_signed_in
from tests.factories import small_plant

RANGE = "start=2026-03-02&end=2026-03-02"
SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def signed_in(dash_duo, sqlite_url, make_app):
    small_plant(db.get_engine(sqlite_url))
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "plant", "plant-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "plant", "plant-password")
    return dash_duo, base


def _shot(duo, name):
    if SHOTS:
        duo.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))





def test_overview_shows_kpis_and_a_filter_changes_them(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/?{RANGE}")
    duo.wait_for_text_to_equal("#kpi-output", "1,900 pcs", timeout=15)
    duo.wait_for_text_to_equal("#kpi-achievement_pct", "79.2 %")
    duo.wait_for_text_to_equal("#kpi-efficiency_pct", "48.8 %")
    duo.wait_for_element("#league-grid .ag-row", timeout=10)
    _shot(duo, "overview")
    assert len(duo.find_elements("#league-grid .ag-center-cols-container .ag-row")) == 2
    choose(duo, "filter-lines", "L02")
    duo.wait_for_text_to_equal("#kpi-output", "300 pcs", timeout=10)
    duo.wait_for_text_to_equal("#kpi-achievement_pct", "75.0 %")
    # the league table follows the filter: one line left
    wait_until(lambda: len(duo.find_elements(
        "#league-grid .ag-center-cols-container .ag-row")) == 1, timeout=10)
    assert "line=L02" in duo.driver.current_url  # the selection lives in the URL
    assert duo.get_logs() == []


def test_csv_export_downloads_the_chart_data(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/?{RANGE}")
    duo.wait_for_element("#league-grid .ag-row", timeout=15)
    duo.find_element('[id*="overview-league"][id*="export-button"][id*="csv"]').click()
    path = Path(duo.download_path)
    wait_until(lambda: any(path.glob("floorpulse-overview-league-*.csv")), timeout=10)
    csv = next(path.glob("floorpulse-overview-league-*.csv")).read_text()
    header, *rows = csv.strip().splitlines()
    # headers in words, numbers as the page rounds them
    assert header.startswith("Line,Name,Output,Target,Achievement %") and len(rows) == 2
    assert rows[0].startswith("L01,Line 1,1600,2000,80.0")
    assert duo.get_logs() == []


def test_lines_page_for_one_line(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/lines/L01?{RANGE}")
    duo.wait_for_contains_text("#lines-summary", "1,600 pcs", timeout=15)
    duo.wait_for_contains_text("#lines-summary", "57.1 %")
    for graph in ("#hourly-graph", "#cumulative-graph", "#efficiency-graph", "#wip-graph"):
        duo.wait_for_element(f"{graph} .main-svg", timeout=10)
    _shot(duo, "lines")
    assert duo.get_logs() == []


def test_bad_filter_in_url_gets_a_message(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/?start=2026-03-05&end=2026-03-01")
    duo.wait_for_contains_text("#overview-alert", "before the start date", timeout=15)
    duo.driver.get(f"{base}/lines/L99?{RANGE}")
    duo.wait_for_contains_text("#lines-alert", "Unknown line code 'L99'", timeout=15)
    # the unknown line is left out and the page still shows the plant
    duo.wait_for_contains_text("#lines-summary", "1,900 pcs", timeout=15)
    assert duo.get_logs() == []


def test_empty_selection_shows_empty_state(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/?start=2025-01-01&end=2025-01-07")
    duo.wait_for_contains_text("#overview-content", "No data for this selection", timeout=15)
    duo.wait_for_text_to_equal("#kpi-output", "0 pcs")
    duo.wait_for_text_to_equal("#kpi-achievement_pct", "—")
    assert duo.get_logs() == []


def test_sign_out_from_the_navbar(signed_in):
    """The navbar's Sign out is a form: clicking it posts the session's token and lands on the
    sign-in page; the pages ask for a sign-in again."""
    duo, base = signed_in
    duo.driver.get(f"{base}/?{RANGE}")
    duo.wait_for_text_to_equal("#kpi-output", "1,900 pcs", timeout=15)
    duo.find_element("#logout-link").click()
    duo.wait_for_element("#login-button", timeout=10)
    assert duo.driver.current_url.split("?")[0].endswith("/login")
    duo.driver.get(base + "/")
    duo.wait_for_element("#login-button", timeout=10)
