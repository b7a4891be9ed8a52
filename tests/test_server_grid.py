"""Server-side grids (components/server_grid.py): AG Grid's sort and filter models applied in
pandas to hand-made frames, the block callback for a line manager, and /lines in Chromium."""
from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
import pytest
from dash.testing.wait import until as wait_until
from flask_login import login_user
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By

from auth import users
from components import server_grid as sg
from data import db
from demo import load as demo
from core.context import EXTENSION_KEY
from core.filters import Filters
from tests.browser import choose, serve_signed_in

END = datetime(2026, 3, 4, 14)  # a Wednesday: 7 demo days up to 14:00
WINDOW = ("2026-02-26", "2026-03-04", [], [], [])
FIELDS = ["name", "line", "qty", "day"]

FRAME = pd.DataFrame({
    "name": ["Asha", "bina", "Chand", None, "Dipa", "  "],
    "line": ["L01", "L02", "L01", "L02", "L01", "L02"],
    "qty": [10, 20, None, 40, 20, 5],
    "day": ["2026-03-01", "2026-03-02", "2026-03-02", None, "2026-03-04", "2026-03-03"],
    "hidden": [1, 2, 3, 4, 5, 6],
})


def names(block) -> list:
    return [r["name"] for r in block["rowData"]]


def block(filter_model=None, sort_model=None, start=0, end=100, fields=FIELDS):
    return sg.rows_block(FRAME, {"startRow": start, "endRow": end, "filterModel": filter_model,
                                 "sortModel": sort_model}, fields)


def text(op, value=None):
    return {"filterType": "text", "type": op, "filter": value}


def number(op, value=None, to=None):
    return {"filterType": "number", "type": op, "filter": value, "filterTo": to}


# --- rows_block: filters -------------------------------------------------------------------------

@pytest.mark.parametrize("op, value, expected", [
    ("contains", "HA", ["Asha", "Chand"]),  # case-insensitive, like AG Grid's text filter
    ("notContains", "a", [None, "  "]),
    ("equals", "bina", ["bina"]),
    ("notEqual", "bina", ["Asha", "Chand", None, "Dipa", "  "]),
    ("startsWith", "d", ["Dipa"]),
    ("endsWith", "A", ["Asha", "bina", "Dipa"]),
    ("blank", None, [None, "  "]),
    ("notBlank", None, ["Asha", "bina", "Chand", "Dipa"]),
])
def test_text_filters(op, value, expected):
    out = block({"name": text(op, value)})
    assert names(out) == expected and out["rowCount"] == len(expected)


@pytest.mark.parametrize("op, value, to, expected", [
    ("equals", 20, None, ["bina", "Dipa"]),
    ("notEqual", 20, None, ["Asha", None, "  "]),  # a blank qty passes no comparison
    ("lessThan", 20, None, ["Asha", "  "]),
    ("lessThanOrEqual", 20, None, ["Asha", "bina", "Dipa", "  "]),
    ("greaterThan", 20, None, [None]),
    ("greaterThanOrEqual", 20, None, ["bina", None, "Dipa"]),
    ("inRange", 5, 40, ["Asha", "bina", "Dipa"]),  # ends excluded, AG Grid's default
    ("blank", None, None, ["Chand"]),
    ("notBlank", None, None, ["Asha", "bina", None, "Dipa", "  "]),
])
def test_number_filters(op, value, to, expected):
    assert names(block({"qty": number(op, value, to)})) == expected


def test_date_filters_compare_days():
    def date(op, start, end=None):
        return {"day": {"filterType": "date", "type": op, "dateFrom": start, "dateTo": end}}
    assert names(block(date("equals", "2026-03-02 00:00:00"))) == ["bina", "Chand"]
    assert names(block(date("lessThan", "2026-03-02 00:00:00"))) == ["Asha"]
    assert names(block(date("greaterThan", "2026-03-02 00:00:00"))) == ["Dipa", "  "]
    assert names(block(date("inRange", "2026-03-01 00:00:00", "2026-03-04 00:00:00"))) == \
        ["bina", "Chand", "  "]
    assert names(block(date("blank", None))) == [None]


