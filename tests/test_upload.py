"""POST /api/v1/imports (SPEC section 10): CSV files or one XLSX workbook, all or nothing, the 422
shape, who may upload, and the error list capped at 1,000 (issue 21 item 9) in the answer and
the history. On SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
from datetime import datetime
from textwrap import dedent

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from data import schema
from ingest import history
from tests.clients import clients_by_role
from tests.test_importer import GOOD, GOOD_COUNTS, data_version, table_counts

MASTER = ["lines.csv", "shifts.csv", "styles.csv", "employees.csv"]


@pytest.fixture
def clients(engine, database_url, make_app):
    app = make_app(database_url)
    return clients_by_role(app, engine)


def _csv(name: str) -> bytes:
    return dedent(GOOD[name]).strip().encode() + b"\n"


def _post(client, files: list[tuple[str, bytes]]):
    data = {f"file{i}": (io.BytesIO(content), name) for i, (name, content) in enumerate(files)}
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data")


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.create_sheet("Notes")  # an empty spare sheet is ignored
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _history(engine):
    with engine.connect() as conn:
        return conn.execute(schema.imports.select().order_by(schema.imports.c.id.desc())
                            ).mappings().first()


def test_csv_upload_imports_every_file_and_joins_the_history(clients, engine):
    version = data_version(engine)
    resp = _post(clients(), [(name, _csv(name)) for name in GOOD])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["rows"] == {name[:-4]: n for name, n in GOOD_COUNTS.items()}
    assert table_counts(engine)["production"] == GOOD_COUNTS["production.csv"]
    assert data_version(engine) == version + 1
    row = _history(engine)
    assert (row["id"], row["kind"], row["status"], row["username"]) == (
        body["import_id"], "upload", "ok", "u-admin")
    assert row["source"].startswith("upload: lines.csv, shifts.csv")
    # again: the same rows update, never duplicate
    assert _post(clients(), [(name, _csv(name)) for name in GOOD]).status_code == 200
    assert table_counts(engine)["production"] == GOOD_COUNTS["production.csv"]


def test_xlsx_workbook_imports_a_sheet_per_file_with_typed_cells(clients, engine):
    book = _workbook({
        "lines": [["line_code", "name", "department", "floor"], ["L01", "Line 1", "Sewing", 1]],
        "shifts": [["shift_code", "name", "start", "end", "break_minutes", "weekly_off"],
                   ["A", "Day", datetime(1900, 1, 1, 8, 0), "17:00", 60.0, "Fri"]],
        "styles": [["style_code", "description", "smv"], ["S1", "Polo", 7.32]],
        "punches": [["emp_code", "ts", "direction", "device_id"]],
        "holidays": [["date", "name"], [datetime(2026, 3, 26), "Independence Day"]],
        "production": [["date", "shift_code", "line_code", "hour", "style_code", "stage", "qty"],
                       [datetime(2026, 3, 2), "A", "L01", 9, "S1", "output", 120],
                       [datetime(2026, 3, 2), "A", "L01", 10.0, "S1", "output", 130]],
    })
    resp = _post(clients(), [("plant.xlsx", book)])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["rows"] == {"lines": 1, "shifts": 1, "styles": 1, "punches": 0,
                                       "holidays": 1, "production": 2}
    with engine.connect() as conn:
        qty = conn.execute(select(schema.production.c.hour, schema.production.c.qty)
                           .order_by(schema.production.c.hour)).all()
        start = conn.execute(select(schema.shifts.c.start)).scalar()
        holiday = conn.execute(select(schema.holidays.c.date)).scalar()
    assert [tuple(r) for r in qty] == [(9, 120), (10, 130)]
    assert str(start)[:5] == "08:00" and str(holiday) == "2026-03-26"


def test_a_bad_row_writes_nothing_and_answers_422_with_every_bad_row(clients, engine):
    _post(clients(), [(name, _csv(name)) for name in MASTER])
    before, version = table_counts(engine), data_version(engine)
    production = _csv("production.csv").decode().splitlines()
    production[2] = production[2].replace(",120", ",lots")  # line 3 of the file
    files = [(name, _csv(name)) for name in ("styles.csv", "qc_checks.csv")] + [
        ("production.csv", ("\n".join(production) + "\nnot,a,row\n").encode())]
    resp = _post(clients(), files)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "import_failed" and "nothing was written" in error["message"]
    errors = error["details"]["errors"]
    assert any(e.startswith("production.csv:3: qty: ") for e in errors), errors
    assert all(e.split(":")[0] == "production.csv" for e in errors)
    assert error["details"]["more_errors"] == 0
    assert table_counts(engine) == before and data_version(engine) == version
    row = _history(engine)
    assert row["status"] == "failed" and json.loads(row["errors"]) == errors
    assert row["id"] == error["details"]["import_id"]


def test_a_bad_sheet_row_names_the_workbook_and_sheet(clients, engine):
    book = _workbook({"styles": [["style_code", "description", "smv"], ["S1", "Polo", 7.32],
                                 ["S2", "Tee", "quick"]],
                      "Sheet9": [["a"], [1]]})
    resp = _post(clients(), [("plant.xlsx", book)])
    assert resp.status_code == 422
    errors = resp.get_json()["error"]["details"]["errors"]
    assert errors[0].startswith("plant.xlsx[styles]:3: smv: "), errors
    assert any(e.startswith("plant.xlsx[Sheet9]:1: -: unknown file") for e in errors)
    assert table_counts(engine)["styles"] == 0


@pytest.mark.parametrize("files, message", [
    ([], "no files sent"),
    ([("notes.txt", b"hello")], "notes.txt:0: -: not a .csv file"),
    ([("a.xlsx", b"PK not really")], "a.xlsx:0: -: not a readable .xlsx"),
    ([("a.xlsx", b""), ("lines.csv", b"line_code\nL1\n")], "send one workbook on its own"),
    ([("lines.csv", b"line_code\nL1\n"), ("LINES.csv", b"line_code\nL2\n")], "sent twice"),
])
def test_what_cannot_be_imported_is_refused_with_its_reason(clients, engine, files, message):
    resp = _post(clients(), files)
    assert resp.status_code == 422, resp.get_json()
    errors = resp.get_json()["error"]["details"]["errors"]
    assert message in errors[0]
    assert table_counts(engine)["lines"] == 0
    assert _history(engine)["kind"] == "upload"


def test_a_browser_path_in_a_file_name_is_only_a_name(clients, engine):
    resp = _post(clients(), [("/home/hr/lines.csv", _csv("lines.csv")),
                             ("../../lines2/styles.csv", _csv("styles.csv"))])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["rows"] == {"lines": 2, "styles": 2}


@pytest.mark.parametrize("who", ["plant_head", "line_manager", "viewer", "ingest"])
def test_only_admins_may_upload(clients, engine, who):
    resp = _post(clients(who), [("lines.csv", _csv("lines.csv"))])
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert table_counts(engine)["lines"] == 0


def test_error_list_is_capped_in_the_answer_and_the_history(clients, engine):
    bad = "style_code,description,smv\n" + "".join(f"S{i},Tee,x\n" for i in range(2500))
    resp = _post(clients(), [("styles.csv", bad.encode())])
    assert resp.status_code == 422
    details = resp.get_json()["error"]["details"]
    assert len(details["errors"]) == history.MAX_ERRORS == 1000
    assert details["more_errors"] == 1500
    assert details["errors"][0].startswith("styles.csv:2: smv: ")
    assert details["errors"][-1].startswith("styles.csv:1001: smv: ")
    row = _history(engine)
    assert len(json.loads(row["errors"])) == 1000 and row["error_count"] == 2500


def test_the_upload_is_in_the_openapi_document_as_multipart(clients):
    doc = clients().get("/api/openapi.json").get_json()
    op = doc["paths"]["/api/v1/imports"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert set(op["responses"]) >= {"200", "401", "403", "422"}
