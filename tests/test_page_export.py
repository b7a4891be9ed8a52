""""Export page" (issue 19 item 6): the page workbook's sheets equal each card's own export
(rounded for display), for every page; its first sheet names the filters, the time and each
measure's formula; a PDF of the page is printed by headless Chromium when there is one, and
without one the user is told why."""
from __future__ import annotations

import base64
import io
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
import pytest
from dash import no_update
from flask_login import login_user

from auth import users
from auth.saved_views import is_app_page
from components import export, page_export, page_pdf
from core.context import current
from core.filters import Filters
from data import db
from reports.kpis import EXPLAIN
from reports.views import VIEWS
from settings import Settings
from tests.factories import D, small_plant
from tests.test_browser_quality import signed_in  # noqa: F401  (small plant, a plant head)
from tests.test_views import NOW, WEEK, plant  # noqa: F401  (the fixture: every kind of data)


def _section(about: pd.DataFrame, header: str) -> pd.DataFrame:
    """The rows of the first sheet's section that starts with `header`, to the next blank."""
    col = about[0].tolist()
    start = col.index(header) + 1
    end = next((i for i in range(start, len(col)) if pd.isna(col[i])), len(col))
    return about.iloc[start:end]


def _card_export(name: str) -> pd.DataFrame:
    """The card's Excel export, read back as a spreadsheet would."""
    out = export.export_csv(1, {"name": name, "format": "xlsx"}, *WEEK, [], [], [])
    raw = base64.b64decode(out["content"]) if out.get("base64") else out["content"]
    return pd.read_excel(io.BytesIO(raw))


@pytest.mark.parametrize("page", sorted(VIEWS))
def test_the_page_workbook_is_every_cards_export(plant, page):  # noqa: F811
    app, _client, head = plant
    with app.server.test_request_context("/"):
        login_user(head)
        filters = Filters(date.fromisoformat(WEEK[0]), date.fromisoformat(WEEK[1]))
        book = page_export.workbook(page, current(), filters, head.scope, head.username)
        sheets = pd.read_excel(io.BytesIO(book), sheet_name=None, header=None)
        about = sheets.pop("Page")
        listed = dict(zip(about[0], about[1]))
        assert listed["Made by"] == "head"
        assert listed["Made at"].startswith(NOW.strftime("%Y-%m-%d %H:%M"))
        named = _section(about, "Filters")
        assert dict(zip(named[0], named[1])) == {"From": WEEK[0], "To": WEEK[1], "Lines": "all",
                                                 "Shifts": "all", "Styles": "all"}
        view = VIEWS[page]
        # one sheet a chart or grid, in the page's order, each named in the first sheet
        assert len(sheets) == len(view.frames)
        listing = _section(about, "Sheet")
        by_export = dict(zip(listing[1], listing[0]))
        assert list(by_export) == [f"{page}-{part}" for part in view.frames]
        for part in view.frames:
            name = f"{page}-{part}"
            sheet = pd.read_excel(io.BytesIO(book), sheet_name=by_export[name])
            card = _card_export(name)  # in words and rounded as shown, like the sheet
            assert list(sheet.columns) == list(card.columns), name
            pd.testing.assert_frame_equal(sheet, card, check_dtype=False, obj=name)
        # each measure the page shows has its formula, in the cards' own words
        measures = _section(about, "Measure")
        formulas = dict(zip(measures[0], measures[2]))
        parts = view.parts(current(), filters, head.scope)
        for key, why in EXPLAIN.items():
            shown = any(parts[part] is not None and key in parts[part].columns
                        for part in view.frames)
            if shown:
                assert formulas.get(key) == why.formula, (page, key)


