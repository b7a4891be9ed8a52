"""Every page is one view: its figures, its JSON (/api/v1/views/<page>) and its CSV exports show
the same numbers.

The walk renders each page's content callback on a plant with every kind of data (the small
plant with its checks, breakdowns, cameras, punches and orders, tests/*_plant.py), then for every
card with an export: the JSON part equals the export's frame, the CSV equals it too, and every
number drawn in the card's figures is a number of that part; grids show the part's rows.
Over more than 62 days the by-line charts, their exports and their JSON are the same weeks.
"""
from __future__ import annotations

import io
import json
import math
import sys
from datetime import date, datetime, timedelta

import dash
import dash_ag_grid as dag
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc
from flask_login import login_user

from auth import users
from components import export
from components.cards import fmt
from components.page import render_content
from components.server_grid import SERVER_GRID
from core.context import Context, current
from core.filters import Filters
from core.serialize import records
from data import db, schema
from ingest import events, rollups
from reports.views import EXPORTS, VIEWS
from tests.camera_plant import PLANT_TZ
from tests.factories import D
from tests.full_plant import full_plant

NOW = datetime(2026, 3, 4, 10, 30)  # the orders' "today"; every page reads this clock
WEEK = ("2026-02-28", "2026-03-06")
LONG = ("2026-01-01", "2026-03-06")  # 65 days: the by-line charts go weekly
WEEKLY_PARTS = {"lines": {"efficiency": "efficiency_pct"}, "quality": {"line-day": "dhu"},
                "utilisation": {"daily": "utilisation_pct", "units": "units_per_hour"}}


