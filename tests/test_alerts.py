"""Alerts (SPEC section 11): the four conditions on hand-worked numbers (tests/alert_plant.py),
firing once and resolving once, for_min, and delivery to a real webhook receiver and a real SMTP
server (aiosmtpd), both started by the test on free localhost ports."""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from data import schema
from ingest import alerts as ia
from ingest import deliver
from metrics import alerts as m
from queries import alerts as q
from settings import Settings
from tests.alert_plant import D, alert_plant, at, upsert
from tests.browser import free_port


# --- pure conditions --------------------------------------------------------------------------

def test_behind_target_pace_by_hand():
    import pandas as pd
    plans = pd.DataFrame([{"date": D, "shift_code": "A", "line_code": "L01",
                           "target_qty": 900, "working_minutes": 480}])
    shifts = pd.DataFrame([{"shift_code": "A", "start": "08:00", "end": "17:00",
                            "break_minutes": 60}])
    so_far = m.target_so_far(plans, shifts, at(11))
    assert so_far["minutes_so_far"].iloc[0] == 180
    assert so_far["target_so_far"].iloc[0] == pytest.approx(900 * 180 / 480)  # 337.5
    assert m.behind_target(250, 337.5, 80) == (True, pytest.approx(74.074, abs=1e-3))
    assert m.behind_target(250, 337.5, 70)[0] is False
    # the break hour adds nothing: at 13:00 it is still 4 working hours, 450 pcs
    assert m.target_so_far(plans, shifts, at(13))["target_so_far"].iloc[0] == \
        pytest.approx(450)
    # half way through the 10:00 hour: 150 minutes
    assert m.target_so_far(plans, shifts, at(10, 30))["minutes_so_far"].iloc[0] == 150
    assert m.behind_target(0, 0, 80) == (False, None)  # before the first working minute


def test_dhu_needs_enough_checked_pieces():
    assert m.dhu_above(10, 40, 8) == (False, 25.0)  # 40 < 50 checked
    assert m.dhu_above(10, 100, 8) == (True, 10.0)
    assert m.dhu_above(10, 100, 8, min_checked=150)[0] is False
    assert m.dhu_above(10, 100, 10)[0] is False  # above, not at


def test_state_machine():
    t = at(11)
    assert m.step(None, True, None, t, 0) == "fire"
    assert m.step(None, True, None, t, 10) == "pending"
    assert m.step("pending", True, t, t + timedelta(minutes=9), 10) is None
    assert m.step("pending", True, t, t + timedelta(minutes=10), 10) == "fire"
    assert m.step("pending", False, t, t + timedelta(minutes=5), 10) == "forget"
    assert m.step("firing", True, t, t, 0) is None
    assert m.step("firing", False, t, t, 0) == "resolve"
    assert m.step(None, False, None, t, 0) is None


# --- evaluation on the database ---------------------------------------------------------------

def _settings(url, **kw):
    return Settings(database_url=url, testing=True, secret_key="x", demo_data=False, **kw)


def _rule(engine, **body):
    with engine.begin() as conn:
        return ia.create_rule(conn, body, "tester", at(7))


def _alerts(engine, state=("firing", "resolved")):
    with engine.connect() as conn:
        return q.alerts(conn, states=state)


@pytest.fixture
def plant(engine, database_url):
    alert_plant(engine)
    return engine, _settings(database_url)


def test_behind_target_fires_at_80_not_at_70(plant):
    engine, settings = plant
    r80 = _rule(engine, kind="behind_target", threshold=80)
    r70 = _rule(engine, kind="behind_target", threshold=70)
    result = ia.evaluate(engine, settings, at(11))
    assert result["fired"] == 1
    firing = _alerts(engine)
    assert list(firing["rule_id"]) == [r80] and list(firing["subject"]) == ["L01"]
    assert firing["value"].iloc[0] == pytest.approx(250 / 337.5 * 100)
    assert "250 of 337.5 pcs" in firing["message"].iloc[0]
    assert r70 not in set(firing["rule_id"])
    # after the shift ends the line is no longer behind "so far": it resolves
    assert ia.evaluate(engine, settings, at(17, 30))["resolved"] == 1


