"""Quality, Downtime and Trends page callbacks called directly (the Vizro way), as a line manager
scoped to L02. Numbers from tests/factories.quality_downtime (worked out by hand there)."""
import sys

import pytest
from dash import no_update
from flask_login import login_user

from auth import users
from components.drill import filters_or_none
from components.export import EXPORTS
from components.page import render_content
from data import db
from core.context import current
from tests.factories import quality_downtime, small_plant

DAY = ("2026-03-02", "2026-03-02")
FILTERS = (*DAY, [], [], [])


@pytest.fixture
def pages(sqlite_url, make_app):
    engine = db.get_engine(sqlite_url)
    small_plant(engine)
    quality_downtime(engine)
    app = make_app(sqlite_url)
    with engine.begin() as conn:
        user = users.create_user(conn, "lm", "line-manager-pw", role="line_manager",
                                 lines=("L02",))
    with app.server.test_request_context("/"):
        login_user(user)
        yield {name: sys.modules[f"pages.{name}"] for name in ("quality", "downtime", "trends")}


def _text(component) -> str:
    return repr(component)  # the whole tree, nested components included


def _bar(x):
    return {"points": [{"x": x, "curveNumber": 0}]}


def test_quality_content_and_drill_stay_in_scope(pages):
    quality = pages["quality"]
    content, alert, _ = render_content("quality", quality.build, FILTERS, first=False)
    text = _text(content)
    assert alert is None
    assert "'12.0'" in text and "20.0 %" in text  # L02: DHU 6 / 50, 10 of 50 defective
    view, selection = quality.drill_content("reason", _bar("Stain"), *FILTERS)
    assert "DF4" in _text(view) and selection == {"dimension": "reason", "value": "Stain"}
    # Broken stitch happened on L01 only: nothing of it is visible to this manager
    view, _ = quality.drill_content("reason", _bar("Broken stitch"), *FILTERS)
    assert "DF1" not in _text(view) and "No data for this selection" in _text(view)
    other, selection = quality.drill_content("operation", _bar("Other (18)"), *FILTERS)
    assert "pick one of the named bars" in _text(other) and selection is None
    assert quality.drill_content("reason", _bar("Stain"), "2026-03-05", "2026-03-01", [], [],
                                 []) == (no_update, no_update)
    download = quality.download_drill(1, {"dimension": "reason", "value": "Stain"}, *FILTERS)
    assert download["content"].splitlines()[1].startswith("DF4,")


def test_downtime_content_and_category_drill(pages):
    downtime = pages["downtime"]
    content, alert, _ = render_content("downtime", downtime.build, FILTERS, first=False)
    text = _text(content)
    # L02: BD3 open since 16:00 (960 min to 08:00 the next morning, seen from today) + BD4 60
    assert "1,020 min" in text and "availability × performance × quality" in text
    assert "L01-M01" not in text  # another line's machine
    drill = _text(downtime.drill(_bar("Style changeover"), *FILTERS))
    assert "Style changeover" in drill and "New style setup" in drill


def test_trends_content_compare_and_exports(pages):
    trends = pages["trends"]
    content, alert, _ = render_content("trends", trends.build, FILTERS, first=False)
    text = _text(content)
    assert "trend-output" in text and "trend-dhu" in text
    figure = trends.compare("dhu", *FILTERS)
    assert [t.name for t in figure.data] == ["L02"] and list(figure.data[0].y) == [12.0]
    ctx_filters = filters_or_none(*FILTERS)
    for name in ("quality-reasons", "downtime-pm", "trends-lines"):
        frame = EXPORTS[name](current(), ctx_filters, ("L02",))
        assert not frame.empty, name
    lines = EXPORTS["trends-lines"](current(), ctx_filters, ("L02",))
    assert list(lines["line_code"]) == ["L02"]


def test_empty_window_is_explained(pages):
    for name in ("quality", "trends"):
        content, _, _ = render_content(name, pages[name].build,
                                       ("2025-01-01", "2025-01-07", [], [], []), first=False)
        assert "No data for this selection" in _text(content), name


def test_pareto_drill_lists_every_defect_of_a_bar(sqlite_url, make_app):
    """A bar of 1,240 defects in 620 records: the drill, its heading and its CSV hold all of
    them, the same number the API's Pareto gives (the drill used to stop at 500 records)."""
    from datetime import datetime, timedelta

    from data import schema
    from ingest import rollups
    from tests.factories import D

    engine = db.get_engine(sqlite_url)
    small_plant(engine)
    quality_downtime(engine)
    start = datetime(D.year, D.month, D.day, 8)
    extra = [{"defect_id": f"BULK{i:04d}", "ts": start + timedelta(seconds=40 * i),
              "line_code": "L01", "style_code": "S1", "emp_code": "E001",
              "operation": "Side seam", "reason": "Broken stitch", "qty": 2, "date": D,
              "shift_code": "A", "hour": 8 + (40 * i) // 3600, "repaired_ts": None}
             for i in range(620)]
    with engine.begin() as conn:
        db.upsert(conn, schema.defects, extra)
        rollups.rebuild_line_day(conn)
        db.bump_data_version(conn)
        admin = users.create_user(conn, "qa", "quality-admin-pw", role="admin")
        token = users.create_token(conn, admin)
    app = make_app(sqlite_url)
    client = app.server.test_client()
    answer = client.get("/api/v1/quality?start=2026-03-02&end=2026-03-02&group_by=reason",
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    api_defects = {r["reason"]: r["defects"] for r in answer["rows"]}["Broken stitch"]
    assert api_defects == 20 + 5 + 620 * 2
    quality = sys.modules["pages.quality"]
    with app.server.test_request_context("/"):
        login_user(admin)
        view, selection = quality.drill_content("reason", _bar("Broken stitch"), *FILTERS)
        assert f"{api_defects:,} defects in 622 records" in _text(view)
        grid = view.children[1]
        assert len(grid.rowData) == 622 and sum(r["qty"] for r in grid.rowData) == api_defects
        csv = quality.download_drill(1, selection, *FILTERS)["content"].strip().splitlines()
        assert len(csv) == 1 + 622