def test_overview_workbook_names_its_cards_and_dhu_formula(plant):  # noqa: F811
    app, _client, head = plant
    with app.server.test_request_context("/"):
        login_user(head)
        filters = Filters(date.fromisoformat(WEEK[0]), date.fromisoformat(WEEK[1]))
        book = page_export.workbook("overview", current(), filters, None, "head")
    about = pd.read_excel(io.BytesIO(book), sheet_name="Page", header=None)
    measures = _section(about, "Measure")
    rows = {r[0]: (r[1], r[2]) for r in measures.itertuples(index=False)}
    assert rows["dhu"] == (EXPLAIN["dhu"].definition, "defects / checked × 100")
    figures = _section(about, "Key figures")
    cards = dict(zip(figures[0], figures[1]))
    assert cards["DHU"] == round(41 / 300 * 100, 1)  # the card: 41 defects in 300 checked


def test_rounded_for_display():
    df = pd.DataFrame({"achievement_pct": [102.857142], "dhu": [13.6666], "smv": [7.3251],
                       "output": [2700], "line_code": ["L01"]})
    out = export.rounded(df)
    assert out.iloc[0].tolist() == [102.9, 13.7, 7.33, 2700, "L01"]


def test_chromium_opens_this_server_not_the_requests_host():
    assert page_pdf.base_url(Settings(testing=True, port=8123)) == "http://127.0.0.1:8123"
    assert page_pdf.base_url(Settings(testing=True, host="0.0.0.0", port=80)) == \
        "http://127.0.0.1:80"
    assert page_pdf.base_url(Settings(testing=True, pdf_base_url="http://fp:8050")) == \
        "http://fp:8050"


def test_only_pages_are_printed():
    assert is_app_page("/lines/L01?start=2026-03-02")
    for bad in ("//evil.example/", "https://evil.example/", "/api/v1/production",
                "/quality/../api/v1/production", "/login", "quality"):
        assert not is_app_page(bad), bad


def test_pdf_without_chromium_says_so(sqlite_url, make_app, monkeypatch):
    with pytest.raises(page_pdf.PdfUnavailable, match="needs Chromium"):
        page_pdf.browser_paths(Settings(database_url=sqlite_url,
                                        chromium_path="/nonexistent/chromium"))
    engine = db.get_engine(sqlite_url)
    small_plant(engine)
    app = make_app(sqlite_url)
    with engine.begin() as conn:
        head = users.create_user(conn, "head", "head-password", role="plant_head")
    monkeypatch.setenv("PATH", "/nonexistent")  # no chromium, no chromedriver
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        login_user(head)
        download, message = page_export.export_page(
            "page-export-pdf", "quality", "/quality", D.isoformat(), D.isoformat(), [], [], [])
    assert download is no_update
    assert isinstance(message, dbc.Alert) and "needs Chromium and chromedriver" in str(
        message.children)
    # the workbook does not need Chromium
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        login_user(head)
        download, message = page_export.export_page(
            "page-export-xlsx", "quality", "/quality", D.isoformat(), D.isoformat(), [], [], [])
    assert download["filename"] == f"floorpulse-quality-page-{D}-{D}.xlsx" and message is None


@pytest.mark.skipif(not (page_pdf.shutil.which("chromium") and
                         page_pdf.shutil.which("chromedriver")), reason="no Chromium here")
def test_pdf_of_the_page_as_seen(signed_in):  # noqa: F811
    dash_duo, base = signed_in
    cookies = {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}
    settings = Settings(testing=True)  # Chromium and chromedriver found on PATH
    pdf = page_pdf.print_page(settings, base, f"/quality?start={D}&end={D}", cookies,
                              "quality-content")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") + pdf.count(b"/Type/Page") >= 1
    # only a page of this site is ever opened
    with pytest.raises(page_pdf.PdfFailed, match="not a page"):
        page_pdf.print_page(settings, base, "//evil.example/", cookies, "quality-content")
    # the page's own menu offers it
    dash_duo.driver.get(f"{base}/quality?start={D}&end={D}")
    dash_duo.wait_for_element("#page-export-menu", timeout=10)
    assert dash_duo.get_logs() == []