def test_dhu_above_with_and_without_enough_checked(plant):
    engine, settings = plant
    _rule(engine, kind="dhu_above", threshold=8)
    ia.evaluate(engine, settings, at(11))
    assert _alerts(engine).empty  # DHU 25 on only 40 pieces
    upsert(engine, schema.qc_checks, [{"date": D, "shift_code": "A", "line_code": "L01",
                                       "hour": 9, "style_code": "S1", "checked_qty": 60,
                                       "defective_qty": 2}])
    ia.evaluate(engine, settings, at(11, 5))
    firing = _alerts(engine)
    assert list(firing["subject"]) == ["L01"]
    assert firing["value"].iloc[0] == pytest.approx(10.0)  # 10 defects in 100 checked


def test_machine_down_across_midnight(plant):
    engine, settings = plant
    _rule(engine, kind="machine_down", threshold=60)
    _rule(engine, kind="machine_down", threshold=90)
    ia.evaluate(engine, settings, at(0, 20, days=1))  # 50 min: neither
    assert _alerts(engine).empty
    ia.evaluate(engine, settings, at(0, 40, days=1))  # 70 min: the 60-minute rule only
    firing = _alerts(engine)
    assert list(firing["subject"]) == ["L02-M01"] and len(firing) == 1
    assert firing["value"].iloc[0] == pytest.approx(70)
    assert firing["line_code"].iloc[0] == "L02"
    upsert(engine, schema.breakdowns, [{"breakdown_id": "BD1", "line_code": "L02",
                                        "machine_code": "L02-M01", "start_ts": at(23, 30),
                                        "end_ts": at(0, 45, days=1), "date": D,
                                        "shift_code": "B"}])
    assert ia.evaluate(engine, settings, at(0, 50, days=1))["resolved"] == 1


def test_order_at_risk_when_the_rate_drops(plant):
    engine, settings = plant
    _rule(engine, kind="order_at_risk", threshold=0)
    ia.evaluate(engine, settings, at(11))
    assert _alerts(engine).empty  # 600 / 200 a day: D+3, due D+5
    # the last 7 days were 100 a day, not 200: 600 / 100 = 6 days -> D+6, one day past due
    upsert(engine, schema.production, [
        {"date": D - timedelta(days=k), "shift_code": "A", "line_code": "L01", "hour": 9,
         "style_code": "S1", "stage": "output", "qty": 100} for k in range(1, 8)])
    ia.evaluate(engine, settings, at(11, 5))
    firing = _alerts(engine)
    assert list(firing["subject"]) == ["WO1"] and firing["value"].iloc[0] == 1.0
    # 300 more produced: 300 / 100 = 3 days -> D+3, on track again
    with engine.begin() as conn:
        conn.execute(update(schema.work_orders).values(produced_qty=700))
    assert ia.evaluate(engine, settings, at(11, 10))["resolved"] == 1


def test_for_min_waits_and_a_blip_is_forgotten(plant):
    engine, settings = plant
    _rule(engine, kind="behind_target", threshold=80, for_min=10)
    assert ia.evaluate(engine, settings, at(11))["pending"] == 1
    assert ia.evaluate(engine, settings, at(11, 9))["fired"] == 0
    assert _alerts(engine).empty
    assert ia.evaluate(engine, settings, at(11, 10))["fired"] == 1
    # a second rule whose condition stops holding while it waits: forgotten, never announced
    _rule(engine, kind="machine_down", threshold=60, for_min=30)
    ia.evaluate(engine, settings, at(0, 40, days=1))
    upsert(engine, schema.breakdowns, [{"breakdown_id": "BD1", "line_code": "L02",
                                        "machine_code": "L02-M01", "start_ts": at(23, 30),
                                        "end_ts": at(0, 45, days=1), "date": D,
                                        "shift_code": "B"}])
    ia.evaluate(engine, settings, at(0, 50, days=1))
    with engine.connect() as conn:
        states = [r.state for r in conn.execute(select(schema.alerts.c.state))]
    assert "pending" not in states


# --- delivery ---------------------------------------------------------------------------------

