"""POST /api/v1/imports (SPEC section 10): the `import` command over HTTP, for admins.

Multipart form data with CSV files named as in SPEC section 2, or one .xlsx workbook with a sheet
per file (ingest/upload.py). One transaction: on any error nothing is written and the answer is
422 `import_failed` listing the bad rows (the first 1,000, with the count of the rest).
"""
from __future__ import annotations

from flask import jsonify, request

from api.common import admin_only
from api.declare import route
from core.context import current
from core.errors import ApiError
from auth.gate import request_user
from ingest import history, upload
from ingest.csv_rules import BY_FILENAME

UPLOAD_BODY = {
    "type": "object",
    "properties": {"files": {
        "type": "array", "items": {"type": "string", "format": "binary"},
        "description": "CSV files named as in SPEC section 2 (production.csv, ...), or one .xlsx "
                       "workbook whose sheets are named production, punches, ... Any form field "
                       "name will do; the file names decide."}},
}
IMPORTED = {
    "type": "object", "required": ["rows", "import_id"],
    "properties": {
        "rows": {"type": "object", "additionalProperties": {"type": "integer"},
                 "description": "rows read per table"},
        "import_id": {"type": ["integer", "null"], "description": "its row in the import "
                                                                  "history"}},
}


@route("POST", "/v1/imports", tag="data in", body=UPLOAD_BODY, body_type="multipart/form-data",
       summary="Upload CSV files or an XLSX workbook and import them, all or nothing (admins)",
       answers={200: IMPORTED}, errors={403: ("forbidden",), 422: ("import_failed",)})
@admin_only
def post_import():
    """Every file is checked first; one bad row and nothing is written. The error list gives each
    bad row as `file:line: column: reason` (a workbook's as `book.xlsx[sheet]:line: ...`)."""
    files = [(f.filename or "", f.read()) for _field, f in request.files.items(multi=True)]
    files = [(name, content) for name, content in files if name or content]
    ctx = current()
    report = upload.import_upload(ctx.engine, files, plant_tz=ctx.settings.plant_tz,
                                  username=request_user().username)
    if not report.ok:
        more = max(report.error_count - len(report.errors), 0)
        raise ApiError(422, "import_failed",
                       f"The import failed with {report.error_count:,} error(s); nothing was "
                       "written." + (f" The first {history.MAX_ERRORS:,} are listed."
                                     if more else ""),
                       {"errors": report.errors, "more_errors": more,
                        "import_id": report.import_id})
    return jsonify({"rows": {_table(name): n for name, n in report.row_counts.items()},
                    "import_id": report.import_id})


def _table(file_name: str) -> str:
    return BY_FILENAME[file_name.lower()].table.name