def test_conditions_joined_by_and_or_and_across_columns():
    either = {"filterType": "text", "operator": "OR",
              "conditions": [text("startsWith", "a"), text("startsWith", "c")]}
    assert names(block({"name": either})) == ["Asha", "Chand"]
    both = {"filterType": "number", "operator": "AND",
            "conditions": [number("greaterThan", 5), number("lessThan", 40)]}
    assert names(block({"qty": both})) == ["Asha", "bina", "Dipa"]
    # columns are ANDed: L01 rows of qty 5 < x < 40
    assert names(block({"qty": both, "line": text("equals", "l01")})) == ["Asha", "Dipa"]
    old_shape = {"filterType": "text", "operator": "OR", "condition1": text("equals", "asha"),
                 "condition2": text("equals", "dipa")}
    assert names(block({"name": old_shape})) == ["Asha", "Dipa"]


def test_unknown_filters_are_ignored_with_a_log_line(caplog):
    with caplog.at_level(logging.INFO, logger=sg.__name__):
        out = block({"name": {"filterType": "set", "values": ["Asha"]},
                     "qty": number("between", 1), "nope": text("equals", "x"),
                     "line": text("equals", "L02")})
    assert names(out) == ["bina", None, "  "]
    assert "'set'" in caplog.text and "'between'" in caplog.text and "'nope'" in caplog.text


# --- rows_block: sorting, slicing, fields --------------------------------------------------------

def test_sort_by_several_columns_blanks_last():
    out = block(sort_model=[{"colId": "line", "sort": "desc"}, {"colId": "qty", "sort": "asc"}])
    assert names(out) == ["  ", "bina", None, "Asha", "Dipa", "Chand"]
    by_name = block(sort_model=[{"colId": "name", "sort": "asc"}])
    assert names(by_name) == ["Asha", "bina", "Chand", "Dipa", None, "  "]  # case-folded
    desc = block(sort_model=[{"colId": "qty", "sort": "desc"}, {"colId": "nope", "sort": "asc"}])
    assert names(desc) == [None, "bina", "Dipa", "Asha", "  ", "Chand"]


def test_blocks_slice_after_filter_and_sort():
    sort = [{"colId": "name", "sort": "asc"}]
    second = block(sort_model=sort, start=2, end=4)
    assert names(second) == ["Chand", "Dipa"] and second["rowCount"] == 6
    past_the_end = block(sort_model=sort, start=50, end=150)
    assert past_the_end == {"rowData": [], "rowCount": 6}
    filtered = block({"line": text("equals", "L01")}, sort, start=1, end=2)
    assert names(filtered) == ["Chand"] and filtered["rowCount"] == 3


@pytest.mark.parametrize("start, end", [(-1, 10), (10, 5), (0, sg.MAX_BLOCK + 1)])
def test_a_range_that_is_not_a_block_is_refused(start, end):
    with pytest.raises(ValueError):
        block(start=start, end=end)


def test_rows_carry_the_fields_asked_for_and_json_values():
    row = block(fields=["name", "qty", "hidden", "missing"])["rowData"][2]
    assert row == {"name": "Chand", "qty": None, "hidden": 3}
    assert sg.rows_block(pd.DataFrame(), {"startRow": 0, "endRow": 100}, FIELDS) == \
        sg.EMPTY_BLOCK


# --- the component -------------------------------------------------------------------------------

def test_server_grid_sends_no_rows_and_keeps_the_plain_id():
    columns = [{"field": "name", "headerName": "Name"},
               {"field": "qty", "headerName": "Qty", "filter": "agNumberColumnFilter"}]
    wrapper = sg.server_grid("people-grid", "people", columns, 2500, extra_fields=("hidden",))
    grid = wrapper.children
    assert wrapper.id == "people-grid" and grid.rowModelType == "infinite"
    assert {**grid.id, "render": None} == {"type": sg.SERVER_GRID, "name": "people",
                                           "fields": "name,qty,hidden", "render": None}
    again = sg.server_grid("people-grid", "people", columns, 2500).children
    assert again.id["render"] != grid.id["render"]  # a new build mounts a new grid
    assert getattr(grid, "rowData", None) is None
    assert [c["filter"] for c in grid.columnDefs] == ["agTextColumnFilter",
                                                       "agNumberColumnFilter"]
    assert grid.dashGridOptions["infiniteInitialRowCount"] == sg.BLOCK_SIZE


# --- the callback, as a line manager -------------------------------------------------------------

@pytest.fixture
def demo_app(sqlite_url, make_app):
    engine = db.get_engine(sqlite_url)
    db.create_schema(engine)
    demo.load_demo(engine, days=7, lines=3, seed=7, end=END)
    with engine.begin() as conn:
        head = users.create_user(conn, "plant", "plant-password", role="plant_head")
        manager = users.create_user(conn, "lm", "line-manager-pw", role="line_manager",
                                    lines=("L02",))
    return make_app(sqlite_url), head, manager


