"""Quality: SPEC section 4 formulas by hand, the reports and /api/v1/quality on both backends.

Numbers come from tests/factories.quality_downtime (worked out by hand in its docstring).
"""
import pandas as pd
import pytest

from metrics import quality as m
from reports import quality as r
from core.context import Context
from core.filters import Filters
from ingest import rollups
from settings import Settings
from tests.factories import D, quality_downtime, small_plant

DAY = Filters(start=D, end=D)
RANGE = "start=2026-03-02&end=2026-03-02"


# --- metrics -------------------------------------------------------------------------------------

def test_spec_dhu_example_and_ratios_of_sums():
    # SPEC: 35 defects found in 250 checked pieces -> DHU 14.0
    rows = pd.DataFrame({"checked": [150, 100], "defective": [12, 8], "defects": [25, 10],
                         "repaired": [20, 10], "open": [5, 0]})
    total = m.quality_totals(rows)
    assert total["dhu"] == pytest.approx(14.0)
    assert total["defective_pct"] == pytest.approx(8.0)  # 20 / 250
    assert total["fpy_pct"] == pytest.approx(92.0)  # (250 - 20) / 250
    assert total["repaired_pct"] == pytest.approx(30 / 35 * 100)
    # per row: 25 / 150 = 16.667 and 10 / 100 = 10.0; their mean 13.33 would be wrong
    per_row = m.add_quality_ratios(rows)
    assert list(per_row["dhu"].round(3)) == [16.667, 10.0]


def test_zero_checked_gives_null_not_zero():
    total = m.quality_totals(pd.DataFrame({"checked": [0], "defective": [0], "defects": [3],
                                           "repaired": [0], "open": [3]}))
    assert total["dhu"] is None and total["fpy_pct"] is None and total["defective_pct"] is None
    assert total["repaired_pct"] == 0.0  # 0 of 3 repaired is a real 0 %
    empty = m.quality_totals(pd.DataFrame(columns=list(m.MEASURES)))
    assert empty["dhu"] is None and empty["repaired_pct"] is None and empty["defects"] == 0


def test_pareto_sorts_and_accumulates():
    df = pd.DataFrame({"reason": ["Stain", "Broken stitch", "Skip stitch"],
                       "defects": [6, 25, 10]})
    p = m.pareto(df, "reason")
    assert list(p["reason"]) == ["Broken stitch", "Skip stitch", "Stain"]
    # 25 / 41, 35 / 41, 41 / 41
    assert list(p["cum_pct"].round(2)) == [60.98, 85.37, 100.0]
    assert list(p["share_pct"].round(2)) == [60.98, 24.39, 14.63]


# --- reports -------------------------------------------------------------------------------------

@pytest.fixture
def ctx(engine, database_url, tmp_path):
    small_plant(engine)
    quality_downtime(engine)
    return Context.create(Settings(database_url=database_url, cache_dir=str(tmp_path / "c")))


def test_quality_by_line_and_total(ctx):
    result = r.quality(ctx, DAY, ("line_code",))
    rows = result["rows"].set_index("line_code")
    assert rows.loc["L01", "dhu"] == pytest.approx(14.0)
    assert rows.loc["L01", "fpy_pct"] == pytest.approx(92.0)
    assert rows.loc["L01", "repaired_pct"] == pytest.approx(85.714, abs=1e-3)
    assert rows.loc["L02", "dhu"] == pytest.approx(12.0)
    assert rows.loc["L02", "defective_pct"] == pytest.approx(20.0)
    assert rows.loc["L02", "repaired_pct"] == pytest.approx(0.0)
    total = result["total"]
    assert total["checked"] == 300 and total["defects"] == 41 and total["open"] == 11
    assert total["dhu"] == pytest.approx(41 / 300 * 100)
    assert total["fpy_pct"] == pytest.approx(90.0)
    assert total["repaired_pct"] == pytest.approx(30 / 41 * 100)


def test_quality_by_reason_uses_the_checked_pieces_as_denominator(ctx):
    rows = r.quality(ctx, DAY, ("reason",))["rows"].set_index("reason")
    assert rows.loc["Broken stitch", "defects"] == 25
    assert rows.loc["Broken stitch", "dhu"] == pytest.approx(25 / 300 * 100)
    # a checked piece has no reason: no defective count, no FPY by reason
    assert pd.isna(rows.loc["Broken stitch", "defective_pct"])
    by_line_reason = r.quality(ctx, DAY, ("line_code", "reason"))["rows"]
    l01 = by_line_reason[by_line_reason["line_code"] == "L01"].set_index("reason")
    assert l01.loc["Broken stitch", "dhu"] == pytest.approx(25 / 250 * 100)
    assert l01.loc["Skip stitch", "repaired_pct"] == pytest.approx(100.0)


