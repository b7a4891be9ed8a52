"""Utilisation (SPEC section 6) on SQLite and PostgreSQL, with the numbers of tests/camera_plant.py
worked out by hand there, and small sequences of our own worked out here."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
from pytest import approx

from metrics import utilisation as m
from reports import utilisation as reports
from core.filters import Filters
from tests.camera_plant import CAMERA_EVENTS, _ev, camera_plant, cameras
from tests.factories import D

DAY = Filters(start=D, end=D)


def by(df, key):
    return df.set_index(key).to_dict("index")


def test_spec_example_and_hand_worked_sequences(engine, make_ctx):
    camera_plant(engine)
    result = reports.workers(make_ctx(), DAY)
    w = by(result["rows"], "emp_code")
    # SPEC section 6: 80 working, 40 idle, 66.7 %
    assert (w["W1"]["working_min"], w["W1"]["idle_min"]) == (approx(80), approx(40))
    assert w["W1"]["utilisation_pct"] == approx(200 / 3)
    assert w["W1"]["units"] == 8 and w["W1"]["units_per_hour"] == approx(6.0)
    # a heartbeat, a gap over the cap, absent, a last event 10 min before the shift end
    assert (w["W2"]["working_min"], w["W2"]["idle_min"], w["W2"]["absent_min"]) == (
        approx(60), approx(60), approx(30))
    assert w["W2"]["utilisation_pct"] == approx(50.0) and w["W2"]["units"] == 14
    assert (w["W3"]["working_min"], w["W3"]["idle_min"]) == (approx(30), approx(10))
    assert w["W3"]["utilisation_pct"] == approx(75.0) and w["W3"]["units_per_hour"] == approx(12)
    assert w["W1"]["name"] == "Rina" and w["W3"]["line_code"] == "L02"
    t = result["total"]
    assert (t["working_min"], t["idle_min"], t["absent_min"]) == (approx(170), approx(110),
                                                                  approx(30))
    assert t["utilisation_pct"] == approx(170 / 280 * 100) and t["units"] == 28
    assert t["units_per_hour"] == approx(28 / (170 / 60))


def test_low_confidence_events_are_left_out_when_a_minimum_is_set(engine, make_ctx):
    camera_plant(engine)
    ctx = make_ctx(event_min_confidence=0.5)
    w = by(reports.workers(ctx, DAY)["rows"], "emp_code")
    assert (w["W2"]["working_min"], w["W2"]["idle_min"], w["W2"]["absent_min"]) == (
        approx(80), approx(30), approx(30))
    assert w["W2"]["utilisation_pct"] == approx(80 / 110 * 100) and w["W2"]["units"] == 4
    t = reports.workers(ctx, DAY)["total"]
    assert t["utilisation_pct"] == approx(190 / 270 * 100) and t["units"] == 18


def test_stations_and_lines(engine, make_ctx):
    camera_plant(engine)
    ctx = make_ctx()
    st = by(reports.stations(ctx, DAY)["rows"], "station_code")
    assert st["ST1"]["occupancy_min"] == approx(120) and st["ST1"]["utilisation_pct"] == approx(
        200 / 3)
    assert st["ST1"]["throughput_per_hour"] == approx(4.0)
    assert st["ST2"]["utilisation_pct"] == approx(50) and st["ST2"]["throughput_per_hour"] == \
        approx(7.0)
    assert st["ST3"]["occupancy_min"] == approx(40) and st["ST3"]["throughput_per_hour"] == \
        approx(9.0)
    assert st["ST3"]["line_code"] == "L02" and st["ST1"]["station_name"] == "Station 1"
    daily = by(reports.daily_by_line(ctx, DAY), "line_code")
    assert daily["L01"]["utilisation_pct"] == approx(140 / 240 * 100)
    assert daily["L02"]["utilisation_pct"] == approx(75.0)
    # a line filter and a line manager's scope both narrow it down
    only = reports.workers(ctx, Filters(start=D, end=D, lines=("L02",)))["rows"]
    assert only["emp_code"].tolist() == ["W3"]
    scoped = reports.stations(ctx, DAY, scope=("L01",))["rows"]
    assert sorted(scoped["station_code"]) == ["ST1", "ST2"]


def test_arrival_order_and_duplicates_change_nothing(engine, make_ctx):
    shuffled = CAMERA_EVENTS[::3] + CAMERA_EVENTS[1::3] + CAMERA_EVENTS[2::3]
    camera_plant(engine, shuffled)
    from ingest import events
    again = events.ingest(engine, CAMERA_EVENTS, "Asia/Dhaka")
    assert again.accepted == 0 and again.duplicates == len(CAMERA_EVENTS)
    t = reports.workers(make_ctx(), DAY)["total"]
    assert (t["working_min"], t["idle_min"], t["units"]) == (approx(170), approx(110), 28)


def _one_worker(engine, items):
    cameras(engine)
    from ingest import events
    result = events.ingest(engine, items, "Asia/Dhaka")
    assert result.rejected == []


def test_gap_cap_setting_and_night_shift_end(engine, make_ctx):
    # night shift B 20:00-05:00: working 04:40 on D+1 belongs to day D and stops at 05:00 (20 min);
    # idle 22:00 -> working 23:10 is 70 min, capped at 60 with EVENT_MAX_GAP_MIN=60.
    nxt = (D + timedelta(days=1)).isoformat()
    items = [dict(_ev("W1", "ST1", "22:00", "idle")), dict(_ev("W1", "ST1", "23:10", "working")),
             dict(_ev("W1", "ST1", "04:40", "working"), ts=f"{nxt}T04:40:00")]
    _one_worker(engine, items)
    w = by(reports.workers(make_ctx(event_max_gap_min=60), DAY)["rows"], "emp_code")
    # 23:10 -> 04:40 is 330 min: capped at 60; 04:40 -> shift end 05:00: 20
    assert w["W1"]["idle_min"] == approx(60) and w["W1"]["working_min"] == approx(80)


def test_timeline_merges_spans_and_marks_no_data(engine, make_ctx):
    camera_plant(engine)
    tl = reports.timeline(make_ctx(), D, DAY)
    seg = tl["segments"]
    w2 = seg[seg["emp_code"] == "W2"][["state", "start", "end"]]
    at = lambda hh, mm: pd.Timestamp(D) + pd.Timedelta(hours=hh, minutes=mm)  # noqa: E731
    expected = [("no data", at(8, 0), at(9, 0)), ("working", at(9, 0), at(9, 40)),
                ("idle", at(9, 40), at(10, 10)), ("no data", at(10, 10), at(12, 0)),
                ("absent", at(12, 0), at(12, 30)), ("no data", at(12, 30), at(13, 0)),
                ("working", at(13, 0), at(13, 10)), ("idle", at(13, 10), at(13, 40)),
                ("no data", at(13, 40), at(16, 50)), ("working", at(16, 50), at(17, 0))]
    assert list(w2.itertuples(index=False, name=None)) == expected
    assert tl["workers"] == 3 and set(seg["name"]) == {"Rina", "Mita", "Joya"}


def test_overview_card_compares_with_the_previous_period(engine, make_ctx):
    camera_plant(engine)
    from reports.overview import extra_overview_kpis
    cards = {c["key"]: c for c in extra_overview_kpis(make_ctx(), DAY, None)}
    card = cards["utilisation_pct"]
    assert card["value"] == approx(170 / 280 * 100) and card["previous"] is None


def test_no_events_gives_nulls_not_zeros(engine, make_ctx):
    cameras(engine)
    result = reports.workers(make_ctx(), DAY)
    assert result["rows"].empty
    assert result["total"]["utilisation_pct"] is None and result["total"]["units_per_hour"] is None


def test_metrics_ratios_of_sums():
    df = pd.DataFrame({"working_min": [30.0, 0.0], "idle_min": [10.0, 0.0],
                       "absent_min": [5.0, 20.0], "units": [6, 0]})
    out = m.add_worker_ratios(df)
    assert out["utilisation_pct"][0] == approx(75.0) and pd.isna(out["utilisation_pct"][1])
    assert pd.isna(out["units_per_hour"][1])
    # the total is 30 / 40, not the mean of 75 % and nothing
    assert m.totals(df)["utilisation_pct"] == approx(75.0)


def test_api_workers_and_stations(api_client, engine):
    camera_plant(engine)
    body = api_client.get("/api/v1/utilisation/workers?start=2026-03-02&end=2026-03-02").get_json()
    rows = {r["emp_code"]: r for r in body["rows"]}
    assert rows["W1"]["working_min"] == approx(80) and rows["W1"]["utilisation_pct"] == approx(
        200 / 3)
    assert body["total"]["utilisation_pct"] == approx(170 / 280 * 100)
    body = api_client.get("/api/v1/utilisation/stations?start=2026-03-02&end=2026-03-02"
                          "&line=L02").get_json()
    assert [r["station_code"] for r in body["rows"]] == ["ST3"]
    assert body["rows"][0]["throughput_per_hour"] == approx(9.0)
    bad = api_client.get("/api/v1/utilisation/workers?line=L99")
    assert bad.status_code == 400


def test_trends_gets_a_daily_utilisation_series(engine, make_ctx):
    camera_plant(engine)
    from reports.trends import registered
    series = {s.key: s for s in registered()}["utilisation_pct"]
    parts = by(series.fn(make_ctx(), DAY, None), "line_code")
    # L01: W1 80 + W2 60 working of 120 + 120 occupied; L02: W3 30 of 40
    assert (parts["L01"]["working_min"], parts["L01"]["occupancy_min"]) == (approx(140),
                                                                            approx(240))
    assert (parts["L02"]["working_min"], parts["L02"]["occupancy_min"]) == (approx(30), approx(40))
