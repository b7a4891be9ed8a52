"""Orders in headless Chromium (dash_duo): the page opens with the hand-worked numbers of
tests/order_plant.py, a line filter narrows it, and an order drills to its line's output."""
from __future__ import annotations

import pytest
from dash.testing.wait import until as wait_until
from selenium.webdriver.common.by import By

from auth import users
from data import db
from core.context import Context
from tests.browser import choose, serve_signed_in
from tests.order_plant import NOW, order_plant

RANGE = "start=2026-02-23&end=2026-03-04"
ROWS = "#orders-grid .ag-center-cols-container .ag-row"
ORDER = "#orders-grid .ag-pinned-left-cols-container .ag-row[row-index='{}'] [col-id='order']"


@pytest.fixture
def signed_in(dash_duo, sqlite_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)  # the server runs in this process
    order_plant(db.get_engine(sqlite_url))
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "plant", "plant-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "plant", "plant-password")
    return dash_duo, base


def test_orders_page_opens_filters_and_drills_to_the_line(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/orders?{RANGE}")
    duo.wait_for_text_to_equal("#kpi-open_orders", "4", timeout=15)
    duo.wait_for_text_to_equal("#kpi-orders_late", "1")
    duo.wait_for_text_to_equal("#kpi-orders_at_risk", "1")
    duo.wait_for_text_to_equal("#kpi-on_time_pct", "50.0 %")
    duo.wait_for_element("#orders-timeline .main-svg", timeout=10)
    duo.wait_for_element("#on-time-graph .main-svg", timeout=10)
    wait_until(lambda: len(duo.find_elements(ROWS)) == 4, timeout=10)
    # late first, then at risk
    assert duo.find_element(ORDER.format(0)).text == "WO-C"
    assert duo.find_element(ORDER.format(1)).text == "WO-A"

    choose(duo, "filter-lines", "L01")
    duo.wait_for_text_to_equal("#kpi-open_orders", "2", timeout=10)
    wait_until(lambda: len(duo.find_elements(ROWS)) == 2, timeout=10)
    assert "line=L01" in duo.driver.current_url

    link = duo.find_element(ORDER.format(0) + " a")
    assert link.text == "WO-A"
    # Bootstrap scrolls smoothly: jump instead, or the click lands mid-scroll
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
    link.click()
    wait_until(lambda: "/lines/L01" in duo.driver.current_url, timeout=10)
    assert "style=S1" in duo.driver.current_url and "start=2026-03-02" in duo.driver.current_url
    duo.wait_for_text_to_equal(".page-title", "Line L01", timeout=10)
    duo.wait_for_element("#lines-summary", timeout=10)
    assert duo.find_element("#page-lines").is_displayed()
    assert duo.get_logs() == []


def test_overview_shows_orders_at_risk(signed_in):
    duo, base = signed_in
    duo.driver.get(f"{base}/?{RANGE}")
    duo.wait_for_text_to_equal("#kpi-orders_at_risk", "2", timeout=15)
    card = duo.find_element("#kpi-orders_at_risk").find_element(By.XPATH, "..")
    assert "1 late · 4 open now" in card.text
    assert duo.get_logs() == []
