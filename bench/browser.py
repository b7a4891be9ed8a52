"""Browser time: from a click in the navbar to every chart drawn, cold and warm, split into the
server's share and the browser's (issue 20, item 5).

    python bench/browser.py                                   # pinned demo plant, temporary SQLite
    python bench/browser.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_large
    python bench/browser.py --runs 3 --pages /,/quality       # a quick look

`gunicorn -w 1` serves the plant; headless Chromium signs in and moves between pages the way a
click on a navbar link does (Dash's own history push, no page load), from the Admin page to each
page with a 30-day window ending at the pinned end. Each move is timed in the page itself:

- **total**: from the click to the last change of the page (the last callback answer or DOM
  change, once nothing is loading, no callback is in flight and the page has been still 0.8 s);
- **server**: the time callbacks were in flight (the union of their request-to-answer intervals);
- **browser**: total - server (rendering the layout and the figures, Plotly's drawing, the grid).

Cold: the report cache is emptied before each move, so the server computes the page's report.
Warm: the same move again, served from the cache. Medians and p95 over `--runs` moves.
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from auth import users  # noqa: E402
from bench.scaleout import END, Server, pct, prepare_database  # noqa: E402
from data import db  # noqa: E402

PAGES = ["/", "/lines", "/quality", "/downtime", "/workforce", "/utilisation", "/orders",
         "/engineering", "/trends"]
NEUTRAL = "/admin"
USER = "browser-bench"
QUIET_S = 0.8

# Counts the Dash callbacks in flight and when they ran, and the last change of the page.
INSTRUMENT = """
if (!window.__fp) {
  const fp = window.__fp = {inflight: 0, spans: [], last: performance.now(), start: 0};
  const original = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if (!url.includes('_dash-update-component')) return original.apply(this, arguments);
    const t0 = performance.now();
    fp.inflight += 1;
    const done = () => { fp.inflight -= 1; const t1 = performance.now();
                         fp.spans.push([t0, t1]); fp.last = Math.max(fp.last, t1); };
    return original.apply(this, arguments).then(r => { done(); return r; },
                                                e => { done(); throw e; });
  };
  new MutationObserver(() => { fp.last = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true,
                             characterData: true});
}
"""
GO = """
const fp = window.__fp;
fp.spans = []; fp.start = performance.now(); fp.last = fp.start;
window.history.pushState({}, '', arguments[0]);
window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
"""
STATE = """
const fp = window.__fp;
return {inflight: fp.inflight, start: fp.start, last: fp.last, now: performance.now(),
        spans: fp.spans,
        loading: document.querySelectorAll('[data-dash-is-loading="true"]').length,
        plots: document.querySelectorAll('.js-plotly-plot').length};
"""


def union_ms(spans, start: float, end: float) -> float:
    """Milliseconds of [start, end] covered by at least one span."""
    total, reach = 0.0, start
    for a, b in sorted((max(a, start), min(b, end)) for a, b in spans):
        if b <= reach:
            continue
        total += b - max(a, reach)
        reach = b
    return total


def browser() -> webdriver.Chrome:
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1600,1100"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options)


def sign_in(driver, base: str, password: str) -> None:
    driver.get(base + "/login")
    driver.find_element(By.NAME, "username").send_keys(USER)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    deadline = time.monotonic() + 60
    while "/login" in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)
    driver.execute_script(INSTRUMENT)


def move(driver, path: str, timeout: float = 120) -> dict:
    """Move to `path` as a navbar click does; wait until the page is drawn and still."""
    driver.execute_script(GO, path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        s = driver.execute_script(STATE)
        if s["inflight"] == 0 and s["loading"] == 0 and s["now"] - s["last"] > QUIET_S * 1000:
            total = s["last"] - s["start"]
            server = union_ms(s["spans"], s["start"], s["last"])
            return {"total": total, "server": server, "browser": total - server,
                    "plots": s["plots"]}
    raise TimeoutError(f"{path} was not drawn in {timeout} s")


def window_query(days: int) -> str:
    end = END.date()
    return f"?start={(end - timedelta(days=days - 1)).isoformat()}&end={end.isoformat()}"


def bench_user(url: str) -> str:
    password = secrets.token_urlsafe(16)
    with db.get_engine(url).begin() as conn:
        user = users.get_user_by_name(conn, USER)
        if user is None:
            users.create_user(conn, USER, password, role="admin")
        else:
            users.set_password(conn, user.id, password)
    return password


def measure(server: Server, driver, pages, runs: int, days: int) -> list[dict]:
    rows = []
    query = window_query(days)
    for page in pages:
        timings = {"cold": [], "warm": []}
        for _ in range(runs):
            move(driver, NEUTRAL)
            server.clear_cache()
            timings["cold"].append(move(driver, page + query))
            move(driver, NEUTRAL)
            timings["warm"].append(move(driver, page + query))
        row = {"page": page, "plots": timings["warm"][-1]["plots"]}
        for kind, runs_ in timings.items():
            for part in ("total", "server", "browser"):
                values = [r[part] for r in runs_]
                row[f"{kind} {part} p50"] = statistics.median(values)
                row[f"{kind} {part} p95"] = pct(values, 95)
        rows.append(row)
        print(f"  {page}: cold {row['cold total p50']:.0f} ms, warm {row['warm total p50']:.0f} ms",
              flush=True)
    return rows


def report(rows) -> None:
    head = ("| page | charts | cold total p50 (p95) | cold server | cold browser | "
            "warm total p50 (p95) | warm server | warm browser | browser share warm |")
    print(head)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        share = r["warm browser p50"] / r["warm total p50"] * 100 if r["warm total p50"] else 0
        print(f"| `{r['page']}` | {r['plots']} | {r['cold total p50']:.0f} ({r['cold total p95']:.0f}) "
              f"| {r['cold server p50']:.0f} | {r['cold browser p50']:.0f} "
              f"| {r['warm total p50']:.0f} ({r['warm total p95']:.0f}) "
              f"| {r['warm server p50']:.0f} | {r['warm browser p50']:.0f} | {share:.0f} % |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a prepared plant (default: the pinned demo "
                        "plant in a temporary SQLite file)")
    parser.add_argument("--seed", action="store_true", help="load the pinned demo plant first")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fp-browser-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'plant.db'}"
        prepare_database(url, seed=args.seed or not args.database_url, days=args.days + 30)
        password = bench_user(url)
        with Server(workers=1, database_url=url, workdir=Path(tmp)) as server:
            driver = browser()
            try:
                sign_in(driver, server.base, password)
                move(driver, NEUTRAL)
                print(f"{url.split(':')[0]}: gunicorn -w 1, {args.days}-day window, "
                      f"{args.runs} moves each, ms", flush=True)
                rows = measure(server, driver, args.pages.split(","), args.runs, args.days)
            finally:
                driver.quit()
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