def _get_rows(app, user, values, request=None, name="lines-operators"):
    grid_id = {"type": sg.SERVER_GRID, "name": name, "fields": "name,line_code,efficiency_pct",
               "render": "0"}
    request = request or {"startRow": 0, "endRow": 100,
                          "sortModel": [{"colId": "efficiency_pct", "sort": "desc"}]}
    with app.server.test_request_context("/"):
        login_user(user)
        return sg.get_rows(request, grid_id, *values)


def test_a_line_manager_gets_only_their_lines_rows(demo_app):
    app, head, manager = demo_app
    everyone = _get_rows(app, head, WINDOW)
    assert {r["line_code"] for r in everyone["rowData"]} == {"L01", "L02", "L03"}
    mine = _get_rows(app, manager, WINDOW)
    assert mine["rowData"] and {r["line_code"] for r in mine["rowData"]} == {"L02"}
    assert mine["rowCount"] < everyone["rowCount"]
    eff = [r["efficiency_pct"] for r in mine["rowData"] if r["efficiency_pct"] is not None]
    assert eff == sorted(eff, reverse=True)
    # the block is what the CSV button downloads for them, in the same rows
    ctx = app.server.extensions[EXTENSION_KEY]
    f = Filters.from_query({"start": WINDOW[0], "end": WINDOW[1]}, ctx.today())
    assert mine["rowCount"] == len(sg.EXPORTS["lines-operators"](ctx, f, ("L02",)))
    # another line than theirs, a bad block or an unknown grid: an empty block, never a 500
    assert _get_rows(app, manager, (*WINDOW[:2], ["L01"], [], [])) == sg.EMPTY_BLOCK
    assert _get_rows(app, manager, WINDOW, {"startRow": "x", "endRow": 5}) == sg.EMPTY_BLOCK
    assert _get_rows(app, manager, WINDOW, name="nope") == sg.EMPTY_BLOCK


# --- in the browser ------------------------------------------------------------------------------

def _cell(duo, row: int, col: str) -> str | None:
    """A cell's text; None while AG Grid is swapping the row (a block arriving)."""
    try:
        return duo.driver.find_element(
            By.CSS_SELECTOR, f"#operators-grid .ag-row[row-index='{row}'] [col-id='{col}']").text
    except (NoSuchElementException, StaleElementReferenceException):
        return None


def test_lines_page_loads_operator_rows_and_sorts_them_on_the_server(dash_duo, demo_app):
    app, _, _ = demo_app
    base = serve_signed_in(dash_duo, app, "plant", "plant-password")
    dash_duo.driver.get(f"{base}/lines?start={WINDOW[0]}&end={WINDOW[1]}")
    dash_duo.wait_for_element("#operators-grid .ag-row[row-index='0'] [col-id='name']",
                              timeout=20)
    wait_until(lambda: _cell(dash_duo, 0, "name"), timeout=10)
    ctx = app.server.extensions[EXTENSION_KEY]
    f = Filters.from_query({"start": WINDOW[0], "end": WINDOW[1]}, ctx.today())
    operators = sg.EXPORTS["lines-operators"](ctx, f, None)
    assert len(operators) > sg.BLOCK_SIZE  # more than one block: the grid pages on the server
    first_by_name = sorted(operators["name"].dropna(), key=str.casefold)[0]
    assert _cell(dash_duo, 0, "name") != first_by_name  # efficiency order at first
    header = dash_duo.find_element("#operators-grid .ag-header-cell[col-id='name'] "
                                   ".ag-header-cell-label")
    # the grid sits below the fold of the test window: a script click, as AG Grid hears clicks
    dash_duo.driver.execute_script("arguments[0].click()", header)
    wait_until(lambda: _cell(dash_duo, 0, "name") == first_by_name, timeout=10)
    # the filter bar rebuilds the page: the new grid asks again, for L02's operators only
    choose(dash_duo, "filter-lines", "L02")
    wait_until(lambda: _column(dash_duo, "line_code") == {"L02"}, timeout=10)
    assert dash_duo.get_logs() == []


def _column(duo, col: str) -> set | None:
    try:
        return {c.text for c in duo.driver.find_elements(
            By.CSS_SELECTOR, f"#operators-grid .ag-center-cols-container [col-id='{col}']")}
    except StaleElementReferenceException:
        return None
