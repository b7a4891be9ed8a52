"""Alert reports (SPEC section 11): firing alerts for the Overview, the Lines page and the TV
board, the alert list and the rules for the API and the Admin page, and the admin's changes to
them (each with its audit-log row in the same transaction).

Nothing here is cached: alerts change when rules are evaluated, not when the data version moves.
"""
from __future__ import annotations

import pandas as pd

from auth import audit
from core.context import Context
from core.filters import scoped_lines
from data import db
from ingest import alerts as ia
from metrics.alerts import SUBJECT_OF
from queries import alerts as q

ALERT_FIELDS = ["id", "rule_id", "kind", "rule_name", "subject", "line_code", "state", "value",
                "threshold", "since", "fired_at", "resolved_at", "acked_at", "acked_by",
                "message", "url"]
RULE_FIELDS = ["id", "kind", "name", "threshold", "min_checked", "lines", "for_min", "webhook",
               "email", "created_at", "created_by"]
RuleError, AlertError = ia.RuleError, ia.AlertError
KIND_LABELS = {"behind_target": "Behind target", "dhu_above": "DHU above",
               "machine_down": "Machine down", "order_at_risk": "Order at risk"}


def _with_links(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df.assign(url=pd.Series(dtype=object))
    return df.assign(url=[ia.page_path(k, s, ln) for k, s, ln in
                          zip(df["kind"], df["subject"], df["line_code"])])


def alerts(ctx: Context, state: str | None = None, scope=None, lines: tuple[str, ...] = ()
           ) -> pd.DataFrame:
    """Firing and/or resolved alerts, newest first, on the lines the caller may read."""
    states = (state,) if state else ("firing", "resolved")
    with ctx.engine.connect() as conn:
        df = q.alerts(conn, states=states, lines=scoped_lines(tuple(lines), scope))
    return _with_links(df)


def firing_alerts(ctx: Context, lines: tuple[str, ...] = (), scope=None) -> list[dict]:
    """The alerts firing now on these lines (all lines when none are named), within the
    caller's scope, most recent first: what the Overview, the Lines page and the TV board show.
    Each has kind, label, subject, line_code, value, threshold, fired_at, acked, message and
    url (the page that explains it)."""
    df = alerts(ctx, "firing", scope, tuple(lines))
    out = []
    for r in df.to_dict("records"):
        out.append({"id": int(r["id"]), "kind": r["kind"], "label": KIND_LABELS[r["kind"]],
                    "subject": r["subject"], "subject_type": SUBJECT_OF[r["kind"]],
                    "line_code": r["line_code"], "value": r["value"],
                    "threshold": r["threshold"], "fired_at": r["fired_at"],
                    "acked": r["acked_at"] is not None and not pd.isna(r["acked_at"]),
                    "message": r["message"], "url": r["url"]})
    return out


def alerts_version(ctx: Context) -> str | None:
    """A token that changes whenever an alert fires, resolves or is acknowledged: a live page
    or the TV board fetches the alerts again when it differs from the one it saw."""
    with ctx.engine.connect() as conn:
        return db.get_meta(conn, ia.ALERTS_VERSION_KEY)


def _rule_view(found: list[dict], scope) -> pd.DataFrame:
    """Rules as the API shows them: lines and emails as lists, webhook by its own name; a line
    manager sees the rules that cover their lines, and of their lines only."""
    rows = []
    for r in found:
        lines = [x for x in (r["lines"] or "").split(",") if x]
        if scope is not None:
            if lines and not set(lines) & set(scope):
                continue
            lines = [x for x in lines if x in scope]
        rows.append({**r, "lines": lines, "webhook": r["webhook_url"],
                     "email": [x for x in (r["emails"] or "").split(",") if x],
                     "min_checked": r["min_checked"]})
    return pd.DataFrame(rows, columns=RULE_FIELDS)


def rules(ctx: Context, scope=None) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        return _rule_view(q.active_rules(conn), scope)


def rule(ctx: Context, rule_id: int) -> dict | None:
    df = rules(ctx)
    match = df[df["id"] == rule_id]
    return match.to_dict("records")[0] if not match.empty else None


def create_rule(ctx: Context, actor: str, body) -> dict:
    """Keep a new rule (ia.RuleError names the bad field); answers it as the API shows it."""
    with ctx.engine.begin() as conn:
        rule_id = ia.create_rule(conn, body, actor, ctx.now())
        audit.record(conn, actor, "alert rule created",
                     {"rule": rule_id, **{k: v for k, v in body.items()}}, ts=ctx.now())
    return rule(ctx, rule_id)


def delete_rule(ctx: Context, actor: str, rule_id: int) -> bool:
    with ctx.engine.begin() as conn:
        done = ia.delete_rule(conn, rule_id, ctx.settings, ctx.now())
        if done:
            audit.record(conn, actor, "alert rule deleted", {"rule": rule_id}, ts=ctx.now())
    return done


def acknowledge(ctx: Context, actor: str, alert_id: int, scope=None) -> dict:
    with ctx.engine.begin() as conn:
        ia.acknowledge(conn, alert_id, actor, ctx.now(), scope)
        df = _with_links(q.alerts(conn, alert_id=alert_id))
    return df.to_dict("records")[0]


def evaluate_now(ctx: Context, actor: str) -> dict:
    """The Admin page's "evaluate now": every rule, then what is due is sent (for a few seconds
    at most: the rest waits for the schedule)."""
    result = ia.evaluate_alerts(ctx, budget_s=5)
    with ctx.engine.begin() as conn:
        audit.record(conn, actor, "alerts evaluated", result, ts=ctx.now())
    return result
