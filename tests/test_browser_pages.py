"""Every analytics page in headless Chromium at a phone's 412×915 and a desk's 1600×1100, on a
plant with every kind of data: no KPI value, summary value or grid header is cut (its
scrollWidth is wider than its box), nothing scrolls the page sideways, the Orders grid fits a
1600 px screen, and the console stays silent (every console call is recorded, not only the
errors Dash's get_logs sees). Then the dark theme: it follows the browser's preference, the
charts follow it, and the navbar's toggle is kept for the user across a reload.

One server and one browser for all of it (a page load is the cost; the plant is built once).
"""
from __future__ import annotations

import pytest
from dash.testing.errors import TestingTimeoutError
from dash.testing.wait import until as wait_until

from auth import users
from core.context import Context
from data import db
from ingest.attendance import process_attendance
from tests.attendance_plant import NOW as ATTENDANCE_PROCESSED, attendance_plant
from tests.browser import serve_signed_in
from tests.camera_plant import camera_plant
from tests.factories import quality_downtime
from tests.order_plant import order_plant
from tests.test_views import NOW, WEEK

RANGE = f"start={WEEK[0]}&end={WEEK[1]}"
PAGES = ("overview", "lines", "quality", "downtime", "workforce", "utilisation", "orders",
         "engineering", "trends")
PATHS = {"overview": "/", "engineering": "/engineering"}

# every console call lands in window.__fpConsole, from the first script of each document on
RECORD_CONSOLE = """
window.__fpConsole = [];
["log", "info", "warn", "error", "debug"].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    window.__fpConsole.push(level + ": " + Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(console, arguments);
  };
});
"""

# what is cut: an element whose content is wider than its box
CUT = """
var out = [];
document.querySelectorAll('.kpi-value, .summary-value, .ag-header-cell-text').forEach(
  function (e) {
    if (e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1) {
      var grid = e.closest('[id]');
      out.push((grid ? grid.id + ' ' : '') + e.className + ': ' + e.textContent +
               ' (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
    }
  });
return out;
"""

READY = """
var content = document.getElementById(arguments[0] + '-content');
if (!content || content.closest('[data-dash-is-loading="true"]')) { return false; }
if (!content.querySelector('.chart-card, .empty-state, .kpi-card')) { return false; }
var grids = content.querySelectorAll('.ag-root');
for (var i = 0; i < grids.length; i++) {
  var headers = grids[i].querySelectorAll('.ag-header-cell-text');
  if (!headers.length) { return false; }
  for (var j = 0; j < headers.length; j++) {
    if (headers[j].offsetParent !== null && headers[j].textContent.trim() !== '' &&
        headers[j].clientWidth === 0) { return false; }
  }
}
return true;
"""


