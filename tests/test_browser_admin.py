"""The admin page in headless Chromium, with the Content-Security-Policy on: the background
reload shows its progress and its outcome, a bad CSV folder shows every error and changes
nothing, and nobody but an admin gets in. Every test ends with no console errors, so a CSP
violation (an inline script or eval Dash needs) would fail it."""
from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from auth import users
from data import db
from tests.browser import grid_rows, serve_signed_in
from tests.factories import small_plant
from tests.test_importer import GOOD, write_folder

BAD_PRODUCTION = ("date,shift_code,line_code,hour,style_code,stage,qty\n"
                  "2026-13-01,A,L01,8,S1,output,5\n"
                  "2026-03-02,A,L01,8,S1,output,-1\n")


@pytest.fixture
def admin_app(tmp_path):
    from app import create_app
    from settings import Settings
    url = f"sqlite:///{tmp_path / 'test.db'}"
    data_dir = tmp_path / "data"
    write_folder(data_dir / "good", GOOD)
    write_folder(data_dir / "bad", GOOD, production_csv=BAD_PRODUCTION)
    engine = db.get_engine(url)
    db.create_schema(engine)
    small_plant(engine)
    with engine.begin() as conn:
        users.create_user(conn, "boss", "boss-password", role="admin")
        users.create_user(conn, "vera", "vera-password", role="viewer")
    return create_app(Settings(database_url=url, cache_dir=str(tmp_path / "cache"),
                               data_dir=str(data_dir), testing=True, secret_key="test-secret",
                               demo_data=False))


def _pick_folder(duo, name: str) -> None:
    """A single-choice dropdown, as a user does it: open, type, Enter."""
    duo.find_element("#admin-reload-folder").click()
    duo.find_element(".dash-dropdown-search").send_keys(name)
    option = duo.driver.find_element(
        By.XPATH, f"//*[contains(@class, 'dash-dropdown-option')][normalize-space()='{name}']")
    option.click()
    duo.wait_for_contains_text("#admin-reload-folder", name, timeout=5)


def _result(duo, contains: str, timeout: int = 60) -> str:
    WebDriverWait(duo.driver, timeout, poll_frequency=0.1).until(
        lambda d: contains in d.find_element(By.ID, "admin-reload-result").text)
    return duo.find_element("#admin-reload-result").text