@pytest.fixture
def plant(engine, database_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    head, token = full_plant(engine)
    app = make_app(database_url)
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return app, client, head


# --- walking a rendered page ----------------------------------------------------------------------

def _children(node):
    kids = getattr(node, "children", None)
    if kids is None or isinstance(kids, (str, int, float)):
        return []
    return kids if isinstance(kids, (list, tuple)) else [kids]


def _walk(node, card=None):
    """(export name of the enclosing card or None, component) for every component."""
    node_id = getattr(node, "id", None)
    if isinstance(node_id, str) and node_id.startswith("card-") and node_id[5:] in EXPORTS:
        card = node_id[5:]
    yield card, node
    for child in _children(node):
        yield from _walk(child, card)


def _cards(content) -> dict[str, list]:
    """export name -> the figures and grids drawn in its card."""
    found: dict[str, list] = {}
    for card, node in _walk(content):
        if card is None:
            continue
        found.setdefault(card, [])
        if isinstance(node, dcc.Graph) or isinstance(node, dag.AgGrid):
            found[card].append(node)
    return found


def _number(v) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        out = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else round(out, 6)


def _values(rows: list[dict]) -> tuple[set, set]:
    """(numbers, texts) of every cell of a part's rows."""
    numbers = {_number(v) for row in rows for v in row.values()} - {None}
    texts = {str(v) for row in rows for v in row.values() if isinstance(v, str)}
    return numbers, texts


def _check_figure(fig: go.Figure, rows: list[dict], name: str) -> int:
    """Every number the figure draws is a number of the part; returns the points drawn."""
    numbers, texts = _values(rows)
    points = 0
    for trace in fig.data:
        if isinstance(trace, go.Heatmap):  # statuses by employee and day
            cells = {str(t) for row in trace.text for t in row if t}
            assert cells and cells <= texts, (name, cells - texts)
            continue
        if getattr(trace, "base", None) is not None:  # a Gantt bar: its rows are the part's
            labels = [str(y) for y in trace.y]
            assert all(any(t in label for t in texts) for label in labels), (name, labels)
            points += len(labels)
            continue
        axis = trace.x if getattr(trace, "orientation", None) == "h" else trace.y
        drawn = [_number(v) for v in (axis if axis is not None else [])]
        drawn = [v for v in drawn if v is not None]
        missing = [v for v in drawn if v not in numbers]
        assert not missing, (name, trace.name, missing[:5])
        points += len(drawn)
    return points


def _csv_rows(name: str, window) -> pd.DataFrame:
    out = export.export_csv(1, {"name": name, "format": "csv"}, *window, [], [], [])
    text = out["content"]
    return pd.read_csv(io.StringIO(text)) if text.strip() else pd.DataFrame()


def _same_as_csv(rows: list[dict], csv: pd.DataFrame, name: str) -> None:
    """The CSV is the part as a person reads it: each field under its label, percentages and
    DHU to 1 decimal and other fractions to 2 (export.ONE_DECIMAL)."""
    assert len(csv) == len(rows), name
    if not rows:
        return
    assert set(csv.columns) == {export.column_label(f) for f in rows[0]}, name
    for field in rows[0]:
        col = export.column_label(field)
        mine = [_number(r[field]) for r in rows]
        if all(v is not None or r[field] is None for v, r in zip(mine, rows)):
            digits = 1 if export.ONE_DECIMAL.search(field) else 2
            mine = [v if v is None or float(v).is_integer() else round(v, digits) for v in mine]
            theirs = [_number(v) for v in csv[col]]
            assert theirs == pytest.approx(mine, abs=1e-9), (name, col)


def _page_module(page: str):
    return sys.modules[f"pages.{page}"]


def _render(app, head, page: str, window):
    content, alert, is_open = render_content(page, _page_module(page).build,
                                             (*window, [], [], []), first=False)
    assert alert is None and is_open is False, (page, alert)
    return content


def _view_json(client, page: str, window) -> dict:
    resp = client.get(f"/api/v1/views/{page}", query_string={"start": window[0],
                                                              "end": window[1]})
    assert resp.status_code == 200, (page, resp.get_data(as_text=True)[:300])
    body = resp.get_json()
    assert body["view"] == page and body["filters"]["start"] == window[0]
    return body["parts"]


def _walk_page(app, client, head, page: str, window) -> dict:
    """Check one page; returns {export name: (points drawn, JSON rows)}."""
    parts = _view_json(client, page, window)
    filters = Filters(date.fromisoformat(window[0]), date.fromisoformat(window[1]))
    seen = {}
    with app.server.test_request_context("/"):
        login_user(head)
        content = _render(app, head, page, window)
        cards = _cards(content)
        assert cards, page
        for name, drawn in cards.items():
            part = name[len(page) + 1:]
            assert name.startswith(f"{page}-") and part in parts, (page, name)
            rows = parts[part]["rows"]
            # the JSON part is the export's frame (one serializer: the same values)
            frame = EXPORTS[name](current(), filters, None)
            assert rows == json.loads(json.dumps(records(frame))), name
            _same_as_csv(rows, _csv_rows(name, window), name)
            points = 0
            for node in drawn:
                if isinstance(node, dcc.Graph):
                    points += _check_figure(node.figure, rows, name)
                elif isinstance(node.id, dict) and node.id.get("type") == SERVER_GRID:
                    assert node.id["name"] == name  # its blocks come from this export
                else:  # a grid sent with the page: the part's rows, maybe with links added
                    shown = node.rowData
                    assert len(shown) == len(rows), name
                    for mine, theirs in zip(shown, rows):
                        # numbers as in the part; text may be shown as a label or a link
                        common = [c for c in set(mine) & set(theirs)
                                  if _number(theirs[c]) is not None]
                        differ = [c for c in common if _number(mine[c]) != _number(theirs[c])]
                        assert common and not differ, (name, differ)
            seen[name] = (points, rows)
    return seen, parts, content


# --- the tests ------------------------------------------------------------------------------------

def test_every_page_has_a_view(sqlite_url, make_app):
    make_app(sqlite_url)  # registers the pages
    built = {m.PAGE for m in (sys.modules.get(p["module"]) for p in dash.page_registry.values())
             if m is not None and hasattr(m, "build") and hasattr(m, "PAGE")}
    assert built and built == set(VIEWS)
    assert set(VIEWS) == {"overview", "lines", "quality", "downtime", "workforce",
                          "utilisation", "orders", "trends", "engineering"}


@pytest.mark.parametrize("page", sorted(VIEWS))
def test_figures_json_and_exports_agree(plant, page):
    app, client, head = plant
    window = WEEK if page != "trends" else ("2026-02-03", "2026-03-04")
    seen, parts, content = _walk_page(app, client, head, page, window)
    drawn = {n for n, (points, _rows) in seen.items() if points}
    assert drawn, f"{page}: no figure drew anything"
    # every card on the page is a part of the view (a part without a card is a summary)
    assert {n[len(page) + 1:] for n in seen} <= set(parts)
    if "cards" in parts:  # the KPI cards show the view's cards
        texts = json.dumps(content.to_plotly_json(), default=str)
        for card in parts["cards"]["rows"]:
            assert card["key"] in texts or card["label"] in texts, card


def test_overview_cards_are_one_ordered_list(plant):
    app, client, _head = plant
    cards = _view_json(client, "overview", WEEK)["cards"]["rows"]
    assert [c["key"] for c in cards] == [
        "output", "achievement_pct", "efficiency_pct", "earned_hours", "wip", "dhu",
        "downtime_min", "attendance_pct", "utilisation_pct", "orders_at_risk"]
    by_key = {c["key"]: c for c in cards}
    # the small plant's 1,900 on D plus the 800 of S1 on L01 on 03-03 (tests/order_plant.py)
    assert by_key["output"]["value"] == 2700
    assert by_key["dhu"]["value"] == pytest.approx(41 / 300 * 100)  # 13.667
    # WO-A at risk, WO-C late (and at risk): two orders, counted once each
    assert by_key["orders_at_risk"]["value"] == 2
    assert by_key["utilisation_pct"]["value"] == pytest.approx(170 / 280 * 100)


def test_kpi_cards_on_the_page_read_the_json(plant):
    app, client, head = plant
    cards = _view_json(client, "overview", WEEK)["cards"]["rows"]
    with app.server.test_request_context("/"):
        login_user(head)
        content = _render(app, head, "overview", WEEK)
    shown = {node.id: node.children for _c, node in _walk(content)
             if isinstance(getattr(node, "id", None), str) and node.id.startswith("kpi-")}
    assert len(shown) == len(cards)
    for card in cards:
        assert shown[f"kpi-{card['key']}"] == fmt(card["value"], card["digits"], card["unit"])


def _tuesday(engine) -> None:
    """A second day in D's week, so that a week is not one day: on Tue 03-03 L01 checks 100
    pieces with 10 defects (5 defective), and W3 at ST3 (L02) works 08:00-08:20 and is idle
    from 08:20 (the last event: 30 minutes, the gap cap)."""
    tue = D + timedelta(days=1)
    with engine.begin() as conn:
        db.upsert(conn, schema.qc_checks, [
            {"date": tue, "shift_code": "A", "line_code": "L01", "hour": 8,
             "style_code": "S1", "checked_qty": 100, "defective_qty": 5}])
        db.upsert(conn, schema.defects, [
            {"defect_id": "DF9", "ts": datetime(2026, 3, 3, 8, 40), "line_code": "L01",
             "style_code": "S1", "emp_code": "E001", "operation": "Hemming",
             "reason": "Skip stitch", "qty": 10, "date": tue, "shift_code": "A", "hour": 8,
             "repaired_ts": None}])
        rollups.rebuild_line_day(conn, [tue])  # as every write of checks or defects does
        db.bump_data_version(conn)
    items = [{"ts": f"{tue.isoformat()}T{hhmm}:00", "emp_code": "W3", "station_code": "ST3",
              "event_type": kind, "confidence": 0.9}
             for hhmm, kind in (("08:00", "working"), ("08:20", "idle"))]
    result = events.ingest(engine, items, PLANT_TZ)
    assert result.accepted == 2
    with engine.begin() as conn:
        db.bump_data_version(conn)


# the week of Monday 03-02, worked out by hand from the plants' numbers
WEEK_OF_D = {
    # L01: (2,400 pcs x 7.32) / (38 x 540) (the 800 of 03-03 had no plan)
    ("lines", "efficiency", "L01"): 2400 * 7.32 / (38 * 540) * 100,  # 85.614 %
    # L01: (35 + 10) defects / (250 + 100) checked
    ("quality", "line-day", "L01"): 45 / 350 * 100,  # 12.857
    # L02: W3 (30 + 20) working of (40 + 50) seen
    ("utilisation", "daily", "L02"): 50 / 90 * 100,  # 55.556 %
}


@pytest.mark.parametrize("page", sorted(WEEKLY_PARTS))
def test_past_62_days_chart_export_and_json_are_the_weeks(plant, engine, page):
    app, client, head = plant
    _tuesday(engine)
    seen, parts, _content = _walk_page(app, client, head, page, LONG)
    for (p, part, line), expected in WEEK_OF_D.items():
        if p == page:
            column = WEEKLY_PARTS[page][part]
            row = [r for r in parts[part]["rows"] if r["line_code"] == line
                   and r["date"].startswith(D.isoformat())]
            assert len(row) == 1 and row[0][column] == pytest.approx(expected), (part, row)
    for part, column in WEEKLY_PARTS[page].items():
        points, rows = seen[f"{page}-{part}"]
        assert rows, part
        weeks = {date.fromisoformat(r["date"][:10]) for r in rows}
        assert all(w.weekday() == 0 for w in weeks), (part, weeks)  # Mondays
        # one point a line and week: the chart draws exactly the exported rows
        assert points == sum(r[column] is not None for r in rows) > 0, part


def test_weekly_efficiency_is_the_ratio_of_the_weeks_sums(plant):
    """L01 in the week of Monday 2026-03-02: 1,600 on D (plan 38 people x 540 min) and 800 on
    03-03 without a plan: (2,400 x 7.32) / 20,520 = 85.614 %, not the daily 57.08 %."""
    app, client, _head = plant
    rows = _view_json(client, "lines", LONG)["efficiency"]["rows"]
    l01 = [r for r in rows if r["line_code"] == "L01" and r["date"].startswith("2026-03-02")]
    assert len(l01) == 1
    assert l01[0]["efficiency_pct"] == pytest.approx(2400 * 7.32 / (38 * 540) * 100)
    daily = _view_json(client, "lines", WEEK)["efficiency"]["rows"]
    on_d = [r for r in daily if r["line_code"] == "L01" and r["date"] == D.isoformat()]
    assert on_d[0]["efficiency_pct"] == pytest.approx(1600 * 7.32 / (38 * 540) * 100)


def test_the_view_api_answers_like_the_other_endpoints(plant):
    _app, client, _head = plant
    missing = client.get("/api/v1/views/nope")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_view"
    assert "overview" in missing.get_json()["error"]["details"]["views"]
    for query, words in (({"line": "L99"}, "Unknown line"),
                         ({"start": "2026-03-05", "end": "2026-03-01"}, "before the start"),
                         ({"start": "yesterday"}, "must be a date")):
        resp = client.get("/api/v1/views/quality", query_string=query)
        assert resp.status_code == 400, query
        error = resp.get_json()["error"]
        assert error["code"] == "bad_filter" and words in error["message"], query
    # without dates: the page's own window (Trends reads 90 days, the others the last 7)
    trends = client.get("/api/v1/views/trends").get_json()["filters"]
    assert (date.fromisoformat(trends["end"]) - date.fromisoformat(trends["start"])).days == 89
    lines = client.get("/api/v1/views/lines").get_json()["filters"]
    assert lines["end"] == "2026-03-03" and lines["start"] == "2026-02-25"


def test_a_line_manager_sees_their_lines_only(plant, engine):
    _app, client, _head = plant
    with engine.begin() as conn:
        manager = users.create_user(conn, "lm", "line-manager-pw", role="line_manager",
                                    lines=("L02",))
        token = users.create_token(conn, manager)
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/views/quality", query_string=dict(zip(("start", "end"), WEEK)),
                      headers=headers).get_json()
    assert [r["line_code"] for r in body["parts"]["lines"]["rows"]] == ["L02"]
    assert body["parts"]["summary"]["values"]["dhu"] == pytest.approx(12.0)
    assert "L01" not in json.dumps(body["parts"]["line-day"])
    refused = client.get("/api/v1/views/quality", query_string={"line": "L01"},
                         headers=headers)
    assert refused.status_code == 400 and "access" in refused.get_json()["error"]["message"]


