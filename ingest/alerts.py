"""Alert rules and alert state (SPEC section 11): rule changes, evaluation, acknowledgement.

Evaluation measures every rule's subjects (queries/alerts.py), judges them (metrics/alerts.py)
and moves each (rule, subject) through pending -> firing -> resolved. A notification is written to
the outbox in the same transaction as the change that causes it; ingest/deliver.py sends it later.
So evaluating again changes nothing, two evaluations at once cannot both fire one alert (the live
key is unique), and a hanging webhook never holds up the next evaluation.
"""
from __future__ import annotations

import json
import logging
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from data import db, schema
from ingest import deliver as delivery
from ingest.deliver import plant_now
from metrics import alerts as m
from metrics.calendar import hhmm_to_minutes, shift_length_minutes
from metrics.orders import OPEN_STATUSES, add_order_metrics, rate_window
from queries import alerts as q
from queries import orders as order_queries
from queries.common import shifts as shift_table
from queries.downtime import open_breakdowns
from settings import Settings

log = logging.getLogger(__name__)

RULES, ALERTS, OUTBOX = schema.alert_rules, schema.alerts, schema.alert_outbox
# Changes whenever an alert fires, resolves or is acknowledged: live pages compare it (alerts do
# not move the data version, which would empty every report cache each time one fires).
ALERTS_VERSION_KEY = "alerts_version"
MAX_FOR_MIN = 7 * 24 * 60
MAX_MIN_CHECKED = 1_000_000  # a day's pieces checked on one line never come near it
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


class RuleError(ValueError):
    """A rule a user gave us that we cannot keep; `field` names the bad part."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


class AlertError(ValueError):
    """An alert action that cannot be done (unknown alert, not firing)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


# --- rules -----------------------------------------------------------------------------------

