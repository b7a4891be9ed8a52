"""Report functions on both backends: overview, line detail, previous period, cache and scope."""
from datetime import date, datetime

import pytest

from data import db
from ingest import rollups
from reports import production as r
from core.context import Context
from core.filters import FilterError, Filters
from settings import Settings
from tests.factories import D, small_plant

DAY = Filters(start=D, end=D)
END_OF_DAY = datetime(2026, 3, 2, 23, 0)


@pytest.fixture
def ctx(engine, database_url, tmp_path):
    small_plant(engine)
    return Context.create(Settings(database_url=database_url, cache_dir=str(tmp_path / "c")))


def _kpi(data, key):
    return next(k for k in data["kpis"] if k["key"] == key)


def test_overview_kpis_league_and_previous_period(ctx):
    data = r.overview(ctx, DAY, None, now=END_OF_DAY)
    assert _kpi(data, "output")["value"] == 1900
    assert _kpi(data, "achievement_pct")["value"] == pytest.approx(79.1667, abs=1e-4)
    # the day before had loading but no output and no plan: 0 output, no comparable ratio
    assert _kpi(data, "output")["previous"] == 0
    assert _kpi(data, "output")["change_pct"] is None
    assert _kpi(data, "achievement_pct")["previous"] is None
    assert _kpi(data, "wip")["value"] == 250
    league = data["league"].set_index("line_code")
    assert league.loc["L01", "status"] == "red"  # 80 % < 90 %
    assert league.loc["L01", "wip"] == 200
    assert list(data["league"]["line_code"]) == ["L01", "L02"]  # best achievement first
    today = data["today"]
    assert today["output"].sum() == 1900 and today["output_cum"].iloc[-1] == 1900


def test_overview_change_against_previous_period(ctx):
    # two-day window (D, D+1) against (D-2, D-1): all output is in the current window
    f = Filters(start=D, end=date(2026, 3, 3))
    assert f.previous() == Filters(start=date(2026, 2, 28), end=date(2026, 3, 1))
    data = r.overview(ctx, f, None, now=END_OF_DAY)
    assert _kpi(data, "output")["value"] == 1900


def test_line_detail(ctx):
    data = r.line_detail(ctx, DAY.with_lines(["L01"]), None, now=END_OF_DAY)
    assert data["total"]["output"] == 1600
    by_day = data["by_day"].iloc[0]
    assert by_day["efficiency_pct"] == pytest.approx(57.076, abs=1e-3)
    wip = data["wip"]
    assert wip["wip"].iloc[0] == 100 + 1700 - 200 and wip["wip"].iloc[-1] == 200
    # 540 working minutes: the shift's 480 plus an overtime hour 17:00-18:00 -> the whole plan
    assert data["hourly"]["target_cum"].iloc[-1] == pytest.approx(2000)
    assert data["hourly"]["slot"].iloc[-1].hour == 17
    assert list(data["styles"]["style_code"]) == ["S1"]
    op = data["operators"].iloc[0]
    assert (op["emp_code"], op["name"], op["main_operation"]) == ("E001", "Asha", "Side seam")
    assert op["efficiency_pct"] == pytest.approx(62.5) and op["operations"] == 2


def test_scope_limits_lines_in_the_query_layer(ctx):
    data = r.production(ctx, DAY, ("line_code",), ("L02",))
    assert list(data["rows"]["line_code"]) == ["L02"]
    assert data["total"]["output"] == 300
    nothing = r.production(ctx, DAY, ("line_code",), ())
    assert nothing["rows"].empty and nothing["total"]["output"] == 0


def test_validate_filters_rejects_unknown_codes_and_out_of_scope(ctx):
    with pytest.raises(FilterError, match="Unknown line code 'L99'"):
        r.validate_filters(ctx, DAY.with_lines(["L99"]))
    with pytest.raises(FilterError, match="access to line L01"):
        r.validate_filters(ctx, DAY.with_lines(["L01"]), scope=("L02",))


def test_cache_serves_until_the_data_version_changes(ctx, engine):
    first = r.production(ctx, DAY, ("line_code",), None)
    with engine.begin() as conn:  # change the data behind the cache's back...
        conn.execute(db.schema.production.update().where(
            db.schema.production.c.line_code == "L02").values(qty=0))
        rollups.rebuild_line_day(conn)
    assert r.production(ctx, DAY, ("line_code",), None)["total"]["output"] == 1900  # cached
    with engine.begin() as conn:
        db.bump_data_version(conn)  # ...as every import does
    assert r.production(ctx, DAY, ("line_code",), None)["total"]["output"] == 1600
    assert first["total"]["output"] == 1900
