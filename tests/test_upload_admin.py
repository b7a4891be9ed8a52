"""The Admin page's upload box (reports/admin.py, pages/admin.py): files dropped on it run as the
reload's background job (ticket, progress, history, audit); a failed upload's errors are paged
from the stored list, which keeps the first 1,000 and counts the rest (issue 21 item 9).
SQLite and PostgreSQL."""
from __future__ import annotations

import base64
import json
import sys

import pytest
from flask_login import login_user

from auth import users
from data import schema
from ingest import history
from reports import admin
from tests.test_admin import _audit, _counts, _version, ctx  # noqa: F401 (the fixture)
from tests.test_importer import GOOD, GOOD_COUNTS
from textwrap import dedent


@pytest.fixture
def page(ctx, database_url, make_app):
    """pages/admin.py of an app on the same database, with boss signed in."""
    app = make_app(database_url)
    with ctx.engine.connect() as conn:
        boss = users.get_user_by_name(conn, "boss")
    with app.server.test_request_context("/"):
        login_user(boss)
        yield sys.modules["pages.admin"]


def _data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def _drop(ctx, files: dict[str, str], progress=lambda *_: None):
    ticket = admin.request_upload(ctx, "boss", [_data_url(t) for t in files.values()],
                                  list(files))
    return admin.run_reload(ctx, ticket, progress)


def test_dropped_files_import_as_a_background_job_with_progress(ctx):
    before = _version(ctx.engine)
    seen = []
    result = _drop(ctx, {name: dedent(text).strip() + "\n" for name, text in GOOD.items()},
                   lambda fraction, message: seen.append(fraction))
    assert result.ok, result.errors
    assert result.action == "upload" and result.row_counts == GOOD_COUNTS
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 5
    assert _version(ctx.engine) > before
    row = admin.import_history(ctx).iloc[0]
    assert (row["kind"], row["status"], row["username"], int(row["id"])) == (
        "upload", "ok", "boss", result.import_id)
    assert [a[1] for a in _audit(ctx)] == ["reload requested", "reload finished"]
    assert _audit(ctx)[0][2]["kind"] == "upload"
    assert _audit(ctx)[0][2]["source"].startswith("upload: lines.csv, shifts.csv")


def test_a_failed_upload_pages_its_capped_errors(ctx, page):
    before = _counts(ctx.engine)
    bad = "style_code,description,smv\n" + "".join(f"S{i},Tee,x\n" for i in range(1200))
    result = _drop(ctx, {"lines.csv": "line_code,name\nL01,Line 1\n", "styles.csv": bad})
    assert not result.ok and "1,200 error(s)" in result.message
    assert (len(result.errors), result.error_count) == (1000, 1200)
    assert _counts(ctx.engine) == before
    assert _audit(ctx)[-1][2]["errors"] == 1200
    row = admin.import_history(ctx).iloc[0]
    assert row["error_count"] == 1200 and row["first_error"].startswith("styles.csv:2: smv: ")
    # the page's grid asks for pages; the answer holds that page only
    grid = {"type": page.ERRORS_GRID, "import": result.import_id, "render": "x"}
    first = page.import_error_rows({"startRow": 0, "endRow": 100}, grid)
    assert first["rowCount"] == 1000 and len(first["rowData"]) == 100
    assert first["rowData"][0] == {"file": "styles.csv", "line": 2, "column": "smv",
                                   "reason": first["rowData"][0]["reason"]}
    last = page.import_error_rows({"startRow": 900, "endRow": 1000, "sortModel": [
        {"colId": "line", "sort": "desc"}]}, grid)
    # sorted by line, newest first: the last page holds lines 101 down to 2
    assert [last["rowData"][i]["line"] for i in (0, -1)] == [101, 2]
    # the outcome says how many are not listed, and sends no error with it
    view = page.result_view(False, result.message, result.errors, result.row_counts,
                            import_id=result.import_id, error_count=result.error_count)
    shown = json.dumps(view.to_plotly_json(), default=str)
    assert "200 more are not listed" in shown and "styles.csv:2" not in shown


def test_bad_pages_and_unknown_imports_answer_empty(ctx, page):
    grid = {"type": page.ERRORS_GRID, "import": 999, "render": "x"}
    assert page.import_error_rows({"startRow": 0, "endRow": 100}, grid)["rowCount"] == 0
    assert page.import_error_rows({"startRow": 0, "endRow": 10**6}, grid)["rowCount"] == 0
    assert page.import_error_rows({"startRow": "x"}, {"import": "y"})["rowCount"] == 0


@pytest.mark.parametrize("contents, names, message", [
    ([], [], "Drop CSV files"),
    (["data:text/csv;base64,@@@"], ["lines.csv"], "did not arrive whole"),
    ([5], ["lines.csv"], "Drop CSV files"),
])
def test_bad_drops_are_refused_before_anything_starts(ctx, contents, names, message):
    with pytest.raises(admin.AdminError, match=message):
        admin.request_upload(ctx, "boss", contents, names)


def test_old_history_rows_are_counted_and_capped_by_the_migration(ctx):
    """Migration 0008 on a history made before it: the error count filled in, the list cut."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    import importlib
    migration = importlib.import_module("migrations.versions.0008_manual_punches")
    with ctx.engine.begin() as conn:
        conn.execute(schema.imports.insert().values(
            source="old", kind="csv", status="failed",
            errors=json.dumps([f"x.csv:{i}: a: bad" for i in range(1500)])))
        with Operations.context(MigrationContext.configure(conn)):
            migration.upgrade()  # its columns are there already: only the count and the cut
    detail = admin.import_detail(ctx, int(admin.import_history(ctx).iloc[0]["id"]))
    assert detail["error_count"] == 1500 and len(detail["errors"]) == history.MAX_ERRORS
