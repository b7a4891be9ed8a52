"""Screenshot every page of a running FloorPulse in headless Chromium, to look at what users see.

    python tools/screenshots.py [--base http://127.0.0.1:8050] [--out /tmp/shots]
                                [--width 1600 --height 1100] [--dark] [--full] [PATH ...]

A width under 600 px is an emulated phone (a desktop window cannot be that narrow); `--dark`
asks for the dark theme the way a browser does (prefers-color-scheme), `--full` makes the
picture as tall as the page. For each page it prints how long it took to draw and any KPI value,
summary value or grid header whose text is cut, and at the end what the console said.
"""
from __future__ import annotations

import argparse
import os
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

DEFAULT_PATHS = ["/", "/lines", "/lines/L01", "/quality", "/downtime", "/workforce",
                 "/utilisation", "/orders", "/engineering", "/trends", "/admin"]

CUT = """
var out = [];
document.querySelectorAll('.kpi-value, .summary-value, .ag-header-cell-text').forEach(
  function (e) {
    if (e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1) {
      out.push(e.textContent + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
    }
  });
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
  out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
}
return out;
"""

DRAWN = """
if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
return !!document.querySelector('.page-content > *');
"""


def _driver(width: int, height: int, dark: bool) -> webdriver.Chrome:
    opts = Options()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", f"--window-size={max(width, 800)},{height}"):
        opts.add_argument(a)
    driver = webdriver.Chrome(options=opts)
    if width < 600:
        _metrics(driver, width, height)
    if dark:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    return driver


def _metrics(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _save(driver, target: str, width: int, height: int, full: bool) -> None:
    """One screen, or (full) the whole page: the screen made as tall as the page, the charts
    given a moment to redraw at that size, then back to one screen."""
    if full:
        tall = driver.execute_script("return document.documentElement.scrollHeight")
        _metrics(driver, width, max(height, tall))
        time.sleep(1.0)
    driver.save_screenshot(target)
    if full:
        _metrics(driver, width, height) if width < 600 else driver.execute_cdp_cmd(
            "Emulation.clearDeviceMetricsOverride", {})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8050")
    ap.add_argument("--out", default="/tmp/shots")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default=os.environ.get("ADMIN_PASSWORD", "floorpulse-demo"))
    ap.add_argument("--width", type=int, default=1600)
    ap.add_argument("--height", type=int, default=1100)
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--full", action="store_true", help="the whole page, not one screen")
    ap.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    driver = _driver(args.width, args.height, args.dark)
    wait = WebDriverWait(driver, 30)
    suffix = f"{args.width}{'_dark' if args.dark else ''}"
    try:
        driver.get(f"{args.base}/login")
        driver.find_element(By.ID, "username").send_keys(args.user)
        driver.find_element(By.ID, "password").send_keys(args.password)
        driver.find_element(By.ID, "login-button").click()
        wait.until(EC.url_changes(f"{args.base}/login"))
        for path in args.paths:
            t0 = time.time()
            driver.get(args.base + path)
            time.sleep(0.3)
            wait.until(lambda d: d.execute_script(DRAWN))
            time.sleep(1.5)  # let plotly and the grids finish drawing before the picture
            drawn = time.time() - t0
            cuts = driver.execute_script(CUT)
            name = path.strip("/").replace("/", "_").split("?")[0] or "overview"
            target = os.path.join(args.out, f"{name}_{suffix}.png")
            _save(driver, target, args.width, args.height, args.full)
            print(f"{path}: {drawn:.1f} s -> {target}" + (f"  CUT: {cuts}" if cuts else ""))
        for entry in driver.get_log("browser"):
            print("console:", entry)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