class Receiver:
    """A real HTTP server on a free localhost port that records each POSTed JSON body; it
    answers `status`, after sleeping `delay` seconds."""

    def __init__(self):
        self.bodies, self.status, self.delay = [], 200, 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(outer.delay)
                outer.bodies.append((json.loads(body), self.headers["X-FloorPulse-Delivery"]))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def states(self):
        return [b["state"] for b, _ in self.bodies]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_webhook_hears_one_firing_and_one_resolved_over_five_evaluations(plant, receiver):
    engine, settings = plant
    rule_id = _rule(engine, kind="machine_down", threshold=60, webhook=receiver.url)
    for minute in (40, 45, 50):  # fires, then holds
        ia.evaluate_alerts(settings, at(0, minute, days=1))
    upsert(engine, schema.breakdowns, [{"breakdown_id": "BD1", "line_code": "L02",
                                        "machine_code": "L02-M01", "start_ts": at(23, 30),
                                        "end_ts": at(0, 52, days=1), "date": D,
                                        "shift_code": "B"}])
    for minute in (55, 59):  # resolves, then stays resolved
        ia.evaluate_alerts(settings, at(0, minute, days=1))
    assert receiver.states() == ["firing", "resolved"]
    firing, resolved = receiver.bodies[0][0], receiver.bodies[1][0]
    assert set(firing) == {"alert_id", "rule_id", "kind", "subject", "state", "value",
                           "threshold", "started_at", "resolved_at", "message", "url"}
    assert firing["rule_id"] == rule_id and firing["subject"] == "L02-M01"
    assert firing["kind"] == "machine_down" and firing["threshold"] == 60
    assert firing["value"] == pytest.approx(70) and firing["resolved_at"] is None
    assert firing["started_at"] == "2026-03-03T00:40:00"
    assert firing["url"] == "/downtime?line=L02"
    assert resolved["alert_id"] == firing["alert_id"]
    assert resolved["resolved_at"] == "2026-03-03T00:55:00"
    assert receiver.bodies[0][1] != receiver.bodies[1][1]  # each delivery has its own id


def test_failing_webhook_is_retried_with_backoff_and_logged(plant, receiver, caplog):
    engine, settings = plant
    receiver.status = 500
    _rule(engine, kind="machine_down", threshold=60, webhook=receiver.url)
    now = at(0, 40, days=1)
    with caplog.at_level(logging.WARNING, logger="ingest.deliver"):
        result = ia.evaluate_alerts(settings, now)
    assert result["fired"] == 1 and result["retrying"] == 1
    assert "HTTP 500" in caplog.text
    with engine.connect() as conn:
        row = q.outbox(conn).iloc[0]
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["last_error"].startswith("HTTP 500")
    assert row["next_try_at"] == now + timedelta(seconds=30)
    # not due before the back-off has passed, then retried (and the next wait doubles)
    assert deliver.deliver_pending(engine, settings, now + timedelta(seconds=29)) == \
        {"sent": 0, "retrying": 0, "failed": 0}
    assert deliver.deliver_pending(engine, settings, now + timedelta(seconds=30))["retrying"] == 1
    with engine.connect() as conn:
        row = q.outbox(conn).iloc[0]
    assert row["attempts"] == 2 and row["next_try_at"] == now + timedelta(seconds=90)
    receiver.status = 200
    assert deliver.deliver_pending(engine, settings, now + timedelta(seconds=90))["sent"] == 1
    assert receiver.states() == ["firing"] * 3  # two failures, one success, no more


def test_hanging_webhook_times_out_and_never_blocks_evaluation(plant, receiver, caplog,
                                                                 database_url):
    engine, _ = plant
    settings = _settings(database_url, webhook_timeout_s=0.5)
    receiver.delay = 3
    _rule(engine, kind="machine_down", threshold=60, webhook=receiver.url)
    t0 = time.monotonic()
    assert ia.evaluate(engine, settings, at(0, 40, days=1))["fired"] == 1  # committed first
    assert time.monotonic() - t0 < 2
    with caplog.at_level(logging.WARNING, logger="ingest.deliver"):
        t0 = time.monotonic()
        assert deliver.deliver_pending(engine, settings, at(0, 40, days=1))["retrying"] == 1
        assert time.monotonic() - t0 < 2.5
    assert "timed out" in caplog.text.lower()
    assert _alerts(engine)["state"].tolist() == ["firing"]


