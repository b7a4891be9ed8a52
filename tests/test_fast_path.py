"""The fast path cannot break silently: no page reads raw facts for days its rollups cover.

Every page's view is rendered (through /api/v1/views/<page>) on a small plant with every kind of
data and every rollup built, over a week and over 65 days, while every SQL statement is recorded.
A read of a fact table that a rollup covers (production, qc_checks and defects by line_day;
camera events by util_daily; attendance_daily by attendance_day) is allowed only when

- it spans two days at most (today's hours, a ≤ 2-day window by hour, one day's worker timeline):
  the rollups are daily, so those reads need the facts; or
- it reads a month rollup too (attendance_month, defect_month, operator_month), in a UNION ALL
  whose facts part is the partial months at the window's edges; or
- it is one of the groupings below that no rollup holds, each named with why.

Anything else is a page that has fallen back to the facts: on a year of a large plant that is the
difference between 30 ms and several seconds, and no numbers test would notice (the numbers are
the same). The second test switches line_day off and checks that this one would fail.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.context import Context
from ingest import rollups
from queries import line_day
from reports.views import VIEWS
from tests.full_plant import full_plant

NOW = datetime(2026, 3, 4, 10, 30)
WINDOWS = [("2026-02-28", "2026-03-06"), ("2026-01-01", "2026-03-06")]
COVERED = ("production", "qc_checks", "defects", "events", "attendance_daily", "operator_output")
# month rollups (queries/months.py): a statement reading one of them reads the facts only for the
# partial months at the window's edges, in the same UNION ALL
MONTH_ROLLUP = re.compile(r"\bFROM\s+\"?(attendance_month|defect_month|operator_month)\b.*"
                          r"\bUNION ALL\b", re.IGNORECASE)
NO_WHOLE_MONTH = 61  # the longest window holding no whole month (the 2nd to the next month's end)

# (page, table, a pattern of the statement, the longest span allowed in days or None): facts read
# on purpose, with the reason
BY_DESIGN = [
    ("quality", "defects", r"GROUP BY defects\.reason, defects\.operation", NO_WHOLE_MONTH,
     "the Paretos of a window without a whole month (defect_month holds whole months)"),
    ("quality", "defects", r"defects\.repaired_ts IS NULL ORDER BY .* LIMIT", None,
     "the open-defects grid lists single defects, a page of them at a time"),
    ("workforce", "attendance_daily", r"GROUP BY attendance_daily\.emp_code", NO_WHOLE_MONTH,
     "the employee grid of a window without a whole month (attendance_month holds those)"),
    ("engineering", "operator_output", r"GROUP BY operator_output\.operation, "
     r"operator_output\.style_code", None,
     "line balance sums pieces with an SMV per operation and style; operator_month keeps neither"
     " that count nor a grain the balance needs (it is per operator and month)"),
    ("lines", "operator_output", r"GROUP BY operator_output\.emp_code", NO_WHOLE_MONTH,
     "the operator grid of a window without a whole month (operator_month holds those)"),
    ("workforce", "attendance_daily", r"attendance_daily\.emp_code IN \(", None,
     "the heat map's rows: the days of the 60 people it shows"),
    ("lines", "production", r"GROUP BY production\.line_code, production\.date, "
     r"production\.shift_code, production\.hour", 14,
     "WIP over time is walked hour by hour in windows of 14 days or less"),
]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _dates(params) -> list[date]:
    values = params.values() if isinstance(params, dict) else (params or ())
    found = []
    for v in values:
        if isinstance(v, datetime):
            found.append(v.date())
        elif isinstance(v, date):
            found.append(v)
        elif isinstance(v, str) and DATE.match(v):
            found.append(date.fromisoformat(v[:10]))
    return found


def _tables(statement: str) -> set[str]:
    return {t for t in COVERED
            if re.search(rf'\b(FROM|JOIN)\s+"?{t}"?\b', statement, re.IGNORECASE)}


def slow_reads(client) -> list[str]:
    """Every read of covered facts that is neither short nor by design, as 'page window: table:
    SQL' lines."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append((" ".join(statement.split()), params))

    found = []
    event.listen(Engine, "before_cursor_execute", record)
    try:
        for start, end in WINDOWS:
            for page in VIEWS:
                seen.clear()
                answer = client.get(f"/api/v1/views/{page}?start={start}&end={end}")
                assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
                for statement, params in seen:
                    for table in _tables(statement):
                        dates = _dates(params)
                        span = (max(dates) - min(dates)).days + 1 if dates else None
                        if span is not None and span <= 2 or MONTH_ROLLUP.search(statement):
                            continue
                        if any(p == page and t == table and re.search(pattern, statement)
                               and (longest is None or (span or 0) <= longest)
                               for p, t, pattern, longest, _ in BY_DESIGN):
                            continue
                        found.append(f"{page} {start}..{end}: {table}: {statement[:300]}")
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return found


@pytest.fixture
def client(engine, database_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    _, token = full_plant(engine)
    with engine.begin() as conn:
        rollups.refresh(conn)
    test_client = make_app(database_url).server.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return test_client


def test_no_page_reads_facts_its_rollups_cover(client):
    assert slow_reads(client) == []


def test_the_check_catches_a_page_that_falls_back_to_the_facts(client, monkeypatch):
    monkeypatch.setattr(line_day, "usable", lambda keys: False)
    found = slow_reads(client)
    pages = {line.split()[0] for line in found}
    assert {"overview", "lines", "quality"} <= pages, found


def test_the_check_catches_a_page_that_falls_back_from_the_month_rollups(client, monkeypatch):
    from queries import months
    monkeypatch.setattr(months, "split", lambda start, end: (None, [(start, end)]))
    monkeypatch.setattr(months, "cover", lambda start, end: (None, [(start, end)], []))
    found = slow_reads(client)
    pages = {line.split()[0] for line in found}
    assert {"workforce", "lines", "quality"} <= pages, found
