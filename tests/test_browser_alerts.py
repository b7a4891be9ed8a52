"""Alerts in headless Chromium (CSP on, no console errors): the Overview's strip links to the page
that explains the alert, and the Admin page keeps rules (a bad one names its field) and
acknowledges an alert."""
from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from auth import users
from data import db, schema
from ingest import alerts as ia
from ingest.deliver import plant_now
from tests.browser import serve_signed_in
from tests.factories import small_plant


@pytest.fixture
def alert_app(tmp_path):
    from app import create_app
    from settings import Settings
    url = f"sqlite:///{tmp_path / 'test.db'}"
    settings = Settings(database_url=url, cache_dir=str(tmp_path / "cache"), testing=True,
                        secret_key="test-secret", demo_data=False)
    engine = db.get_engine(url)
    db.create_schema(engine)
    small_plant(engine)
    now = plant_now(settings)  # the real clock: the pages and the schedule use it
    with engine.begin() as conn:
        users.create_user(conn, "boss", "boss-password", role="admin")
        db.upsert(conn, schema.breakdowns, [{
            "breakdown_id": "BDX", "line_code": "L02", "machine_code": "L02-M01",
            "start_ts": now - timedelta(minutes=90), "end_ts": None, "date": now.date(),
            "shift_code": "A"}])
        ia.create_rule(conn, {"kind": "machine_down", "threshold": 60}, "boss", now)
    ia.evaluate_alerts(settings)
    return create_app(settings)


def test_overview_strip_links_to_the_explaining_page(dash_duo, alert_app):
    base = serve_signed_in(dash_duo, alert_app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/")
    dash_duo.wait_for_contains_text("#overview-alerts", "L02-M01", timeout=30)
    assert "1 alert firing" in dash_duo.find_element("#overview-alerts").text
    dash_duo.find_element("#overview-alerts a.alert-chip").click()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "/downtime" in d.current_url)
    assert "line=L02" in dash_duo.driver.current_url
    # the page has rendered (and its requests are over before the test server stops)
    dash_duo.wait_for_contains_text("#downtime-content", "MTTR", timeout=60)
    assert dash_duo.get_logs() == []


def _click(duo, element) -> None:
    """Click far down the long Admin page: scrolled to the middle of the window first, then
    clicked by the browser's own event (chromedriver's computed point misses in the inner
    scroll container)."""
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    duo.driver.execute_script("arguments[0].click();", element)


def test_admin_keeps_rules_and_acknowledges(dash_duo, alert_app):
    base = serve_signed_in(dash_duo, alert_app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/admin")
    dash_duo.wait_for_contains_text("#admin-alerts-grid", "L02-M01", timeout=30)
    threshold = dash_duo.find_element("#admin-rule-threshold")
    threshold.send_keys("-3")
    _click(dash_duo, dash_duo.find_element("#admin-rule-create"))
    dash_duo.wait_for_contains_text("#admin-rules-message", "threshold", timeout=20)
    threshold.clear()
    threshold.send_keys("85")
    _click(dash_duo, dash_duo.find_element("#admin-rule-create"))
    dash_duo.wait_for_contains_text("#admin-rules-message", "is kept", timeout=20)
    dash_duo.wait_for_contains_text("#admin-alert-rules-grid", "behind_target", timeout=20)

    cell = dash_duo.driver.find_element(
        By.XPATH, "//*[@id='admin-alerts-grid']//div[@col-id='subject' and "
                  "normalize-space()='L02-M01']")
    _click(dash_duo, cell)
    _click(dash_duo, dash_duo.find_element("#admin-alert-ack"))
    dash_duo.wait_for_contains_text("#admin-alerts-message", "acknowledged", timeout=20)
    dash_duo.wait_for_contains_text("#admin-alerts-grid", "boss", timeout=20)
    assert dash_duo.get_logs() == []