def test_quality_view_paretos_open_defects_and_drill(ctx):
    view = r.quality_view(ctx, DAY)
    assert list(view["reasons"]["reason"]) == ["Broken stitch", "Skip stitch", "Stain"]
    assert list(view["operations"]["operation"]) == ["Side seam", "Hemming", "Collar attach"]
    assert list(view["operations"]["cum_pct"].round(2)) == [48.78, 85.37, 100.0]  # 20, 35, 41
    assert sorted(view["open"]["defect_id"]) == ["DF3", "DF4"]
    assert view["by_day"]["dhu"].iloc[0] == pytest.approx(41 / 300 * 100)
    # the previous day has no checks: nothing to compare
    assert view["previous"]["dhu"] is None
    drill = r.defect_drill(ctx, DAY, "reason", "Broken stitch")
    assert sorted(drill["defect_id"]) == ["DF1", "DF3"] and drill["qty"].sum() == 25
    assert list(r.defect_drill(ctx, DAY, "operation", "Hemming")["defect_id"]) == ["DF3", "DF2"]
    with pytest.raises(ValueError):
        r.defect_drill(ctx, DAY, "colour", "red")


def test_defects_without_a_reason_can_be_drilled(ctx, engine):
    from datetime import datetime

    from data import db, schema
    with engine.begin() as conn:
        db.upsert(conn, schema.defects, [{
            "defect_id": "DF5", "ts": datetime(2026, 3, 2, 10, 0), "line_code": "L02",
            "style_code": "S2", "emp_code": None, "operation": None, "reason": None, "qty": 2,
            "repaired_ts": None, "date": D, "shift_code": "A", "hour": 10}])
        rollups.rebuild_line_day(conn, [D])
        db.bump_data_version(conn)
    view = r.quality_view(ctx, DAY)
    assert view["reasons"]["reason"].isna().sum() == 1  # listed, labelled "(not given)"
    drill = r.defect_drill(ctx, DAY, "reason", m.NOT_GIVEN)
    assert list(drill["defect_id"]) == ["DF5"]
    assert list(r.defect_drill(ctx, DAY, "operation", m.NOT_GIVEN)["defect_id"]) == ["DF5"]


def test_quality_respects_scope_and_line_filter(ctx):
    only_l02 = r.quality(ctx, DAY, ("line_code",), ("L02",))
    assert list(only_l02["rows"]["line_code"]) == ["L02"]
    assert only_l02["total"]["dhu"] == pytest.approx(12.0)
    assert r.quality_kpis(ctx, DAY.with_lines(["L01"]), None)[0]["value"] == pytest.approx(14.0)


# --- API -----------------------------------------------------------------------------------------

@pytest.fixture
def client(api_client, engine):
    quality_downtime(engine)
    return api_client


def test_api_quality_by_line(client):
    body = client.get(f"/api/v1/quality?{RANGE}&group_by=line").get_json()
    rows = {row["line_code"]: row for row in body["rows"]}
    assert rows["L01"]["dhu"] == pytest.approx(14.0)
    assert set(rows["L01"]) >= {"checked", "defective", "defects", "defective_pct", "dhu",
                                "fpy_pct", "repaired_pct"}
    assert body["total"]["dhu"] == pytest.approx(13.6667, abs=1e-4)


def test_api_quality_by_operation_and_date(client):
    body = client.get(f"/api/v1/quality?{RANGE}&group_by=date,operation").get_json()
    rows = {row["operation"]: row for row in body["rows"]}
    assert rows["Hemming"]["defects"] == 15 and rows["Hemming"]["date"] == "2026-03-02"
    assert rows["Hemming"]["defective"] is None and rows["Hemming"]["fpy_pct"] is None


def test_api_quality_empty_and_bad_group_by(client):
    body = client.get("/api/v1/quality?start=2025-01-01&end=2025-01-02").get_json()
    assert body["rows"] == [] and body["total"]["dhu"] is None
    resp = client.get(f"/api/v1/quality?{RANGE}&group_by=machine")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_group_by"
