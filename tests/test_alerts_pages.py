"""Firing alerts on the Overview and the Lines page (nothing when none fire, each linking to the
page that explains it), reports.alerts.firing_alerts for the TV board, and the Admin page's alert
callbacks (create, delete, acknowledge), called as Dash calls them."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

import pytest
from flask_login import login_user

from auth import users
from components.page import render_content
from core.context import current
from data import db, schema
from ingest import alerts as ia
from reports import alerts as reports
from tests.factories import D, small_plant

DAY = (D.isoformat(), D.isoformat())
NOW = datetime(D.year, D.month, D.day, 11, 0)


def _text(component) -> str:
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json")
                      else component, default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


@pytest.fixture
def env(database_url, make_app):
    engine = db.get_engine(database_url)
    small_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        db.upsert(conn, schema.breakdowns, [
            {"breakdown_id": f"BD{i}", "line_code": line, "machine_code": f"{line}-M01",
             "start_ts": NOW - timedelta(minutes=90), "end_ts": None, "date": D,
             "shift_code": "A"} for i, line in enumerate(("L01", "L02"))])
        admin = users.create_user(conn, "boss", "boss-password", role="admin")
        manager = users.create_user(conn, "lm", "lm-password", role="line_manager",
                                    lines=("L01",))
    return app, engine, admin, manager


def test_no_strip_without_firing_alerts(env):
    app, engine, admin, _ = env
    with app.server.test_request_context("/"):
        login_user(admin)
        content, _a, _o = render_content("overview", sys.modules["pages.overview"].build,
                                         (*DAY, [], [], []), first=False)
        assert "overview-alerts" not in _text(content)
        assert reports.firing_alerts(current(), ("L01",)) == []


def test_firing_alerts_show_on_overview_and_lines_with_links(env):
    app, engine, admin, manager = env
    with app.server.test_request_context("/"):
        login_user(admin)
        ctx = current()
        with engine.begin() as conn:
            ia.create_rule(conn, {"kind": "machine_down", "threshold": 60}, "boss", NOW)
        assert reports.alerts_version(ctx) is None
        ia.evaluate(engine, ctx.settings, NOW)
        version = reports.alerts_version(ctx)
        assert version is not None
        ia.evaluate(engine, ctx.settings, NOW + timedelta(minutes=1))  # nothing changes
        assert reports.alerts_version(ctx) == version
        # the TV board's call: firing alerts for a set of lines
        board = reports.firing_alerts(ctx, ("L02",))
        assert [(a["subject"], a["url"], a["label"]) for a in board] == \
            [("L02-M01", "/downtime?line=L02", "Machine down")]
        assert board[0]["value"] == pytest.approx(91) and board[0]["acked"] is False  # updated
        content, _a, _o = render_content("overview", sys.modules["pages.overview"].build,
                                         (*DAY, [], [], []), first=False)
        text = _text(content)
        assert "2 alerts firing" in text
        assert "/downtime?line=L01" in text and "/downtime?line=L02" in text
    with app.server.test_request_context("/lines/L01"):
        login_user(manager)  # sees L01's alert only
        content, _a, _o = render_content("lines", sys.modules["pages.lines"].build,
                                         (*DAY, ["L01"], [], []), first=False)
        text = _text(content)
        assert "lines-alerts" in text and "1 alert firing" in text
        assert "L01-M01" in text and "L02-M01" not in text


def test_admin_page_creates_deletes_and_acknowledges(env):
    """The Admin page's alert callbacks' work, as their buttons call it."""
    from pages import admin_alerts as page

    app, engine, admin, _ = env
    with app.server.test_request_context("/admin"):
        login_user(admin)
        # a bad threshold: the field is named and nothing is kept
        message, version = page.change_rule("admin-rule-create", "machine_down", -3, [], 0,
                                            None, None, None, None, None, 4)
        assert "threshold" in _text(message) and not isinstance(version, int)
        assert reports.rules(current()).empty
        message, version = page.change_rule("admin-rule-create", "machine_down", 60, ["L02"],
                                            0, None, "https://hooks.example.com/x",
                                            "a@example.com", "Down on L02", None, 4)
        assert version == 5 and "is kept" in _text(message)
        rules, alerts = page.refresh_alerts(5)
        assert rules[0]["lines_text"] == "L02" and alerts == []
        assert "webhook https://hooks.example.com/x" in rules[0]["channels"]
        # evaluate now (the plant's clock is today, not D: the breakdowns are long open)
        message, _v = page.act_on_alerts("admin-alerts-evaluate", None, 5)
        assert "1 fired" in _text(message)
        _rules, alerts = page.refresh_alerts(6)
        assert [a["subject"] for a in alerts] == ["L02-M01"]
        message, _v = page.act_on_alerts("admin-alert-ack", [{"id": alerts[0]["id"]}], 6)
        assert "acknowledged" in _text(message)
        assert reports.alerts(current(), "firing")["acked_by"].iloc[0] == "boss"
        # delete the rule: its alert resolves
        message, _v = page.change_rule("admin-rule-delete", None, None, None, None, None, None,
                                       None, None, [{"id": rules[0]["id"]}], 7)
        assert "deleted" in _text(message)
        assert reports.alerts(current(), "firing").empty
        assert reports.rules(current()).empty
