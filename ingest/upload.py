"""An upload is the CSV import over HTTP (SPEC section 10): CSV files named as in section 2, or
one .xlsx workbook whose sheet names are those file names without `.csv`.

The files are staged in a private temporary folder (a workbook's sheets written out as CSV, cell
by cell, so a sheet's row N is the CSV's line N) and the folder goes through the import itself:
the same checks, the same one transaction, the same history. Errors name what the user sent: a
sheet's rows read `book.xlsx[production]:5: qty: ...`.
"""
from __future__ import annotations

import csv
import io
import logging
import tempfile
import zipfile
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Sequence

from sqlalchemy import Engine

from ingest import history
from ingest.csv_rules import BY_FILENAME
from ingest.importer import ImportReport, Progress, _now, import_folder

log = logging.getLogger(__name__)

KIND = "upload"


class _Refused(ValueError):
    """What was sent cannot be imported at all (its message is one error line)."""


def import_upload(engine: Engine, files: Sequence[tuple[str, bytes]], *, plant_tz: str,
                  username: str | None = None, progress: Progress | None = None
                  ) -> ImportReport:
    """Import uploaded (file name, content) pairs; all or nothing, recorded in the history."""
    names = [_base_name(name) for name, _ in files]
    source = "upload: " + (", ".join(names) or "no files")
    with tempfile.TemporaryDirectory(prefix="floorpulse-upload-") as tmp:
        try:
            shown_as = _stage(files, Path(tmp))
        except _Refused as err:
            return _refused(engine, source, str(err), plant_tz, username)
        return import_folder(engine, tmp, plant_tz=plant_tz, username=username,
                             progress=progress, kind=KIND, source=source, shown_as=shown_as)


def _refused(engine, source, error, plant_tz, username) -> ImportReport:
    started = _now(plant_tz)
    report = ImportReport(ok=False, errors=[error], error_count=1)
    report.import_id = history.record_import(
        engine, kind=KIND, source=source, username=username, started=started,
        finished=_now(plant_tz), ok=False, row_counts={}, errors=[error])
    log.info("upload %s refused: %s", source, error)
    return report


def _base_name(name: str) -> str:
    """The file's own name, whatever folder the browser or client put in front of it."""
    return PureWindowsPath(PurePosixPath(name or "").name).name.strip()


def _stage(files: Sequence[tuple[str, bytes]], folder: Path) -> dict[str, str]:
    """Write the files into `folder` as the import expects them; returns {staged name: the name
    errors should give}. Raises _Refused for an upload that is not CSV files or one workbook."""
    if not files:
        raise _Refused("upload:0: -: no files sent; send CSV files named as in SPEC section 2 "
                       "or one .xlsx workbook")
    names = [_base_name(name) for name, _ in files]
    books = [n for n in names if n.lower().endswith(".xlsx")]
    others = [n for n in names if not n.lower().endswith((".csv", ".xlsx"))]
    if others:
        raise _Refused(f"{others[0]}:0: -: not a .csv file or an .xlsx workbook")
    if books and len(files) > 1:
        raise _Refused(f"{books[0]}:0: -: send one workbook on its own, or CSV files, not both")
    if books:
        return _stage_workbook(books[0], files[0][1], folder)
    seen: set[str] = set()
    for name, (_, content) in zip(names, files):
        if name.lower() in seen:
            raise _Refused(f"{name}:0: -: sent twice")
        seen.add(name.lower())
        (folder / name).write_bytes(content)
    return {}


def _stage_workbook(book: str, content: bytes, folder: Path) -> dict[str, str]:
    """Each non-empty sheet as `<sheet>.csv`; a sheet's row N is the CSV's line N."""
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise _Refused(f"{book}:0: -: not a readable .xlsx workbook ({err})") from None
    shown_as: dict[str, str] = {}
    try:
        for sheet in workbook.worksheets:
            staged = f"{sheet.title.strip()}.csv"
            if "/" in staged or "\\" in staged or staged.lower() in (n.lower() for n in shown_as):
                raise _Refused(f"{book}[{sheet.title}]:0: -: sheet name is not a file name of "
                               "SPEC section 2")
            kinds = {}
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            wrote_any = False
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number == 1:
                    spec = BY_FILENAME.get(staged.lower())
                    header = ["" if v is None else str(v).strip() for v in row]
                    kinds = {i: _kind(spec, h) for i, h in enumerate(header)} if spec else {}
                cells = ["" if v is None else _cell(v, kinds.get(i)) for i, v in enumerate(row)]
                wrote_any = wrote_any or any(cells)
                writer.writerow(cells)
            if not wrote_any:  # an empty sheet (a workbook's spare "Sheet1") is nothing to load
                continue
            (folder / staged).write_text(buffer.getvalue(), encoding="utf-8")
            shown_as[staged] = f"{book}[{sheet.title}]"
    finally:
        workbook.close()
    if not shown_as:
        raise _Refused(f"{book}:0: -: the workbook has no sheet with data")
    return shown_as


def _kind(spec, column: str) -> str | None:
    return next((c.kind for c in spec.columns if c.name == column), None)


def _cell(value, kind: str | None) -> str:
    """A cell as the CSV text the import reads: dates as YYYY-MM-DD, times as HH:MM, timestamps as
    ISO 8601, whole numbers without ".0"."""
    if isinstance(value, datetime):
        if kind == "date":
            return value.date().isoformat()
        if kind == "time":
            return value.strftime("%H:%M")
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M") if kind == "time" else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