@pytest.fixture
def plant_browser(dash_duo, sqlite_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    engine = db.get_engine(sqlite_url)
    order_plant(engine)
    camera_plant(engine)
    quality_downtime(engine)
    attendance_plant(engine)
    process_attendance(engine, ATTENDANCE_PROCESSED)
    with engine.begin() as conn:
        users.create_user(conn, "head", "plant-head-pw", role="plant_head")
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": RECORD_CONSOLE})
    base = serve_signed_in(dash_duo, make_app(sqlite_url), "head", "plant-head-pw")
    return dash_duo, base


def _size(driver, width: int, height: int) -> None:
    """A phone is an emulated mobile screen (a desktop window cannot be that narrow)."""
    if width < 600:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(width, height)


def _stable_cuts(driver) -> list[str]:
    """The cut elements once the grids have sized their columns (two equal readings)."""
    readings = []

    def settled():
        readings.append(driver.execute_script(CUT))
        return len(readings) > 1 and readings[-1] == readings[-2]

    wait_until(settled, timeout=10, poll=0.3)
    return readings[-1]


def _open(duo, base, page: str) -> None:
    duo.driver.get(f"{base}{PATHS.get(page, '/' + page)}?{RANGE}")
    try:
        wait_until(lambda: duo.driver.execute_script(READY, page), timeout=20, poll=0.2)
    except TestingTimeoutError:
        raise AssertionError(f"{page} did not finish drawing: "
                             f"{duo.driver.execute_script('return window.__fpConsole')}")


@pytest.mark.parametrize("width,height", [(412, 915), (1600, 1100)])
def test_no_page_cuts_a_value_or_header_and_the_console_stays_silent(plant_browser, width,
                                                                    height):
    duo, base = plant_browser
    _size(duo.driver, width, height)
    problems = {}
    for page in PAGES:
        _open(duo, base, page)
        cut = _stable_cuts(duo.driver)
        page_width = duo.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        said = duo.driver.execute_script("return window.__fpConsole")
        if page == "orders" and width >= 1600:  # all its columns on a desk screen
            cut += duo.driver.execute_script(
                "var v = document.querySelector('#orders-grid .ag-body-horizontal-scroll-viewport');"
                "return v && v.scrollWidth > v.clientWidth + 1 ? ['orders grid scrolls sideways: ' + v.scrollWidth + ' > ' + v.clientWidth]"
                " : [];")
        if cut or page_width[0] > page_width[1] or said or duo.get_logs():
            problems[page] = {"cut": cut, "page width": page_width, "console": said}
    assert problems == {}


def _luminance(css_color: str) -> float:
    """0 (black) to 1 (white) for an rgb()/rgba() colour."""
    values = css_color[css_color.index("(") + 1:css_color.index(")")].split(",")
    r, g, b = (float(v) / 255 for v in values[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


CHART_COLOURS = """
var tick = document.querySelector('#daily-graph .xtick text');
var card = document.querySelector('#daily-graph').closest('.card');
return [getComputedStyle(tick).fill, getComputedStyle(card).backgroundColor,
        getComputedStyle(document.querySelector('#daily-graph .main-svg')).backgroundColor,
        document.documentElement.getAttribute('data-bs-theme')];
"""


def test_dark_theme_follows_the_browser_and_the_toggle_is_kept(plant_browser):
    duo, base = plant_browser
    driver = duo.driver
    _size(driver, 1600, 1100)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    _open(duo, base, "overview")
    duo.wait_for_element("#daily-graph .xtick text", timeout=10)
    tick, card, svg, theme = driver.execute_script(CHART_COLOURS)
    # the browser asks for dark: the page and its charts are dark, the chart lets the card show
    assert theme == "dark"
    assert _luminance(tick) > 0.6 and _luminance(card) < 0.2, (tick, card)
    assert svg in ("rgba(0, 0, 0, 0)", "transparent"), svg
    # the toggle chooses light for this user; a reload keeps it, whatever the browser prefers
    duo.find_element("#theme-toggle").click()
    wait_until(lambda: driver.execute_script(CHART_COLOURS)[3] == "light", timeout=5)
    driver.refresh()
    _open(duo, base, "overview")
    duo.wait_for_element("#daily-graph .xtick text", timeout=10)
    tick, card, _svg, theme = driver.execute_script(CHART_COLOURS)
    assert theme == "light" and _luminance(tick) < 0.4 and _luminance(card) > 0.9, (tick, card)
    assert driver.execute_script("return localStorage.getItem('fp-theme:head')") == "light"
    assert driver.execute_script("return window.__fpConsole") == [] and duo.get_logs() == []


def test_phone_navbar_folds_and_opens(plant_browser):
    duo, base = plant_browser
    _size(duo.driver, 412, 915)
    _open(duo, base, "quality")
    links = duo.find_element("#navbar-collapse")
    assert not links.is_displayed()  # one bar, not nine stacked links
    duo.find_element("#navbar-toggler").click()
    wait_until(lambda: duo.find_element("#navbar-collapse").is_displayed(), timeout=5)
    # the KPI strip of the overview scrolls sideways rather than pushing the charts down
    _open(duo, base, "overview")
    strip = duo.driver.execute_script(
        "var s = document.querySelector('.kpi-strip');"
        "return [s.scrollWidth > s.clientWidth, s.getBoundingClientRect().height];")
    assert strip[0] and strip[1] < 200, strip
