"""Engineering in headless Chromium (dash_duo): the page opens on line E1 of
tests/engineering_plant.py with SPEC 15's example, and picking line E2 redraws the balance."""
from __future__ import annotations

import pytest
from dash.testing.wait import until as wait_until

from auth import users
from data import db
from selenium.webdriver.common.by import By

from tests.browser import serve_signed_in
from tests.engineering_plant import D1, LAST, engineering_plant

BARS = "#engineering-balance-graph .barlayer .point"


def pick(duo, dropdown_id: str, value: str) -> None:
    """Pick an option of a single-value dropdown the way a user does: click, type, click it
    (the filter bar's dropdown has a search box of its own earlier on the page)."""
    duo.find_element(f"#{dropdown_id}").click()
    wait_until(lambda: [e for e in duo.find_elements(".dash-dropdown-search")
                        if e.is_displayed()], timeout=5)
    search = [e for e in duo.find_elements(".dash-dropdown-search") if e.is_displayed()][0]
    search.send_keys(value)
    option = duo.find_element(f'input.dash-options-list-option-checkbox[value="{value}"]')
    option.find_element(By.XPATH, "ancestor::label[1]").click()


@pytest.fixture
def signed_in(dash_duo, sqlite_url, make_app):
    engineering_plant(db.get_engine(sqlite_url))
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "head", "head-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "head", "head-password")
    return dash_duo, base


def test_engineering_page_changes_line(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/engineering?start={D1}&end={D1}&line=E1")
    duo.wait_for_contains_text(
        "#engineering-reading", "bottleneck: O2, 83 % of target; its operators would make "
        "60/h at standard against 60/h: a pace gap", timeout=15)
    duo.wait_for_element("#engineering-balance-graph .main-svg", timeout=10)
    wait_until(lambda: len(duo.find_elements(BARS)) == 3, timeout=10)
    assert "70.0 %" in duo.find_element("#engineering-lbe").text  # LBE with its formula
    assert "3.50 / (5.0 × 1.00)" in duo.find_element("#engineering-lbe").text

    pick(duo, "engineering-line", "E2")
    # E2: one operation, 100 pieces in 8 h against 60 an hour
    duo.wait_for_contains_text("#engineering-reading", "bottleneck: O1, 21 % of target",
                               timeout=10)
    wait_until(lambda: len(duo.find_elements(BARS)) == 1, timeout=10)
    assert "line=E2" in duo.driver.current_url  # the picker drives the filter bar and URL
    assert duo.get_logs() == []


def test_engineering_page_shows_the_learning_curve_and_ramp(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/engineering?start={D1}&end={LAST}&line=E1")
    duo.wait_for_element("#engineering-learning-graph .main-svg", timeout=15)
    duo.wait_for_contains_text(
        "#engineering-ramp", "day 1 50 %, day 2 60 %, day 3 70 %, day 4 80 %, day 5 85 %, "
        "day 6 90 %, day 7 90 %, day 8 95 %, full target from day 9", timeout=10)
    summary = duo.find_element("#engineering-summary").text
    assert "STEADY EFFICIENCY97.5 %" in summary.upper() and "DAYS TO 90 %6" in summary.upper()
    assert duo.get_logs() == []


def test_the_lines_page_links_to_engineering(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/lines?start={D1}&end={D1}&line=E2")
    link = duo.wait_for_element("#lines-engineering-link", timeout=15)
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
    link.click()
    wait_until(lambda: "/engineering" in duo.driver.current_url, timeout=10)
    duo.wait_for_contains_text("#engineering-reading", "bottleneck: O1, 21 % of target",
                               timeout=15)
    assert "line=E2" in duo.driver.current_url
    assert duo.get_logs() == []
