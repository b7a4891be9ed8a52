"""Alert SQL (SPEC section 11): what the rules are judged on, and the rules and alerts themselves.

The measurements read the facts of today (not the daily rollups, which may lag a few minutes
behind the floor): a few hundred rows at most.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import false, func, select

from data import schema
from queries.common import frame

P, LP, QC, DF = schema.production, schema.line_plans, schema.qc_checks, schema.defects
RULES, ALERTS, OUTBOX = schema.alert_rules, schema.alerts, schema.alert_outbox

ALERT_COLUMNS = [c.name for c in ALERTS.columns if c.name != "live_key"]


def _on_lines(stmt, column, lines):
    if lines is None:
        return stmt
    return stmt.where(column.in_(sorted(lines))) if lines else stmt.where(false())


def plans_on(conn, days: list[date], lines=None) -> pd.DataFrame:
    """The plan rows of these production days (one per line and shift: small)."""
    stmt = select(LP.c.date, LP.c.shift_code, LP.c.line_code, LP.c.style_code, LP.c.target_qty,
                  LP.c.operators, LP.c.helpers, LP.c.working_minutes).where(LP.c.date.in_(days))
    return frame(conn, _on_lines(stmt, LP.c.line_code, lines),
                 ["date", "shift_code", "line_code", "style_code", "target_qty", "operators",
                  "helpers", "working_minutes"])


def output_on(conn, days: list[date], lines=None) -> pd.DataFrame:
    """Σ output per production day, shift and line on these days."""
    keys = [P.c.date, P.c.shift_code, P.c.line_code]
    stmt = (select(*keys, func.sum(P.c.qty).label("output"))
            .where(P.c.stage == "output", P.c.date.in_(days)).group_by(*keys))
    return frame(conn, _on_lines(stmt, P.c.line_code, lines),
                 ["date", "shift_code", "line_code", "output"])


def quality_on(conn, day: date, lines=None) -> pd.DataFrame:
    """Σ checked and Σ defects per line on one production day."""
    if lines is None:  # every line, named: the (line_code, date) indexes then serve one day
        lines = [r[0] for r in conn.execute(select(schema.lines.c.line_code))]
    checks = frame(conn, _on_lines(
        select(QC.c.line_code, func.sum(QC.c.checked_qty).label("checked"))
        .where(QC.c.date == day).group_by(QC.c.line_code), QC.c.line_code, lines),
        ["line_code", "checked"])
    defects = frame(conn, _on_lines(
        select(DF.c.line_code, func.sum(DF.c.qty).label("defects"))
        .where(DF.c.date == day).group_by(DF.c.line_code), DF.c.line_code, lines),
        ["line_code", "defects"])
    out = checks.merge(defects, on="line_code", how="outer")
    return out.fillna({"checked": 0, "defects": 0})


def active_rules(conn) -> list[dict]:
    """The rules to evaluate, as plain dicts (ids stay Python ints for the webhook JSON)."""
    stmt = select(RULES).where(RULES.c.deleted_at.is_(None)).order_by(RULES.c.id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def rule(conn, rule_id: int):
    return conn.execute(select(RULES).where(RULES.c.id == rule_id)).mappings().first()


def live_alerts(conn, rule_id: int) -> dict[str, dict]:
    """The pending and firing alerts of a rule, by subject."""
    rows = conn.execute(select(ALERTS).where(ALERTS.c.rule_id == rule_id,
                                             ALERTS.c.live_key.is_not(None))).mappings()
    return {r["subject"]: dict(r) for r in rows}


def alert(conn, alert_id: int):
    return conn.execute(select(ALERTS).where(ALERTS.c.id == alert_id)).mappings().first()


def alerts(conn, *, states=("firing", "resolved"), lines=None, limit: int = 500,
           alert_id: int | None = None) -> pd.DataFrame:
    """Alerts in these states, newest first, with their rule's kind; `lines` limits them to
    alerts on those lines (None: every line), `alert_id` to that one alert."""
    stmt = (select(*[ALERTS.c[c] for c in ALERT_COLUMNS], RULES.c.kind,
                   RULES.c.name.label("rule_name"))
            .select_from(ALERTS.join(RULES, RULES.c.id == ALERTS.c.rule_id))
            .where(ALERTS.c.state.in_(states)))
    if alert_id is not None:
        stmt = stmt.where(ALERTS.c.id == alert_id)
    stmt = _on_lines(stmt, ALERTS.c.line_code, lines)
    stmt = stmt.order_by(ALERTS.c.fired_at.desc(), ALERTS.c.id.desc()).limit(limit)
    return frame(conn, stmt, ALERT_COLUMNS + ["kind", "rule_name"])


def due_notifications(conn, now, limit: int = 100) -> list[dict]:
    """Outbox rows waiting to be sent whose next try is due, oldest first."""
    stmt = (select(OUTBOX).where(OUTBOX.c.status == "pending", OUTBOX.c.next_try_at <= now)
            .order_by(OUTBOX.c.next_try_at, OUTBOX.c.id).limit(limit))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def outbox(conn) -> pd.DataFrame:
    return frame(conn, select(OUTBOX).order_by(OUTBOX.c.id), [c.name for c in OUTBOX.columns])
