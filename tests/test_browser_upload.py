"""The Admin page's upload box in headless Chromium: a workbook dropped on it is imported by the
background job with its outcome shown, a bad CSV shows its errors per row in a paged grid and
changes nothing; no console errors (CSP on)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from data import db, schema
from tests.browser import grid_rows, serve_signed_in
from tests.test_browser_admin import admin_app  # noqa: F401 (the fixture)


def _upload(duo, path) -> None:
    """Choose `path` in the box's file input (emptied first: chromedriver adds to a multiple
    input's files, where a person's new choice replaces them)."""
    field = duo.driver.find_element(By.CSS_SELECTOR, "#admin-upload input[type=file]")
    duo.driver.execute_script("arguments[0].value = '';", field)
    field.send_keys(str(path))


def _result(duo, contains: str) -> str:
    WebDriverWait(duo.driver, 60, poll_frequency=0.1).until(
        lambda d: contains in d.find_element(By.ID, "admin-reload-result").text)
    return duo.find_element("#admin-reload-result").text


def _lines(tmp_path) -> int:
    engine = db.get_engine(f"sqlite:///{tmp_path / 'test.db'}")
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.lines)).scalar()


def test_upload_a_workbook_then_a_bad_csv(dash_duo, admin_app, tmp_path):  # noqa: F811
    book = Workbook()
    book.active.title = "lines"
    for row in (["line_code", "name", "department", "floor"], ["U01", "Upload line", "Sewing", 2]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "plant.xlsx").write_bytes(buffer.getvalue())
    before = _lines(tmp_path)

    base = serve_signed_in(dash_duo, admin_app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/admin")
    dash_duo.wait_for_element("#admin-upload", timeout=30)
    _upload(dash_duo, tmp_path / "plant.xlsx")
    text = _result(dash_duo, "Imported")
    assert "Imported 1 rows from 1 files" in text and "lines.csv: 1" in text
    assert _lines(tmp_path) == before + 1
    dash_duo.wait_for_contains_text("#admin-imports-grid", "upload: plant.xlsx", timeout=30)

    bad = "style_code,description,smv\n" + "".join(f"B{i},Tee,x\n" for i in range(250))
    (tmp_path / "styles.csv").write_text(bad)
    _upload(dash_duo, tmp_path / "styles.csv")
    text = _result(dash_duo, "Import failed")
    assert "250 error(s)" in text and "nothing was written" in text
    dash_duo.wait_for_contains_text("#admin-errors .ag-pinned-left-cols-container", "styles.csv",
                                    timeout=30)
    assert grid_rows(dash_duo, "#admin-errors")[0][:3] == ["styles.csv", "2", "smv"]
    # paged: 100 rows a page, three pages
    assert "1 to 100 of 250" in dash_duo.find_element("#admin-errors .ag-paging-panel").text
    dash_duo.find_element("#admin-errors .ag-paging-button[aria-label='Next Page']").click()
    dash_duo.wait_for_contains_text("#admin-errors .ag-paging-panel", "101 to 200 of 250",
                                    timeout=15)
    assert _lines(tmp_path) == before + 1
    dash_duo.wait_for_contains_text("#admin-audit-grid", "reload failed", timeout=30)
    assert dash_duo.get_logs() == []
