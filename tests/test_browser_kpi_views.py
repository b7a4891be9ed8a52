"""In headless Chromium: a KPI card's (i) says what it means and its link opens its detail page
with the same filters; the Views menu saves the current page and lists it; the Export page menu
is there. The console stays clean."""
from __future__ import annotations

from dash.testing.wait import until as wait_until

from reports.kpis import EXPLAIN
from tests.factories import D
from tests.test_browser_quality import signed_in  # noqa: F401  (small plant, a plant head)

RANGE = f"start={D}&end={D}"


def test_kpi_explains_links_and_a_view_is_saved(signed_in):  # noqa: F811
    duo, base = signed_in
    duo.driver.get(f"{base}/?{RANGE}")
    duo.wait_for_element("#info-kpi-dhu", timeout=15)
    duo.driver.execute_script("document.getElementById('info-kpi-dhu').scrollIntoView()")
    duo.find_element("#info-kpi-dhu").click()  # a tap opens it
    duo.wait_for_contains_text(".popover-body", EXPLAIN["dhu"].formula, timeout=5)
    assert EXPLAIN["dhu"].definition in duo.find_element(".popover-body").text
    link = duo.find_element("#link-kpi-dhu")
    assert link.get_attribute("href") == f"{base}/quality?{RANGE}"
    # save this view, then find it in the menu
    duo.driver.execute_script("window.scrollTo(0, 0)")  # Bootstrap scrolls smoothly: wait
    wait_until(lambda: duo.driver.execute_script("return window.scrollY") == 0, timeout=5)
    duo.find_element("#views-menu .dropdown-toggle").click()
    duo.wait_for_element("#views-open", timeout=5).click()
    duo.wait_for_text_to_equal("#views-location-text", f"/?{RANGE}", timeout=5)
    duo.find_element("#views-name").send_keys("Day D")
    duo.find_element("#views-save").click()
    duo.wait_for_contains_text("#views-message", "'Day D' is saved", timeout=10)
    duo.find_element("#views-modal .btn-close").click()
    wait_until(lambda: not duo.find_elements("#views-modal.show"), timeout=5)
    duo.find_element("#views-menu .dropdown-toggle").click()
    items = {e.text: e.get_attribute("href") for e in duo.find_elements("#views-menu a")}
    assert items["Day D"] == f"{base}/?{RANGE}"
    assert duo.find_element("#page-export-menu")
    assert duo.get_logs() == []