def test_csv_reload_good_then_bad(dash_duo, admin_app):
    base = serve_signed_in(dash_duo, admin_app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/admin")
    dash_duo.wait_for_element("#admin-reload-start", timeout=30)
    _pick_folder(dash_duo, "good")
    dash_duo.find_element("#admin-reload-start").click()
    text = _result(dash_duo, "Imported")
    assert re.search(r"Imported [\d,]+ rows from \d+ files", text)
    dash_duo.wait_for_contains_text("#admin-imports-grid", "boss", timeout=30)

    _pick_folder(dash_duo, "bad")
    dash_duo.find_element("#admin-reload-start").click()
    text = _result(dash_duo, "Import failed")
    assert "nothing was written" in text
    # the errors come a page at a time into a grid: file, line, column, reason per row
    dash_duo.wait_for_contains_text("#admin-errors .ag-pinned-left-cols-container",
                                    "production.csv", timeout=30)
    rows = [r[:3] for r in grid_rows(dash_duo, "#admin-errors")]
    assert ["production.csv", "2", "date"] in rows and ["production.csv", "3", "qty"] in rows
    dash_duo.wait_for_contains_text("#admin-audit-grid", "reload failed", timeout=30)
    assert dash_duo.get_logs() == []


def test_demo_reload_shows_progress(dash_duo, admin_app):
    base = serve_signed_in(dash_duo, admin_app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/admin")
    dash_duo.wait_for_element("#admin-reload-start", timeout=30)
    dash_duo.driver.find_element(By.XPATH, "//label[text()='Demo data']").click()
    dash_duo.find_element("#admin-reload-days").send_keys("20")
    dash_duo.find_element("#admin-reload-start").click()
    # while it runs: the bar moves, start is disabled and cancel is offered
    WebDriverWait(dash_duo.driver, 60, poll_frequency=0.05).until(
        lambda d: re.fullmatch(r"([1-9]\d?) %", d.find_element(
            By.ID, "admin-reload-progress").text.strip() or "x"))
    assert not dash_duo.find_element("#admin-reload-start").is_enabled()
    assert dash_duo.find_element("#admin-reload-cancel").is_enabled()
    text = _result(dash_duo, "Loaded the demo plant", timeout=120)
    assert "rows" in text
    assert dash_duo.find_element("#admin-reload-start").is_enabled()
    assert dash_duo.get_logs() == []


def test_viewer_has_no_admin(dash_duo, admin_app):
    base = serve_signed_in(dash_duo, admin_app, "vera", "vera-password")
    dash_duo.wait_for_element(".app-navbar", timeout=10)
    assert "Admin" not in dash_duo.find_element(".app-navbar").text
    dash_duo.driver.get(f"{base}/admin")
    assert "may not open this page" in dash_duo.driver.find_element(By.TAG_NAME, "body").text
    # the only console entry is the browser noting that 403
    logs = dash_duo.get_logs()
    assert all("403" in entry["message"] and "/admin" in entry["message"] for entry in logs), logs
    dash_duo.driver.get(f"{base}/lines")
    dash_duo.wait_for_element("#lines-content", timeout=10)
    assert dash_duo.get_logs() == []


def test_cancelled_reload_changes_nothing(dash_duo, admin_app, tmp_path):
    from sqlalchemy import func, select
    from data import schema
    engine = db.get_engine(f"sqlite:///{tmp_path / 'test.db'}")

    def plant_lines():
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(schema.lines)).scalar()

    assert plant_lines() == 2
    base = serve_signed_in(dash_duo, admin_app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/admin")
    dash_duo.wait_for_element("#admin-reload-start", timeout=30)
    dash_duo.driver.find_element(By.XPATH, "//label[text()='Demo data']").click()
    dash_duo.find_element("#admin-reload-start").click()  # the full demo plant: seconds of work
    WebDriverWait(dash_duo.driver, 60, poll_frequency=0.05).until(
        lambda d: re.fullmatch(r"([1-9]\d?) %", d.find_element(
            By.ID, "admin-reload-progress").text.strip() or "x"))
    dash_duo.find_element("#admin-reload-cancel").click()
    text = _result(dash_duo, "cancelled")
    assert "as it was" in text
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.ID, "admin-reload-start").is_enabled())
    assert plant_lines() == 2  # the demo plant's 8 lines never arrived
    dash_duo.wait_for_contains_text("#admin-audit-grid", "reload cancelled", timeout=30)
    assert dash_duo.get_logs() == []


def test_an_ended_session_goes_back_to_sign_in(dash_duo, admin_app):
    """After the session ends (here: its cookie is gone), the next callback's 401 takes the
    browser to the sign-in page, which brings the user back to where they were."""
    base = serve_signed_in(dash_duo, admin_app, "vera", "vera-password")
    dash_duo.driver.get(f"{base}/lines?start=2026-03-02&end=2026-03-02")
    dash_duo.wait_for_element("#lines-summary", timeout=30)  # the page has finished loading
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.find_element(By.CSS_SELECTOR, ".app-navbar a.nav-link").click()  # Overview
    WebDriverWait(dash_duo.driver, 30).until(lambda d: "/login?next=" in d.current_url)
    dash_duo.find_element("#username").send_keys("vera")
    dash_duo.find_element("#password").send_keys("vera-password")
    dash_duo.find_element("#login-button").click()
    WebDriverWait(dash_duo.driver, 30).until(
        lambda d: d.current_url.startswith(base) and "/login" not in d.current_url)
    dash_duo.wait_for_element("#overview-content > *", timeout=30)
    logs = dash_duo.get_logs()  # only the browser noting the refused callback
    assert all("401" in entry["message"] for entry in logs), logs
