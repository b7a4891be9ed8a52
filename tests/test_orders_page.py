"""The Orders page's content called directly (filters in, content out) and its exports, plus
the import rules of work_orders.csv (SPEC section 2) on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import sys
from datetime import date

import pytest
from dash import no_update
from flask_login import login_user
from sqlalchemy import func, select

from auth import users
from components.export import EXPORTS
from components.page import render_content
from data import db, schema
from ingest.importer import import_folder
from core.context import Context, current
from core.filters import Filters
from tests.order_plant import NOW, TODAY, order_plant
from tests.test_importer import GOOD, write_folder

WINDOW = ("2026-02-23", "2026-03-04")


@pytest.fixture
def page(sqlite_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    order_plant(db.get_engine(sqlite_url))
    app = make_app(sqlite_url)
    with db.get_engine(sqlite_url).begin() as conn:
        user = users.create_user(conn, "plant", "plant-password", role="plant_head")
    with app.server.test_request_context("/"):
        login_user(user)
        yield sys.modules["pages.orders"]


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=str)


def test_page_shows_open_orders_with_drill_links(page):
    content, alert, _ = render_content("orders", page.build, (*WINDOW, [], [], []), first=False)
    assert alert is None
    text = _text(content)
    # WO-A started 03-02: its line's output of its style from then to today
    assert "[WO-A](/lines/L01?start=2026-03-02&end=2026-03-04&style=S1)" in text
    assert "orders-timeline" in text and "on-time-graph" in text and "shortages-grid" in text
    assert "last 7 days with output" in text  # the pace is stated on the page


def test_page_with_no_open_orders_says_so(page):
    content, alert, is_open = render_content("orders", page.build, ("2026-01-01", "2026-01-31",
                                                                    [], [], ["S9"]), first=False)
    # an unknown style is refused with a message and changes nothing
    assert content is no_update and is_open and "Unknown style code 'S9'" in alert
    content, alert, _ = render_content("orders", page.build, ("2026-01-01", "2026-01-31",
                                                              ["L01"], [], ["S2"]), first=False)
    text = _text(content)
    assert "No open orders for this selection." in text
    assert "No order was completed between 01 Jan and 31 Jan 2026." in text


def test_drill_range_of_an_order_planned_for_later(page):
    wo = type("WO", (), {"completed_at": None, "started_at": None,
                         "planned_start": date(2026, 3, 7), "line_code": "L02",
                         "style_code": "S1"})()
    assert page.drill_href(wo, TODAY) == "/lines/L02?start=2026-02-26&end=2026-03-04&style=S1"


def test_exports_carry_the_data(page):
    filters = Filters(start=date(2026, 2, 23), end=TODAY)
    ctx = current()
    open_orders = EXPORTS["orders-open-grid"](ctx, filters, None)
    assert list(open_orders["wo_number"]) == ["WO-C", "WO-A", "WO-B", "WO-G"]
    assert "projected_completion" in open_orders and "risk_label" in open_orders
    assert list(EXPORTS["orders-on-time"](ctx, filters, None)["completed"]) == [1, 1]
    assert list(EXPORTS["orders-shortages"](ctx, filters, None)["shortage"]) == [30.0, 2000.0]


# --- import: a status needs its timestamps, and they are in order --------------------------------

HEAD = ("wo_number,style_code,line_code,order_qty,produced_qty,status,planned_start,due_date,"
        "released_at,started_at,completed_at\n")
T1, T2, T3 = "2026-03-01T08:00:00", "2026-03-02T08:00:00", "2026-03-03T08:00:00"


@pytest.mark.parametrize("row, column, reason", [
    (f"WO9,S1,L01,10,0,SHIPPED,,,{T1},,", "status",
     "WORK_ORDER_BAD_STATUS: not one of DRAFT, RELEASED, IN_PROGRESS, ON_HOLD, COMPLETED, "
     "CANCELLED: 'SHIPPED'"),
    ("WO9,S1,L01,10,0,,,,,,", "status", "missing value"),
    ("WO9,S1,L01,10,0,RELEASED,,,,,", "released_at",
     "WORK_ORDER_MISSING_TIMESTAMP: status RELEASED needs released_at"),
    (f"WO9,S1,L01,10,0,IN_PROGRESS,,,{T1},,", "started_at",
     "WORK_ORDER_MISSING_TIMESTAMP: status IN_PROGRESS needs started_at"),
    (f"WO9,S1,L01,10,0,ON_HOLD,,,{T1},,", "started_at",
     "WORK_ORDER_MISSING_TIMESTAMP: status ON_HOLD needs started_at"),
    (f"WO9,S1,L01,10,10,COMPLETED,,,{T1},{T2},", "completed_at",
     "WORK_ORDER_MISSING_TIMESTAMP: status COMPLETED needs completed_at"),
    (f"WO9,S1,L01,10,0,IN_PROGRESS,,,{T2},{T1},", "started_at",
     "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER: started_at before released_at"),
    (f"WO9,S1,L01,10,10,COMPLETED,,,{T3},,{T2}", "completed_at",
     "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER: completed_at before released_at"),
    (f"WO9,S1,L01,10,10,COMPLETED,,,{T1},{T3},{T2}", "completed_at",
     "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER: completed_at before started_at"),
])
def test_bad_status_rows_are_errors_and_nothing_is_written(engine, tmp_path, row, column,
                                                           reason):
    folder = write_folder(tmp_path / "in", GOOD, work_orders_csv=HEAD + row + "\n",
                          material_issues_csv=None)
    report = import_folder(engine, folder)
    assert report.errors == [f"work_orders.csv:2: {column}: {reason}"]
    with engine.connect() as conn:  # one import, one transaction: no file of it is written
        assert conn.execute(select(func.count()).select_from(schema.work_orders)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(schema.lines)).scalar() == 0


def test_every_status_with_its_timestamps_imports(engine, tmp_path):
    rows = [f"WO1,S1,L01,10,0,DRAFT,,,,,", f"WO2,S1,L01,10,0,RELEASED,,,{T1},,",
            f"WO3,S1,L01,10,5,IN_PROGRESS,,,{T1},{T2},", f"WO4,S1,L01,10,5,ON_HOLD,,,,{T2},",
            f"WO5,S1,L01,10,10,COMPLETED,,2026-03-04,{T1},{T2},{T3}",
            f"WO6,S1,L01,10,0,cancelled,,,,,",
            "WO7,S1,L01,10,10,COMPLETED,,,,,2026-03-03T08:00:00+06:00"]
    folder = write_folder(tmp_path / "in", GOOD, work_orders_csv=HEAD + "\n".join(rows) + "\n",
                          material_issues_csv=None)
    report = import_folder(engine, folder)
    assert report.errors == []
    with engine.connect() as conn:
        got = dict(conn.execute(select(schema.work_orders.c.wo_number,
                                       schema.work_orders.c.status)).all())
    assert got["WO6"] == "CANCELLED" and len(got) == 7