def test_a_pareto_charts_and_exports_the_same_other_row():
    """22 reasons with 22, 21, ..., 1 defects (253 in all): the chart's 20 bars are the first 19
    and "Other (3)" = 3 + 2 + 1 = 6, and that is the part the export and the JSON hold."""
    from components.analysis_figures import pareto as pareto_figure
    from metrics.quality import fold_tail, pareto

    causes = pd.DataFrame({"reason": [f"R{n:02d}" for n in range(22, 0, -1)],
                           "defects": list(range(22, 0, -1))})
    part = fold_tail(pareto(causes, "reason"), "reason")
    assert len(part) == 20 and list(part["reason"])[-1] == "Other (3)"
    assert part["defects"].iloc[-1] == 6 and part["cum_pct"].iloc[-1] == 100.0
    assert part["cum_pct"].iloc[18] == pytest.approx((253 - 6) / 253 * 100)
    assert part["share_pct"].iloc[-1] == pytest.approx(6 / 253 * 100)
    rows = json.loads(json.dumps(records(part)))
    assert _check_figure(pareto_figure(part, "reason", "defects", unit=" defects"), rows,
                         "pareto") == 40  # 20 bars and 20 cumulative points, all in the part
    assert fold_tail(part.head(5), "reason").equals(part.head(5))  # short lists stay whole
