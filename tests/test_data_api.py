"""POST /api/v1/data/<name> (SPEC section 10) on SQLite and PostgreSQL: per dataset a good item, a
bad item and an upsert; the line-end counter; unknown names, oversize bodies and who may post."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from auth import users
from data import schema
from ingest import datasets
from tests.factories import D

DAY = D.isoformat()  # 2026-03-02, shift A 08:00-17:00 on lines L01/L02, styles S1/S2


def post(client, name, body, **kw):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/api/v1/data/{name}", data=data, content_type="application/json", **kw)


def rows_of(engine, table, **where):
    with engine.connect() as conn:
        stmt = select(table).where(*[table.c[k] == v for k, v in where.items()])
        return [r._asdict() for r in conn.execute(stmt)]


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_line_end_counter_posting_one_hour_three_times_ends_with_the_last_count(api_client):
    # L01 has no output at 12:00 (the break) in the small plant: 1,600 over the day
    hour = {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 12, "style_code": "S1",
            "stage": "output"}
    answers = [post(api_client, "production", dict(hour, qty=qty)).get_json()
               for qty in (40, 95, 150)]
    assert [(a["accepted"], a["updated"], a["duplicates"]) for a in answers] == [
        (1, 0, 0), (1, 1, 0), (1, 1, 0)]
    again = post(api_client, "production", dict(hour, qty=150)).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    body = api_client.get(f"/api/v1/production?start={DAY}&end={DAY}&group_by=line,hour"
                          "&line=L01").get_json()
    by_hour = {r["hour"]: r["output"] for r in body["rows"]}
    assert by_hour[12] == 150
    assert body["total"]["output"] == 1600 + 150


def test_a_breakdown_posted_open_then_closed_is_one_breakdown(api_client, engine):
    open_ = {"breakdown_id": "BD-7", "line_code": "L02", "category": "Mechanical",
             "reason": "Needle broken", "start_ts": f"{DAY}T10:00:00"}
    assert post(api_client, "breakdowns", open_).get_json()["accepted"] == 1
    closed = post(api_client, "breakdowns", dict(open_, end_ts=f"{DAY}T10:45:00")).get_json()
    assert (closed["accepted"], closed["updated"]) == (1, 1)
    (row,) = rows_of(engine, schema.breakdowns)
    assert row["end_ts"].isoformat() == f"{DAY}T10:45:00"
    assert (str(row["date"]), row["shift_code"]) == (DAY, "A")


def test_bad_items_are_rejected_with_index_and_reason_and_the_rest_stored(api_client, engine):
    good = {"style_code": "S9", "description": "Tee", "smv": 4.5}
    batch = [good, {"style_code": "S8", "smv": -1}, "a string", {"style_code": "S7", "smv": 3,
             "colour": "red"}, {"smv": 2}, dict(good, style_code="S6", smv=[1])]
    out = post(api_client, "styles", batch).get_json()
    assert (out["accepted"], out["duplicates"]) == (1, 0)
    assert out["rejected"] == [
        {"index": 1, "reason": "smv: must be greater than 0: '-1'"},
        {"index": 2, "reason": "an item must be a JSON object"},
        {"index": 3, "reason": "colour: unknown column"},
        {"index": 4, "reason": "style_code: missing value"},
        {"index": 5, "reason": "smv: not a single value"},
    ]
    assert [r["style_code"] for r in rows_of(engine, schema.styles, style_code="S9")] == ["S9"]
    assert count(engine, schema.styles) == 3  # S1, S2 and S9


def test_unknown_dataset_is_404(api_client):
    r = post(api_client, "widgets", [{"a": 1}])
    assert r.status_code == 404
    err = r.get_json()["error"]
    assert err["code"] == "unknown_dataset" and "production" in err["details"]["datasets"]


def test_more_than_ten_thousand_items_is_413_and_stores_nothing(api_client, engine):
    batch = [{"line_code": f"X{i}"} for i in range(datasets.MAX_ITEMS + 1)]
    r = post(api_client, "lines", batch)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "batch_too_large"
    assert "10,001" in r.get_json()["error"]["message"]
    assert count(engine, schema.lines) == 2


def test_a_body_over_twenty_megabytes_is_413_and_stores_nothing(api_client, engine):
    filler = "x" * 3000
    batch = [{"line_code": f"X{i}", "name": filler} for i in range(7200)]  # ~21.7 MB
    body = json.dumps(batch)
    assert len(body) > datasets.MAX_BYTES
    r = post(api_client, "lines", body)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "batch_too_large"
    assert count(engine, schema.lines) == 2


@pytest.mark.parametrize("body, code", [("{not json", "bad_json"), ('"a string"', "bad_batch"),
                                        ("[" * 100_000 + "]" * 100_000, "bad_json")])
def test_bodies_that_are_not_batches_are_400(api_client, body, code):
    r = post(api_client, "lines", body)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == code


def test_only_admins_and_ingest_tokens_may_post(api_client, engine):
    with engine.begin() as conn:
        viewer = users.create_user(conn, "viewer", "viewer-password", role="viewer")
        read = users.create_token(conn, viewer)
        ingest = users.create_token(conn, viewer, purpose="ingest")
    item = {"line_code": "L09"}
    r = post(api_client, "lines", item, headers={"Authorization": f"Bearer {read}"})
    assert r.status_code == 403 and count(engine, schema.lines) == 2
    r = post(api_client, "lines", item, headers={"Authorization": f"Bearer {ingest}"})
    assert r.status_code == 200 and r.get_json()["accepted"] == 1


def test_the_data_version_moves_only_when_rows_are_written(api_client, engine):
    from data import db
    with engine.connect() as conn:
        before = db.get_data_version(conn)
    post(api_client, "lines", {"line_code": "L01", "name": "Line 1", "department": "Sewing",
                               "floor": "1"})  # identical to the stored row
    with engine.connect() as conn:
        assert db.get_data_version(conn) == before
    post(api_client, "lines", {"line_code": "L01", "name": "Line One", "department": "Sewing",
                               "floor": "1"})
    with engine.connect() as conn:
        assert db.get_data_version(conn) == before + 1


# --- every dataset: a good item, a bad item and an upsert ----------------------------------------

WO = {"wo_number": "WO-1", "style_code": "S1", "line_code": "L01", "order_qty": 1000,
      "status": "DRAFT", "due_date": "2026-04-01"}
STATION = {"station_code": "ST9", "name": "Hemming 1", "type": "sewing", "line_code": "L01"}

# name: (items posted first, the good item, a bad item and the start of its reason, the change)
CASES = {
    "lines": ([], {"line_code": "L03", "name": "Line 3", "department": "Sewing", "floor": "2"},
              {"line_code": "L04", "floor": "x" * 51}, "floor: longer than 50 characters",
              {"name": "Line Three"}),
    "shifts": ([], {"shift_code": "C", "name": "Evening", "start": "14:00", "end": "22:00",
                    "break_minutes": 30, "weekly_off": "Fri"},
               {"shift_code": "D", "start": "25:00", "end": "06:00"},
               "start: not a time (HH:MM): '25:00'", {"break_minutes": 45}),
    "styles": ([], {"style_code": "S3", "description": "Tee", "smv": 4.2},
               {"style_code": "S4", "smv": 0}, "smv: must be greater than 0", {"smv": 4.5}),
    "employees": ([], {"emp_code": "E100", "name": "Rina", "line_code": "L01",
                       "shift_code": "A", "date_joined": "2025-01-06"},
                  {"emp_code": "E101", "line_code": "L99"},
                  "line_code: unknown line_code 'L99'", {"line_code": "L02"}),
    "holidays": ([], {"date": "2026-03-26", "name": "Independence Day"},
                 {"date": "2026-02-30", "name": "No such day"}, "date: not a date",
                 {"name": "Independence and National Day"}),
    "machines": ([], {"machine_code": "M1", "line_code": "L01", "type": "Lockstitch",
                      "pm_interval_days": 90},
                 {"machine_code": "M2", "pm_interval_days": -1},
                 "pm_interval_days: must not be negative", {"last_pm_date": "2026-02-01"}),
    "stations": ([], STATION, {"station_code": "ST8", "line_code": "L99"},
                 "line_code: unknown line_code 'L99'", {"line_code": "L02"}),
    "work_orders": ([], WO, dict(WO, wo_number="WO-2", status="RELEASED"),
                    "released_at: WORK_ORDER_MISSING_TIMESTAMP",
                    {"status": "RELEASED", "released_at": "2026-03-01T09:00:00"}),
    "line_plans": ([], {"date": "2026-03-03", "shift_code": "A", "line_code": "L01",
                        "style_code": "S1", "target_qty": 2000, "operators": 36, "helpers": 2,
                        "working_minutes": 540},
                   {"date": "2026-03-03", "shift_code": "A", "line_code": "L02",
                    "style_code": "S2", "target_qty": 400, "operators": 20,
                    "working_minutes": 0}, "working_minutes: must be greater than 0",
                   {"target_qty": 2100}),
    "production": ([], {"date": DAY, "shift_code": "A", "line_code": "L02", "hour": 11,
                        "style_code": "S2", "stage": "output", "qty": 90},
                   {"date": DAY, "shift_code": "A", "line_code": "L02", "hour": 12,
                    "style_code": "S2", "stage": "cutting", "qty": 5},
                   "stage: not one of loading, output, packing", {"qty": 120}),
    "operator_output": ([], {"date": DAY, "shift_code": "A", "emp_code": "E001",
                             "operation": "Collar", "line_code": "L01", "style_code": "S1",
                             "smv": 0.8, "qty": 100, "minutes_worked": 120},
                        {"date": DAY, "shift_code": "A", "emp_code": "E404",
                         "operation": "Collar", "qty": 1},
                        "emp_code: unknown emp_code 'E404'", {"qty": 110}),
    "qc_checks": ([], {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 10,
                       "style_code": "S1", "checked_qty": 100, "defective_qty": 5},
                  {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 11,
                   "style_code": "S1", "checked_qty": 100, "defective_qty": 120},
                  "defective_qty: defective_qty greater than checked_qty",
                  {"checked_qty": 110}),
    "defects": ([], {"defect_id": "DF-1", "ts": f"{DAY}T10:15:00", "line_code": "L01",
                     "style_code": "S1", "emp_code": "E001", "operation": "Side seam",
                     "reason": "Broken stitch", "qty": 2},
                {"defect_id": "DF-2", "ts": f"{DAY}T10:15:00", "qty": 1,
                 "repaired_ts": f"{DAY}T09:00:00"}, "repaired_ts: repaired_ts before ts",
                {"repaired_ts": f"{DAY}T11:00:00"}),
    "breakdowns": ([], {"breakdown_id": "BD-1", "line_code": "L01", "category": "Mechanical",
                        "reason": "Needle", "start_ts": f"{DAY}T10:00:00"},
                   {"breakdown_id": "BD-2", "start_ts": "0001-01-01T00:00:00"},
                   "start_ts: outside 2000-01-01", {"end_ts": f"{DAY}T10:30:00"}),
    "punches": ([], {"emp_code": "E001", "ts": f"{DAY}T07:55:00", "direction": "IN",
                     "device_id": "G1"},
                {"emp_code": "E001", "ts": f"{DAY}T17:05:00", "direction": "SIDEWAYS"},
                "direction: not one of IN, OUT, BOTH", {"device_id": "G2"}),
    "events": ([("stations", STATION)],
               {"event_id": "ev-1", "ts": f"{DAY}T09:00:00", "emp_code": "E001",
                "station_code": "ST9", "event_type": "working", "confidence": 0.9},
               {"event_id": "ev-2", "ts": f"{DAY}T09:00:00", "emp_code": "E001",
                "station_code": "ST9", "event_type": ["working"]},
               "event_type: not a single value", {"confidence": 0.5}),
    "material_issues": ([("work_orders", WO)],
                        {"wo_number": "WO-1", "material_code": "FAB-1", "required_qty": 1200,
                         "issued_qty": 800, "unit": "m"},
                        {"wo_number": "WO-404", "material_code": "FAB-1", "required_qty": 1,
                         "issued_qty": 0},
                        "wo_number: unknown wo_number 'WO-404'", {"issued_qty": 1000}),
    "line_daily": ([], {"date": DAY, "line_code": "L01", "department": "sewing", "smv": 7.32,
                        "operators": 38, "target_productivity": 0.8,
                        "actual_productivity": 0.75, "wip": 120},
                   {"date": DAY, "line_code": "L02", "actual_productivity": "high"},
                   "actual_productivity: not a number: 'high'", {"actual_productivity": 0.78}),
}


def test_every_dataset_has_a_case():
    assert sorted(CASES) == sorted(datasets.NAMES)


def _stored_row(engine, name, item):
    spec = datasets.spec_of(name)
    key = {k: item[k] for k in spec.key if k in item}
    if name == "events" or name == "punches":
        key = {k: v for k, v in key.items() if k != "ts"}
    rows = rows_of(engine, spec.table, **{k: _typed(spec.table.c[k], v) for k, v in key.items()})
    assert len(rows) == 1, rows
    return rows[0]


def _typed(column, value):
    from datetime import date
    return date.fromisoformat(value) if str(column.type) == "DATE" else value


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_good_item_a_bad_item_and_an_upsert(api_client, engine, name):
    first, good, bad, reason, change = CASES[name]
    for other, item in first:
        assert post(api_client, other, item).get_json()["accepted"] == 1
    out = post(api_client, name, [good, bad]).get_json()
    assert (out["accepted"], out["updated"], out["duplicates"]) == (1, 0, 0), out
    [rejected] = out["rejected"]
    assert rejected["index"] == 1 and rejected["reason"].startswith(reason), rejected
    before = _stored_row(engine, name, good)
    changed = dict(good, **change)
    again = post(api_client, name, changed).get_json()
    after = _stored_row(engine, name, good)
    if name in datasets.KEEP_FIRST:  # a fact stored once: the same key again is a duplicate
        assert (again["accepted"], again["updated"], again["duplicates"]) == (0, 0, 1)
        assert after == before
        return
    assert (again["accepted"], again["updated"], again["duplicates"]) == (1, 1, 0), again
    for column, value in change.items():
        stored = after[column]
        assert (stored.isoformat() if hasattr(stored, "isoformat") else stored) == value
        assert before[column] != after[column]
    assert post(api_client, name, changed).get_json()["duplicates"] == 1


# --- one set of validators (issue 21) ------------------------------------------------------------

@pytest.mark.parametrize("name, item, reason", [
    ("events", {"event_id": "x", "ts": f"{DAY}T09:00:00", "emp_code": "E001",
                "station_code": "ST9", "event_type": {"kind": "working"}},
     "event_type: not a single value"),
    ("production", {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 9,
                    "style_code": "S1", "stage": "output", "qty": "１٣"},
     "qty: not a whole number: '１٣'"),
    ("line_daily", {"date": DAY, "line_code": "L01", "operators": "٣٨"},
     "operators: not a number: '٣٨'"),
    ("breakdowns", {"breakdown_id": "B", "start_ts": "0001-01-01T00:00:00"},
     "start_ts: outside 2000-01-01 to "),
    ("defects", {"defect_id": "D", "ts": "9999-12-31T23:59:59", "qty": 1},
     "ts: outside 2000-01-01 to "),
    ("punches", {"emp_code": "E001", "ts": "1677-09-21T00:12:44", "direction": "IN"},
     "ts: outside 2000-01-01 to "),
    ("holidays", {"date": "0001-01-01", "name": "Year one"}, "date: outside 1900-01-01"),
    ("lines", {"line_code": "L\x0009", "name": "NUL"}, "line_code: contains a NUL character"),
    ("styles", {"style_code": "S7", "description": "a\x00b", "smv": 1},
     "description: contains a NUL character: 'a\\0b'"),
    ("production", {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 9,
                    "style_code": "S1", "stage": "output", "qty": [[[[1]]]]},
     "qty: not a single value"),
    # every time cell blank: the time parser once failed on an empty column (a 500)
    ("shifts", {"shift_code": "Z", "start": "", "end": ""}, "start: missing value"),
])
def test_each_bad_value_rejects_its_item_and_the_rest_is_stored(api_client, engine, name, item,
                                                                reason):
    if name == "events":
        post(api_client, "stations", STATION)
    good = {"line_code": "L07", "name": "Fine"}
    out = post(api_client, name, [item]).get_json()
    assert out["accepted"] == 0 and out["rejected"][0]["reason"].startswith(reason), out
    assert post(api_client, "lines", good).get_json()["accepted"] == 1


def test_a_timestamp_more_than_a_day_ahead_is_rejected(api_client):
    from datetime import datetime, timedelta
    soon = (datetime.now() + timedelta(hours=2)).replace(microsecond=0).isoformat()
    later = (datetime.now() + timedelta(days=3)).replace(microsecond=0).isoformat()
    out = post(api_client, "breakdowns", [{"breakdown_id": "B1", "start_ts": soon},
                                          {"breakdown_id": "B2", "start_ts": later}]).get_json()
    assert out["accepted"] == 1 and out["rejected"][0]["index"] == 1
    assert "one day ahead of now" in out["rejected"][0]["reason"]


def test_the_import_reports_an_out_of_range_year_with_file_and_line(engine, tmp_path):
    from ingest.importer import import_folder
    from tests.camera_plant import cameras
    cameras(engine)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "events.csv").write_text(
        "event_id,ts,emp_code,station_code,event_type\n"
        "e1,2026-03-02T09:00:00,W1,ST1,working\n"
        "e2,9999-12-31T23:59:59,W1,ST1,working\n"
        "e3,0001-01-01T00:00:00,W1,ST1,idle\n")
    report = import_folder(engine, folder)
    assert not report.ok
    assert len(report.errors) == 2, report.errors
    assert report.errors[0].startswith("events.csv:3: ts: outside 2000-01-01 to ")
    assert report.errors[1].startswith("events.csv:4: ts: outside 2000-01-01 to ")
    assert "unexpected" not in " ".join(report.errors)


# --- property tests: random items never make a 500, valid ones are stored -----------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from ingest import csv_rules  # noqa: E402

CODES = ["L01", "L02", "S1", "S2", "A", "B", "E001", "ST9", "WO-1", "M1", "X", ""]
JUNK = st.one_of(st.none(), st.booleans(), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2),
                              max_leaves=4))
ODD_TEXT = st.text(alphabet=st.sampled_from("aZ09 -:T.+\x00１٣é\n\""), max_size=12)
DATES = st.dates(min_value=__import__("datetime").date(2026, 3, 1),
                 max_value=__import__("datetime").date(2026, 3, 4)).map(str)
MOMENTS = st.datetimes(min_value=__import__("datetime").datetime(2026, 3, 1),
                       max_value=__import__("datetime").datetime(2026, 3, 4))


def _value(col: csv_rules.Col):
    far = st.datetimes(min_value=__import__("datetime").datetime(1, 1, 1)).map(
        lambda d: d.isoformat())
    kinds = {
        "text": st.one_of(st.sampled_from(CODES), st.text(max_size=70)),
        "int": st.one_of(st.integers(-3, 30), st.integers(), st.sampled_from(["7", "１", "٣"])),
        "float": st.one_of(st.floats(), st.floats(0, 2), st.sampled_from(["0.5", "٣", "1e999"])),
        "date": st.one_of(DATES, far.map(lambda s: s[:10])),
        "ts": st.one_of(MOMENTS.map(lambda d: d.isoformat()), MOMENTS.map(
            lambda d: d.isoformat() + "+06:00"), far),
        "time": st.sampled_from(["08:00", "8:00", "24:00", "17:30", "noon"]),
        "choice": st.sampled_from(list(col.choices) + [c.lower() for c in col.choices] + ["?"]),
        "weekdays": st.sampled_from(["Fri", "Sat;Sun", "Funday", ""]),
    }
    return st.one_of(kinds[col.kind], ODD_TEXT, JUNK) if col.kind != "text" else \
        st.one_of(kinds["text"], kinds["text"], ODD_TEXT, JUNK)


def _items(name: str):
    spec = datasets.spec_of(name)
    item = st.fixed_dictionaries({}, optional={c.name: _value(c) for c in spec.columns}
                                 | {"colour": st.just("red")})
    return st.lists(st.one_of(item, item, item, JUNK), max_size=6)


@st.composite
def _batch(draw):
    name = draw(st.sampled_from(datasets.NAMES))
    return name, draw(_items(name))


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(case=_batch())
def test_random_items_are_answered_item_by_item_never_with_a_500(api_client, engine, case):
    name, items = case
    table = datasets.spec_of(name).table
    r = post(api_client, name, items)
    assert r.status_code < 500, r.get_data(as_text=True)[:500]
    if r.status_code != 200:
        assert r.status_code in (400, 413), r.status_code
        return
    out = r.get_json()
    assert out["accepted"] + out["duplicates"] + len(out["rejected"]) == len(items), out
    rejected = {x["index"] for x in out["rejected"]}
    valid = [item for i, item in enumerate(items) if i not in rejected]
    before = count(engine, table)
    again = post(api_client, name, valid).get_json()  # every valid item is stored: no new row
    assert again["rejected"] == [] and count(engine, table) == before, again


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data())
def test_the_quick_path_types_a_value_exactly_as_the_csv_rules_do(data):
    import pandas as pd
    from datetime import datetime
    spec = data.draw(st.sampled_from(csv_rules.FILES))
    col = data.draw(st.sampled_from(spec.columns))
    value = data.draw(_value(col))
    now = datetime(2026, 3, 3, 12)
    quick = csv_rules.quick_parser(spec, col, "Asia/Dhaka", now)(value)
    if quick is csv_rules.SLOW:
        return
    text = datasets._as_text(value)
    values, reasons = csv_rules.parse_column(spec, col, pd.Series([text], dtype=object),
                                             "Asia/Dhaka", now)
    assert reasons.iloc[0] is None, (value, reasons.iloc[0])
    slow = values.iloc[0]
    assert (slow is None and quick is None) or slow == quick, (value, slow, quick)


def test_an_attlog_line_outside_the_window_is_an_error_of_its_line():
    from datetime import datetime
    from ingest.attlog import parse
    text = ("  7\t2026-03-02 08:00:00\t1\t0\t0\t0\n"
            "  7\t1677-09-21 00:12:44\t1\t1\t0\t0\n"
            "  8\t2027-01-01 08:00:00\t1\t0\t0\t0\n")
    df, errors = parse(text, "att.dat", now=datetime(2026, 3, 3, 12))
    assert len(df) == 1
    assert errors[0].startswith("att.dat:2: timestamp: '1677-09-21 00:12:44' is outside "
                                "2000-01-01 to 2026-03-04 12:00")
    assert errors[1].startswith("att.dat:3: timestamp: '2027-01-01 08:00:00' is outside")


def test_batches_of_facts_read_the_codes_once_and_a_new_line_is_seen_at_once(api_client, engine):
    """The master data a batch is checked against is read once while only facts are posted
    (ingest.datasets.MasterData); a batch of lines moves it, and the next batch knows the line."""
    from data import db
    from tests.factories import recorded_sql
    db.create_schema(engine)  # the instance id the tests' reset empties with the meta table
    hour = {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 12, "style_code": "S1",
            "stage": "output"}
    assert post(api_client, "production", dict(hour, qty=10)).get_json()["accepted"] == 1
    with recorded_sql(engine) as seen:
        assert post(api_client, "production", dict(hour, qty=20)).get_json()["accepted"] == 1
    assert not [s for s in seen if s.startswith("SELECT") and
                any(f"FROM {t} " in s + " " for t in ("lines", "shifts", "styles"))], seen
    refused = post(api_client, "production", dict(hour, line_code="L07", qty=5)).get_json()
    assert "unknown line_code 'L07'" in refused["rejected"][0]["reason"]
    assert post(api_client, "lines", {"line_code": "L07", "name": "Line 7"}
                ).get_json()["accepted"] == 1
    taken = post(api_client, "production", dict(hour, line_code="L07", qty=5)).get_json()
    assert (taken["accepted"], taken["rejected"]) == (1, [])
