"""Orders in headless Chromium (dash_duo): the page opens with the hand-worked numbers of
tests/order_plant.py, a line filter narrows it, and an order drills to its line's output."""
from __future__ import annotations

import pytest
from dash.testing.wait import until as wait_until
from selenium.webdriver.common.by import By
from sqlalchemy import select

from auth import users
from data import db, schema
from core.context import Context
from tests.browser import choose, serve_signed_in
from tests.order_plant import NOW, order_plant

A = schema.audit_log
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


STATUS = "#orders-grid .ag-center-cols-container .ag-row[row-id='{}'] [col-id='status_label']"
ROW_BUTTONS = "#orders-grid .ag-pinned-right-cols-container .ag-row[row-id='{}'] button"
BUTTON = "#orders-grid .ag-pinned-right-cols-container .ag-row[row-id='{}'] " \
         "button[data-action='{}']"


def _click(duo, selector):
    button = duo.wait_for_element(selector, timeout=10)
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()


def test_a_plant_head_starts_and_completes_an_order(signed_in, sqlite_url):
    """WO-B (released, L02) is started, then completed: the row, the cards and the message follow;
    a cancel asks first, and "keep them" cancels nothing."""
    duo, base = signed_in
    duo.driver.get(f"{base}/orders?{RANGE}")
    duo.wait_for_text_to_equal("#kpi-open_orders", "4", timeout=15)
    duo.wait_for_text_to_equal(STATUS.format("WO-B"), "Released", timeout=10)
    # a released order offers start and cancel, nothing else
    actions = duo.find_elements(ROW_BUTTONS.format("WO-B"))
    assert [b.get_attribute("data-action") for b in actions] == ["start", "cancel"]

    _click(duo, BUTTON.format("WO-B", "start"))
    duo.wait_for_text_to_equal(STATUS.format("WO-B"), "In progress", timeout=15)
    duo.wait_for_contains_text("#orders-action-result", "WO-B: started", timeout=10)
    assert "Start: 1 done" in duo.find_element("#orders-action-result").text

    _click(duo, BUTTON.format("WO-B", "complete"))
    duo.wait_for_text_to_equal("#kpi-open_orders", "3", timeout=15)  # off the open orders
    wait_until(lambda: not duo.find_elements(STATUS.format("WO-B")), timeout=10)
    duo.wait_for_contains_text("#orders-action-result", "WO-B: completed", timeout=10)

    # cancel asks first; keeping the order changes nothing
    _click(duo, BUTTON.format("WO-G", "cancel"))
    duo.wait_for_contains_text("#orders-confirm-text", "Cancel WO-G?", timeout=10)
    duo.find_element("#orders-confirm-no").click()
    duo.wait_for_contains_text("#orders-action-result", "Nothing was cancelled", timeout=10)
    assert duo.find_element(STATUS.format("WO-G")).text == "Draft"
    assert duo.get_logs() == []
    with db.get_engine(sqlite_url).connect() as conn:
        moves = conn.execute(select(A.c.username, A.c.wo_number, A.c.status_before,
                                    A.c.status_after).order_by(A.c.id)).all()
    assert [tuple(m) for m in moves] == [("plant", "WO-B", "RELEASED", "IN_PROGRESS"),
                                         ("plant", "WO-B", "IN_PROGRESS", "COMPLETED")]