def _list(value, field_name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[,;]", value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise RuleError(field_name, f"{field_name} must be a list of strings.")
    out = []
    for v in value:
        v = v.strip()
        if v and v not in out:
            out.append(v)
    return out


def _number(body: dict, name: str, default=None, *, integer=False, maximum=None):
    raw = body.get(name, default)
    if raw is None or raw == "":
        if default is None:
            raise RuleError(name, f"{name} is required.")
        raw = default
    if isinstance(raw, bool):
        raise RuleError(name, f"{name} must be a number, not {raw!r}.")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise RuleError(name, f"{name} must be a number, not {raw!r}.") from None
    if not math.isfinite(value) or value < 0:
        raise RuleError(name, f"{name} must be zero or more, not {raw!r}.")
    if integer and value != int(value):
        raise RuleError(name, f"{name} must be a whole number, not {raw!r}.")
    if maximum is not None and value > maximum:
        raise RuleError(name, f"{name} may be at most {maximum}, not {raw!r}.")
    return int(value) if integer else value


def _webhook(raw) -> str | None:
    if raw in (None, ""):
        return None
    parts = urlsplit(raw) if isinstance(raw, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or any(c.isspace() for c in raw):
        raise RuleError("webhook", f"webhook must be an http:// or https:// URL, not {raw!r}.")
    return raw.strip()


def validate_rule(body, known_lines: set[str]) -> dict:
    """The rule's columns from a request body, or RuleError naming the first bad field."""
    if not isinstance(body, dict):
        raise RuleError("body", "Send the rule as a JSON object.")
    unknown = set(body) - {"kind", "threshold", "lines", "for_min", "min_checked", "webhook",
                           "email", "name"}
    if unknown:
        raise RuleError(sorted(unknown)[0], f"Unknown field '{sorted(unknown)[0]}'.")
    kind = body.get("kind")
    if kind not in m.KINDS:
        raise RuleError("kind", f"kind must be one of {', '.join(m.KINDS)}, not {kind!r}.")
    threshold = _number(body, "threshold", 0 if kind == "order_at_risk" else None,
                        maximum=1e9)
    if kind == "behind_target" and threshold > 1000:
        raise RuleError("threshold", "threshold is a percentage of the target; at most 1000.")
    lines = _list(body.get("lines"), "lines")
    missing = [c for c in lines if c not in known_lines]
    if missing:
        raise RuleError("lines", f"Unknown line(s): {', '.join(missing)}.")
    emails = _list(body.get("email"), "email")
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise RuleError("email", f"Not an email address: {bad[0]!r}.")
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise RuleError("name", "name must be a string.")
    return {
        "kind": kind, "threshold": threshold,
        "min_checked": (_number(body, "min_checked", m.DEFAULT_MIN_CHECKED, integer=True,
                                maximum=MAX_MIN_CHECKED) if kind == "dhu_above" else None),
        "lines": ",".join(lines) or None,
        "for_min": _number(body, "for_min", 0, integer=True, maximum=MAX_FOR_MIN),
        "webhook_url": _webhook(body.get("webhook")),
        "emails": ",".join(emails) or None,
        "name": (name or "").strip()[:200] or None,
    }


def touch(conn) -> None:
    """Mark the alerts as changed (last in the transaction: the meta row is locked briefly)."""
    db.set_meta(conn, ALERTS_VERSION_KEY, uuid.uuid4().hex)


def create_rule(conn, body, username: str, now: datetime) -> int:
    known = {r[0] for r in conn.execute(select(schema.lines.c.line_code))}
    values = validate_rule(body, known)
    result = conn.execute(insert(RULES).values(**values, created_at=now, created_by=username))
    return int(result.inserted_primary_key[0])


def delete_rule(conn, rule_id: int, settings: Settings, now: datetime) -> bool:
    """Retire a rule: it stops being evaluated, its pending alerts are dropped, and its firing
    ones resolve (their channels hear of it: everything that fired is closed). False when there
    is no such rule."""
    rule = q.rule(conn, rule_id)
    if rule is None or rule["deleted_at"] is not None:
        return False
    conn.execute(update(RULES).where(RULES.c.id == rule_id).values(deleted_at=now))
    for subject, alert in q.live_alerts(conn, rule_id).items():
        if alert["state"] == "firing":
            _resolve(conn, dict(rule), alert, now, settings, note="the rule was deleted")
        else:
            conn.execute(delete(ALERTS).where(ALERTS.c.id == alert["id"]))
    touch(conn)
    return True


def rule_lines(rule) -> tuple[str, ...] | None:
    raw = rule["lines"] if rule["lines"] is not None else ""
    lines = tuple(x for x in str(raw).split(",") if x)
    return lines or None


# --- measuring ---------------------------------------------------------------------------------

@dataclass
class Reading:
    """One subject's measurement: does the rule's condition hold, and on what value."""
    subject: str
    line_code: str | None
    holds: bool
    value: float | None
    message: str = field(default="")


def _current_plans(conn, now: datetime, lines) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the plan rows whose shift is running at `now`, the shifts); a night shift running at
    `now` may have begun yesterday."""
    plans = q.plans_on(conn, [now.date() - timedelta(days=1), now.date()], lines)
    shifts = shift_table(conn)
    if plans.empty or shifts.empty:
        return plans.iloc[0:0], shifts
    spans = {r.shift_code: (hhmm_to_minutes(r.start), shift_length_minutes(r.start, r.end))
             for r in shifts.itertuples(index=False)}
    keep = []
    for r in plans.itertuples(index=False):
        if r.shift_code not in spans:
            keep.append(False)
            continue
        start_min, length = spans[r.shift_code]
        # overtime in the plan runs on past the shift's end (metrics.production.plan_hours)
        length = max(length, int(r.working_minutes or 0))
        start = datetime.combine(r.date, datetime.min.time()) + timedelta(minutes=start_min)
        keep.append(start <= now < start + timedelta(minutes=length))
    return plans[keep], shifts


def _read_behind_target(conn, now) -> pd.DataFrame:
    """Per line: output since its current shift began and the target for the time so far."""
    plans, shifts = _current_plans(conn, now, None)
    if plans.empty:
        return pd.DataFrame(columns=["line_code", "target_so_far", "output"])
    so_far = m.target_so_far(plans, shifts, now)
    output = q.output_on(conn, sorted(set(plans["date"])), sorted(set(plans["line_code"])))
    so_far = so_far.merge(output, on=["date", "shift_code", "line_code"], how="left")
    so_far["output"] = so_far["output"].fillna(0)
    return so_far.groupby("line_code", as_index=False)[["target_so_far", "output"]].sum()


def _behind_target(rule, rows: pd.DataFrame) -> list[Reading]:
    out = []
    for r in rows.itertuples(index=False):
        holds, pct = m.behind_target(r.output, r.target_so_far, rule["threshold"])
        shown = "—" if pct is None else f"{pct:.1f} %"
        out.append(Reading(r.line_code, r.line_code, holds, pct,
                           f"Line {r.line_code} is at {shown} of its target so far "
                           f"({r.output:,.0f} of {r.target_so_far:,.1f} pcs; rule: below "
                           f"{rule['threshold']:g} %)."))
    return out


def _read_dhu_above(conn, now) -> pd.DataFrame:
    return q.quality_on(conn, now.date(), None)


def _dhu_above(rule, rows: pd.DataFrame) -> list[Reading]:
    out = []
    for r in rows.itertuples(index=False):
        holds, dhu = m.dhu_above(r.defects, r.checked, rule["threshold"], rule["min_checked"])
        shown = "—" if dhu is None else f"{dhu:.1f}"
        out.append(Reading(r.line_code, r.line_code, holds, dhu,
                           f"Line {r.line_code} DHU today is {shown} ({r.defects:,.0f} defects "
                           f"in {r.checked:,.0f} checked; rule: above {rule['threshold']:g})."))
    return out


def _read_machine_down(conn, now) -> pd.DataFrame:
    down = open_breakdowns(conn, None)
    down = down[down["machine_code"].notna()]
    # a machine with two open breakdowns is down since the earlier one
    return down.sort_values("start_ts").drop_duplicates("machine_code")


def _machine_down(rule, rows: pd.DataFrame, now) -> list[Reading]:
    out = []
    for r in rows.itertuples(index=False):
        holds, minutes = m.machine_down(r.start_ts, now, rule["threshold"])
        out.append(Reading(r.machine_code, r.line_code, holds, minutes,
                           f"Machine {r.machine_code} on {r.line_code} has been down "
                           f"{minutes:,.0f} min ({r.category or 'breakdown'}: "
                           f"{r.reason or 'no reason given'}; rule: over "
                           f"{rule['threshold']:g} min)."))
    return out


def _read_order_at_risk(conn, now) -> pd.DataFrame:
    today = now.date()
    orders = order_queries.work_orders(conn, statuses=OPEN_STATUSES)
    if orders.empty:
        return orders
    start, end = rate_window(today)
    daily = order_queries.daily_output(conn, list(orders["line_code"].dropna().unique()),
                                       start, end)
    orders = add_order_metrics(orders, daily, today)
    due = pd.to_datetime(orders["due_date"])
    orders["late_days"] = (pd.Timestamp(today) - due).dt.days
    orders["over_days"] = (pd.to_datetime(orders["projected_completion"]) - due).dt.days
    return orders


def _order_at_risk(rule, rows: pd.DataFrame) -> list[Reading]:
    out = []
    for r in rows.itertuples(index=False):
        days = r.late_days if r.late else r.over_days
        holds, value = m.order_at_risk(r.late, r.at_risk, days)
        # threshold: days of slack allowed past the due date before a risk counts
        holds = holds and (bool(r.late) or (value or 0) > float(rule["threshold"]))
        what = (f"is {r.late_days:.0f} day(s) late (due {r.due_date})" if r.late else
                f"is projected to finish {r.projected_completion}, {r.over_days:.0f} day(s) "
                f"after its due date {r.due_date}" if r.at_risk else "is on track")
        out.append(Reading(r.wo_number, r.line_code, holds, value,
                           f"Order {r.wo_number} ({r.style_code} on {r.line_code}) {what}."))
    return out


READS = {"behind_target": _read_behind_target, "dhu_above": _read_dhu_above,
         "machine_down": _read_machine_down, "order_at_risk": _read_order_at_risk}


def measure(conn, rule, now: datetime, reads: dict | None = None) -> list[Reading]:
    """The rule's readings on its lines. `reads` keeps each kind's read for the other rules of
    that kind in one evaluation (rules differ in threshold and lines, not in what they read)."""
    reads = {} if reads is None else reads
    kind = rule["kind"]
    if kind not in reads:
        reads[kind] = READS[kind](conn, now)
    rows = reads[kind]
    lines = rule_lines(rule)
    if lines is not None and not rows.empty:
        rows = rows[rows["line_code"].isin(lines)]
    if kind == "machine_down":
        return _machine_down(rule, rows, now)
    return {"behind_target": _behind_target, "dhu_above": _dhu_above,
            "order_at_risk": _order_at_risk}[kind](rule, rows)


# --- state changes and their notifications ------------------------------------------------------

def page_path(kind: str, subject: str, line_code: str | None) -> str:
    """The page that explains an alert: the line's page, Downtime, or Orders."""
    what = m.SUBJECT_OF[kind]
    if what == "line":
        return f"/lines/{quote(subject, safe='')}"
    if what == "machine":
        return "/downtime" + (f"?line={quote(line_code, safe='')}" if line_code else "")
    return "/orders"


def payload(rule, alert: dict, settings: Settings) -> dict:
    """The webhook JSON of SPEC section 11."""
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    return {"alert_id": alert["id"], "rule_id": rule["id"], "kind": rule["kind"],
            "subject": alert["subject"], "state": alert["state"], "value": alert["value"],
            "threshold": rule["threshold"], "started_at": iso(alert["fired_at"]),
            "resolved_at": iso(alert["resolved_at"]), "message": alert["message"],
            "url": settings.public_url + page_path(rule["kind"], alert["subject"],
                                                   alert["line_code"])}


def _notify(conn, rule, alert: dict, settings: Settings, now: datetime) -> None:
    body = json.dumps(payload(rule, alert, settings))
    rows = []
    if rule["webhook_url"]:
        rows.append(("webhook", rule["webhook_url"]))
    if rule["emails"]:
        rows.append(("email", rule["emails"]))
    for channel, target in rows:
        conn.execute(insert(OUTBOX).values(
            alert_id=alert["id"], event=alert["state"], channel=channel, target=target,
            payload=body, status="pending", attempts=0, next_try_at=now, created_at=now))


def _fire(conn, rule, alert: dict | None, reading: Reading, now: datetime,
          settings: Settings) -> bool:
    values = dict(state="firing", fired_at=now, value=reading.value, threshold=rule["threshold"],
                  message=reading.message, updated_at=now, line_code=reading.line_code)
    if alert is None:  # for_min 0: fires at once
        new = conn.execute(insert(ALERTS).values(
            rule_id=rule["id"], subject=reading.subject, since=now,
            live_key=f"{rule['id']}:{reading.subject}", **values))
        alert_id = int(new.inserted_primary_key[0])
    else:
        done = conn.execute(update(ALERTS).where(ALERTS.c.id == alert["id"],
                                                 ALERTS.c.state == "pending").values(**values))
        if done.rowcount != 1:  # another evaluation moved it first
            return False
        alert_id = alert["id"]
    _notify(conn, rule, dict(q.alert(conn, alert_id)), settings, now)
    return True


def _resolve(conn, rule, alert: dict, now: datetime, settings: Settings, *,
             reading: Reading | None = None, note: str = "") -> bool:
    values = dict(state="resolved", resolved_at=now, live_key=None, updated_at=now)
    if reading is not None and reading.value is not None:
        values.update(value=reading.value)
    message = (reading.message if reading is not None and reading.message else alert["message"])
    values["message"] = f"Resolved: {message}" + (f" ({note})" if note else "")
    done = conn.execute(update(ALERTS).where(ALERTS.c.id == alert["id"],
                                             ALERTS.c.state == "firing").values(**values))
    if done.rowcount != 1:
        return False
    _notify(conn, rule, dict(q.alert(conn, alert["id"])), settings, now)
    return True


def evaluate_rule(conn, rule, now: datetime, settings: Settings, reads: dict | None = None
                  ) -> dict:
    """One rule over all its subjects; counts of what changed."""
    counts = {"fired": 0, "resolved": 0, "pending": 0, "firing": 0}
    readings = {r.subject: r for r in measure(conn, rule, now, reads)}
    live = q.live_alerts(conn, rule["id"])
    for subject in sorted(set(readings) | set(live)):
        reading = readings.get(subject) or Reading(subject, live[subject]["line_code"], False,
                                                   None)
        alert = live.get(subject)
        action = m.step(alert["state"] if alert else None, reading.holds,
                        alert["since"] if alert else None, now, rule["for_min"])
        if action == "pending":
            conn.execute(insert(ALERTS).values(
                rule_id=rule["id"], subject=subject, line_code=reading.line_code,
                state="pending", live_key=f"{rule['id']}:{subject}", since=now,
                value=reading.value, threshold=rule["threshold"], message=reading.message,
                updated_at=now))
            counts["pending"] += 1
        elif action == "fire":
            counts["fired"] += _fire(conn, rule, alert, reading, now, settings)
        elif action == "resolve":
            counts["resolved"] += _resolve(conn, rule, alert, now, settings, reading=reading)
        elif action == "forget":
            conn.execute(delete(ALERTS).where(ALERTS.c.id == alert["id"],
                                              ALERTS.c.state == "pending"))
        elif alert is not None and alert["state"] == "firing" and reading.value is not None \
                and reading.value != alert["value"]:
            # still firing: keep the number on the pages current (no notification)
            conn.execute(update(ALERTS).where(ALERTS.c.id == alert["id"]).values(
                value=reading.value, message=reading.message, updated_at=now))
        if (alert and alert["state"] == "firing" and action is None) or action == "fire":
            counts["firing"] += 1
    if counts["fired"] or counts["resolved"]:
        touch(conn)
    return counts


def evaluate(engine, settings: Settings, now: datetime | None = None) -> dict:
    """Evaluate every rule, one transaction each (a broken rule does not stop the others)."""
    now = now or plant_now(settings)
    totals = {"rules": 0, "fired": 0, "resolved": 0, "pending": 0, "firing": 0, "skipped": 0,
              "errors": 0}
    with engine.connect() as conn:
        rules = q.active_rules(conn)
    reads: dict = {}  # each kind is read once per evaluation, before any rule writes
    for rule in rules:
        try:
            with engine.begin() as conn:
                counts = evaluate_rule(conn, rule, now, settings, reads)
        except IntegrityError:
            # another evaluation changed this rule's alerts at the same moment: its result
            # stands, ours is rolled back whole (notifications included), nothing is doubled
            log.info("alert rule %s was evaluated concurrently; skipped", rule["id"])
            totals["skipped"] += 1
            continue
        except Exception:  # noqa: BLE001 - one bad rule must not silence the rest
            log.exception("alert rule %s failed to evaluate", rule["id"])
            totals["errors"] += 1
            continue
        totals["rules"] += 1
        for key, n in counts.items():
            totals[key] += n
    return totals


# --- acknowledgement ------------------------------------------------------------------------

def acknowledge(conn, alert_id: int, username: str, now: datetime, lines=None) -> dict:
    """Mark a firing alert as seen by `username`; acknowledging twice keeps the first."""
    alert = q.alert(conn, alert_id)
    if alert is None or alert["state"] == "pending" or (
            lines is not None and alert["line_code"] not in lines):
        raise AlertError(404, "not_found", f"There is no alert {alert_id}.")
    if alert["state"] != "firing":
        raise AlertError(409, "not_firing", f"Alert {alert_id} is {alert['state']}; only a "
                         "firing alert can be acknowledged.")
    if alert["acked_at"] is None:
        conn.execute(update(ALERTS).where(ALERTS.c.id == alert_id, ALERTS.c.acked_at.is_(None))
                     .values(acked_at=now, acked_by=username))
        touch(conn)
    return dict(q.alert(conn, alert_id))


def evaluate_alerts(settings_or_ctx, now: datetime | None = None, *, deliver: bool = True,
                    budget_s: float | None = None) -> dict:
    """Evaluate every rule, then send what is due: the plain function the CLI and the schedule
    call. Takes Settings or anything with `.settings` (a Context)."""
    settings = getattr(settings_or_ctx, "settings", settings_or_ctx)
    engine = db.get_engine(settings.database_url)
    now = now or plant_now(settings)
    result = evaluate(engine, settings, now)
    if deliver:
        result.update(delivery.deliver_pending(engine, settings, now, budget_s))
    return result
