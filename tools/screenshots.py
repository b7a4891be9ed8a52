"""Screenshot every page of a running FloorPulse in headless Chromium, to look at what users see.

    python tools/screenshots.py [--base http://127.0.0.1:8050] [--out /tmp/shots] [PATH ...]
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

DEFAULT_PATHS = ["/", "/lines", "/lines/L01"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8050")
    ap.add_argument("--out", default="/tmp/shots")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default=os.environ.get("ADMIN_PASSWORD", "floorpulse-demo"))
    ap.add_argument("--height", type=int, default=1800)
    ap.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    opts = Options()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", f"--window-size=1440,{args.height}"):
        opts.add_argument(a)
    driver = webdriver.Chrome(options=opts)
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(f"{args.base}/login")
        driver.find_element(By.ID, "username").send_keys(args.user)
        driver.find_element(By.ID, "password").send_keys(args.password)
        driver.find_element(By.ID, "login-button").click()
        for path in args.paths:
            t0 = time.time()
            driver.get(args.base + path)
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".page-content > *")))
            time.sleep(1.5)  # let plotly finish drawing before the picture
            name = path.strip("/").replace("/", "_").split("?")[0] or "overview"
            target = os.path.join(args.out, f"{name}.png")
            driver.save_screenshot(target)
            print(f"{path}: {time.time() - t0:.1f} s -> {target}")
        for entry in driver.get_log("browser"):
            print("console:", entry)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
