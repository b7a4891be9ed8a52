"""/api/docs in headless Chromium: Swagger UI from our own files shows the document, and with a
signed-in session "Try it out" calls the API (no CDN, nothing refused by the CSP)."""
from __future__ import annotations

import os

from auth import users
from data import db
from tests.browser import serve_signed_in
from tests.factories import small_plant

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _errors(duo) -> list:
    return [e for e in duo.get_logs() or [] if e.get("level") == "SEVERE"]


def test_docs_page_shows_every_route_and_tries_one(dash_duo, sqlite_url, make_app):
    small_plant(db.get_engine(sqlite_url))
    with db.get_engine(sqlite_url).begin() as conn:
        users.create_user(conn, "plant", "plant-password", role="plant_head")
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "plant", "plant-password")
    dash_duo.driver.get(f"{base}/api/docs")
    dash_duo.wait_for_contains_text(".swagger-ui .info .title", "FloorPulse API", timeout=15)
    dash_duo.wait_for_element('[id="operations-production-production"]', timeout=10)
    paths = {e.text for e in dash_duo.find_elements(".opblock-summary-path")}
    assert {"/api/v1/production", "/api/v1/events", "/api/openapi.json"} <= paths
    if SHOTS:
        dash_duo.driver.save_screenshot(os.path.join(SHOTS, "api-docs.png"))

    # open GET /api/v1/production, try it out with a day: the session cookie signs the call
    dash_duo.find_element('[id="operations-production-production"] .opblock-summary').click()
    dash_duo.wait_for_element(".try-out__btn", timeout=10).click()
    start = dash_duo.wait_for_element('tr[data-param-name="start"] input', timeout=10)
    start.send_keys("2026-03-02")
    end = dash_duo.find_element('tr[data-param-name="end"] input')
    end.send_keys("2026-03-02")
    dash_duo.find_element(".opblock-control__btn.execute").click()
    dash_duo.wait_for_contains_text(".live-responses-table .response .response-col_status",
                                    "200", timeout=15)
    dash_duo.wait_for_contains_text(".live-responses-table .microlight", '"output": 1900',
                                    timeout=10)
    if SHOTS:
        dash_duo.driver.save_screenshot(os.path.join(SHOTS, "api-docs-try.png"))
    assert _errors(dash_duo) == []
