"""Helpers for dash_duo tests: serve an app on a free port and sign in as a user.

A free port (not dash's fixed 8050) lets several test runs share the machine.
"""
from __future__ import annotations

import socket

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_signed_in(duo, app, username: str, password: str) -> str:
    """Start `app`, sign in through the login form, return the base URL."""
    duo.start_server(app, navigate=False, port=free_port())
    base = duo.server.url
    duo.driver.get(f"{base}/login")
    duo.find_element("#username").send_keys(username)
    duo.find_element("#password").send_keys(password)
    duo.find_element("#login-button").click()
    duo.wait_for_element("#react-entry-point", timeout=10)
    return base


def choose(duo, dropdown_id: str, value: str) -> None:
    """Pick an option of a dcc.Dropdown the way a user does: click, type, Enter."""
    duo.find_element(f"#{dropdown_id}").click()
    duo.find_element(".dash-dropdown-search").send_keys(value)
    option = duo.find_element(f'input.dash-options-list-option-checkbox[value="{value}"]')
    option.find_element(By.XPATH, "..").click()
    duo.find_element(".dash-dropdown-search").send_keys(Keys.ESCAPE)


def grid_rows(dash_duo, grid: str) -> list[list[str]]:
    """The cells' text of a grid's rendered rows, in row order: the pinned key column (the
    grids pin their first column, components/grid.key_pinned) joined to the rest of its row."""
    def by_index(part):
        rows = dash_duo.find_elements(f"{grid} .ag-{part}-cols-container .ag-row")
        return {r.get_attribute("row-index"): r.text.split("\n") for r in rows}
    left, center = by_index("pinned-left"), by_index("center")
    return [left.get(i, []) + center[i] for i in sorted(center, key=int)]
