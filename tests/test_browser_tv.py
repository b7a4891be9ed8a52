"""The floor TV in headless Chromium, as a screen on the floor lives it (SPEC section 11).

The server runs as a process of its own, so that it can be stopped and started again like a real
one. A kiosk link opens the board with nobody signed in; counts for the running hour arrive
through the CSV importer's upsert (the real write path, which bumps the data version) and show
without a reload; the server goes away ("stale since") and comes back (recovery, still no
reload); a revoked key blanks the board. The plant: a shift that began three hours before now
(plant-local), so "the current shift" is whatever hour the test runs at.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from dash.testing.wait import until

from auth import users
from data import db
from tests.browser import free_port
from tests.live_plant import LINES, PLANT_TZ, live_plant, post_count

ROOT = Path(__file__).resolve().parent.parent
SHOTS = os.environ.get("SCREENSHOT_DIR")


class Server:
    """`create_app().run()` in a process of its own on a free port: a real server to stop."""

    def __init__(self, url: str, tmp: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": url, "CACHE_DIR": str(tmp / "cache"),
                    "SECRET_KEY": "tv-test", "DEMO_DATA": "0", "PLANT_TZ": PLANT_TZ,
                    "LOG_LEVEL": "WARNING"}
        self.proc = None

    def start(self):
        code = f"from app import create_app; create_app().run(host='127.0.0.1', port={self.port})"
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        until(self.up, timeout=30)

    def up(self) -> bool:
        try:
            return requests.get(f"{self.base}/api/health/live", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)
        self.proc = None


@pytest.fixture
def floor(dash_duo, sqlite_url, tmp_path):
    engine = db.get_engine(sqlite_url)
    start = live_plant(engine)
    with engine.begin() as conn:
        manager = users.create_user(conn, "l12", "long-password", role="line_manager",
                                    lines=("L01", "L02"))
        head = users.create_user(conn, "head", "long-password", role="plant_head")
        keys = {"manager": users.create_token(conn, manager, purpose="kiosk"),
                "head": users.create_token(conn, head, purpose="kiosk")}
    server = Server(sqlite_url, tmp_path)
    server.start()
    # exactly 1920 x 1080 of page, as on the TV
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    yield dash_duo, server, engine, keys, start
    server.stop()


def _text(duo, selector) -> str:
    found = duo.driver.find_elements("css selector", selector)
    return found[0].text if found else ""


def _fits(duo) -> None:
    """Nothing scrolls and no number is cut off."""
    js = duo.driver.execute_script
    assert js("return document.documentElement.scrollHeight") <= 1080
    assert js("return document.documentElement.scrollWidth") <= 1920
    cut = js("""return [...document.querySelectorAll('#tv-board *')]
                .filter(e => e.children.length === 0 && e.textContent.trim()
                        && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
                .map(e => e.textContent);""")
    assert cut == []
    overflowing = js("""return [...document.querySelectorAll('.tv-tile, .tv-kpi, .tv-hours')]
                        .filter(e => e.scrollHeight > e.clientHeight + 1).length;""")
    assert overflowing == 0
    too_wide = js("""return [...document.querySelectorAll('.tv-tile > *, .tv-kpi > *')]
                     .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent);""")
    assert too_wide == []


def _shot(duo, name):
    if SHOTS:
        duo.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))


def test_the_board_follows_the_floor_through_a_restart(floor, tmp_path):
    duo, server, engine, keys, start = floor
    duo.driver.get(f"{server.base}/tv?key={keys['manager']}&line=L01&line=L02&refresh=2&rotate=600")
    duo.wait_for_text_to_equal("#tv-line-output", "300", timeout=20)
    assert "L01" in _text(duo, "#tv-title")
    duo.wait_for_contains_text("#tv-status", "as of", timeout=10)
    _shot(duo, "tv-line")
    _fits(duo)
    duo.driver.execute_script("window.__sameDocument = true;")  # gone if the page reloads

    post_count(engine, tmp_path, start, "L01", 3, 40)  # the running hour: 40 so far
    duo.wait_for_text_to_equal("#tv-line-output", "340", timeout=15)
    assert duo.driver.execute_script("return window.__sameDocument === true")
    assert duo.get_logs() == []

    server.stop()
    duo.wait_for_contains_text("#tv-status", "stale since", timeout=20)
    assert _text(duo, "#tv-line-output") == "340"  # the last numbers stay up meanwhile
    post_count(engine, tmp_path, start, "L01", 3, 55)  # counted while the server was down
    server.start()
    duo.wait_for_text_to_equal("#tv-line-output", "355", timeout=30)
    duo.wait_for_contains_text("#tv-status", "as of", timeout=10)
    assert duo.driver.execute_script("return window.__sameDocument === true")
    # the browser logged the requests that failed during the outage, and nothing else
    outage = duo.driver.get_log("browser")
    assert outage and all("/tv/data" in e["message"] and "ERR_CONNECTION_REFUSED" in e["message"]
                          for e in outage), outage
    post_count(engine, tmp_path, start, "L01", 3, 60)  # and it carries on as before
    duo.wait_for_text_to_equal("#tv-line-output", "360", timeout=15)
    assert duo.get_logs() == []


def test_plant_view_shows_every_line_of_the_user_and_fits(floor):
    duo, server, _engine, keys, _start = floor
    duo.driver.get(f"{server.base}/tv?key={keys['head']}")
    until(lambda: len(duo.driver.find_elements("css selector", ".tv-tile")) == 6, timeout=20)
    tiles = {t.get_attribute("data-line"): t.text
             for t in duo.driver.find_elements("css selector", ".tv-tile")}
    assert list(tiles) == list(LINES)
    assert tiles["L02"].splitlines()[1].startswith("315")  # 120 + 100 + 95
    _shot(duo, "tv-plant")
    _fits(duo)
    assert duo.get_logs() == []
    # the line manager's screen holds their two lines only
    duo.driver.get(f"{server.base}/tv?key={keys['manager']}")
    until(lambda: [t.get_attribute("data-line") for t in duo.driver.find_elements(
        "css selector", ".tv-tile")] == ["L01", "L02"], timeout=20)
    assert duo.get_logs() == []


def test_rotation_and_a_revoked_key(floor):
    duo, server, engine, keys, _start = floor
    duo.driver.get(f"{server.base}/tv?key={keys['manager']}&line=L01&line=L02&refresh=2&rotate=2")
    duo.wait_for_text_to_equal("#tv-line-output", "300", timeout=20)
    duo.wait_for_text_to_equal("#tv-line-output", "315", timeout=10)  # L02 came round
    assert "L02" in _text(duo, "#tv-title")
    with engine.begin() as conn:
        token_id = conn.exec_driver_sql("select id from api_tokens where user_id = (select id "
                                        "from users where username = 'l12')").scalar()
        users.revoke_token(conn, token_id)
    duo.wait_for_text_to_equal(".tv-message", "This screen's link is no longer valid.",
                               timeout=15)
    assert duo.driver.find_elements("css selector", "#tv-line-output") == []  # blanked
    refused = duo.driver.get_log("browser")
    assert all("/tv/data" in e["message"] and "401" in e["message"] for e in refused), refused
    # and opening the link again shows the plain notice, not a sign-in form
    duo.driver.get(f"{server.base}/tv?key={keys['manager']}")
    duo.wait_for_text_to_equal("#kiosk-invalid", "This screen's link is no longer valid.")
    assert duo.driver.find_elements("css selector", "#password") == []