def test_email_through_smtp_url(plant):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    engine, _ = plant
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = _settings(str(engine.url.render_as_string(hide_password=False)),
                             smtp_url=f"smtp://127.0.0.1:{port}")
        _rule(engine, kind="dhu_above", threshold=20, min_checked=40,
              email=["qc@example.com", "lead@example.com"])
        assert ia.evaluate_alerts(settings, at(11))["sent"] == 1
        assert ia.evaluate_alerts(settings, at(11, 5))["sent"] == 0
    finally:
        controller.stop()
    (to, content), = inbox.messages
    assert sorted(to) == ["lead@example.com", "qc@example.com"]
    assert "Subject: [FloorPulse] FIRING: dhu_above L01" in content
    assert "DHU today is 25.0" in content and "/lines/L01" in content


def test_email_without_smtp_url_waits_and_says_why(plant):
    engine, settings = plant
    _rule(engine, kind="dhu_above", threshold=20, min_checked=40, email="qc@example.com")
    assert ia.evaluate_alerts(settings, at(11))["retrying"] == 1
    with engine.connect() as conn:
        assert q.outbox(conn)["last_error"].iloc[0] == "SMTP_URL is not set"


def test_two_evaluations_never_double_an_alert(plant, receiver):
    engine, settings = plant
    _rule(engine, kind="machine_down", threshold=60, webhook=receiver.url)
    now = at(0, 40, days=1)
    threads = [threading.Thread(target=ia.evaluate, args=(engine, settings, now))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deliver.deliver_pending(engine, settings, now)
    assert len(_alerts(engine)) == 1
    assert receiver.states() == ["firing"]


def test_a_deliverer_that_died_mid_send_loses_nothing(plant, receiver):
    """A row claimed by a deliverer that never finished (a crash) is sent after the claim
    lapses, once."""
    engine, settings = plant
    _rule(engine, kind="machine_down", threshold=60, webhook=receiver.url)
    now = at(0, 40, days=1)
    ia.evaluate(engine, settings, now)
    with engine.connect() as conn:
        (row,) = q.due_notifications(conn, now)
    with engine.begin() as conn:
        assert deliver._claim(conn, row, now)  # ... and the process dies here
    assert deliver.deliver_pending(engine, settings, now)["sent"] == 0  # still claimed
    later = now + timedelta(seconds=deliver.CLAIM_S)
    assert deliver.deliver_pending(engine, settings, later)["sent"] == 1
    assert deliver.deliver_pending(engine, settings, later + timedelta(hours=1))["sent"] == 0
    assert receiver.states() == ["firing"]


def test_delivery_gives_up_after_max_attempts_and_says_so(plant, receiver, caplog):
    engine, settings = plant
    receiver.status = 500
    _rule(engine, kind="machine_down", threshold=60, webhook=receiver.url)
    now = at(0, 40, days=1)
    ia.evaluate(engine, settings, now)
    with engine.begin() as conn:  # eleven tries have failed already
        conn.execute(update(schema.alert_outbox).values(attempts=deliver.MAX_ATTEMPTS - 1))
    with caplog.at_level(logging.ERROR, logger="ingest.deliver"):
        assert deliver.deliver_pending(engine, settings, now)["failed"] == 1
    assert "giving up" in caplog.text
    with engine.connect() as conn:
        row = q.outbox(conn).iloc[0]
    assert row["status"] == "failed" and row["attempts"] == deliver.MAX_ATTEMPTS
    assert deliver.deliver_pending(engine, settings, now + timedelta(days=1))["failed"] == 0


def test_the_schedule_evaluates_alerts(plant):
    """The schedule's "alerts" job (ingest/schedule.py) is evaluate_alerts on the real clock: the
    machine down since 2 March has been down a long time by now."""
    from ingest import schedule

    engine, settings = plant
    _rule(engine, kind="machine_down", threshold=60)
    job = schedule.BY_NAME["alerts"]
    assert job.setting == "ALERTS_EVERY_S" and job.interval_s(settings) == 60
    assert job.run(engine, settings).startswith("1 rule(s): 1 fired")
    assert "0 fired, 0 resolved, 1 firing" in job.run(engine, settings)
