"""A PDF of a page as the user sees it: the server's own headless Chromium opens the page with
the user's session cookie, waits until every chart has drawn, and prints it (WebDriver's print,
Chrome's Page.printToPDF underneath).

Chromium and chromedriver are found from CHROMIUM_PATH / CHROMEDRIVER_PATH or on PATH (the
Docker image installs Debian's chromium and chromium-driver); without them the PDF is refused
with a message saying so, and the Excel workbook still works.
"""
from __future__ import annotations

import base64
import logging
import shutil

from auth.saved_views import is_app_page

log = logging.getLogger(__name__)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PAGE_TIMEOUT_S = 60
WINDOW = (1600, 1100)
CSS_PX_PER_CM = 96 / 2.54
MAX_PAGE_CM = 500.0  # PDF pages stop at 200 inches
# the page is ready when its content is there, nothing is loading and every chart has drawn
READY_JS = """
const content = document.getElementById(arguments[0]);
if (!content || !content.children.length) { return false; }
if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
const graphs = content.querySelectorAll('.dash-graph');
for (const g of graphs) { if (!g.querySelector('.main-svg')) { return false; } }
return true;
"""


class PdfUnavailable(RuntimeError):
    """No Chromium on this server: the message is for the user."""


class PdfFailed(RuntimeError):
    """Chromium ran and could not print the page (logged with the page)."""


def base_url(settings) -> str:
    """Where the server's Chromium opens pages: PDF_BASE_URL, else this server on loopback (or
    the address it is bound to). Never the request's Host header, which the browser chooses."""
    if settings.pdf_base_url:
        return settings.pdf_base_url
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    return f"http://{'[' + host + ']' if ':' in host else host}:{settings.port}"


def browser_paths(settings) -> tuple[str, str]:
    """(chromium, chromedriver), or PdfUnavailable saying what is missing."""
    chromium = settings.chromium_path or next(filter(None, map(shutil.which, BROWSERS)), None)
    driver = settings.chromedriver_path or shutil.which("chromedriver")
    if chromium and not shutil.which(chromium):
        chromium = None
    if driver and not shutil.which(driver):
        driver = None
    if not chromium or not driver:
        missing = " and ".join(n for n, p in (("Chromium", chromium), ("chromedriver", driver))
                               if not p)
        raise PdfUnavailable(f"PDF export needs {missing} on the server, and this server has "
                             f"none. Ask your admin to install them (the Docker image has "
                             f"them) or set CHROMIUM_PATH and CHROMEDRIVER_PATH; the Excel "
                             f"workbook works without them.")
    return chromium, driver


def print_page(settings, base_url: str, path: str, cookies: dict[str, str],
               content_id: str) -> bytes:
    """The PDF of base_url + path as `cookies`' user sees it in a 1600 px wide window."""
    chromium, driver_path = browser_paths(settings)
    if not is_app_page(path):
        raise PdfFailed(f"not a page: {path!r}")
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars",
                f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(arg)
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except WebDriverException as err:
        raise PdfFailed(f"Chromium did not start: {err.msg}") from err
    try:
        driver.set_page_load_timeout(PAGE_TIMEOUT_S)
        # a cookie is set on the site it belongs to: open a page that needs no sign-in first
        driver.get(f"{base_url}/login")
        for name, value in cookies.items():
            driver.add_cookie({"name": name, "value": value, "path": "/"})
        driver.get(base_url + path)
        WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.25).until(
            lambda d: d.execute_script(READY_JS, content_id))
        # as seen: screen styles, one page the window's width and the page's height (up to
        # the longest page a PDF reader takes; a longer page continues on the next)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
        height = driver.execute_script("return document.documentElement.scrollHeight")
        printing = PrintOptions()
        printing.background = True
        printing.page_width = WINDOW[0] / CSS_PX_PER_CM
        printing.page_height = min((height + 8) / CSS_PX_PER_CM, MAX_PAGE_CM)
        for side in ("top", "bottom", "left", "right"):
            setattr(printing, f"margin_{side}", 0)
        return base64.b64decode(driver.print_page(printing))
    except TimeoutException as err:
        raise PdfFailed(f"{path} did not finish drawing in {PAGE_TIMEOUT_S} s") from err
    except WebDriverException as err:
        raise PdfFailed(f"{path}: {err.msg}") from err
    finally:
        driver.quit()
