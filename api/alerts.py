"""/api/v1/alerts and /api/v1/alert-rules (SPEC section 11): alerts, acknowledgement, rules.

Everyone signed in reads the alerts and rules of their lines; only admins change rules or
acknowledge alerts.
"""
from __future__ import annotations

from flask import jsonify, request

from api.common import admin_only, bp, scope
from auth.gate import request_user
from core.context import current
from core.errors import ApiError
from core.serialize import mapping, records
from ingest.alerts import AlertError, RuleError
from reports import alerts as reports

STATES = ("firing", "resolved")


def _id(raw: str, what: str) -> int:
    """A path id; anything but a positive whole number is simply not there."""
    if not raw.isdigit() or not 1 <= int(raw) < 2 ** 31:  # beyond: no such row, no DB error
        raise ApiError(404, "not_found", f"There is no {what} {raw}.")
    return int(raw)


@bp.get("/v1/alerts")
def list_alerts():
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        raise ApiError(400, "bad_state", f"state must be one of {', '.join(STATES)}, not "
                       f"'{state}'.", {"allowed": list(STATES)})
    rows = reports.alerts(current(), state, scope())
    return jsonify({"rows": records(rows, reports.ALERT_FIELDS),
                    "total": {"firing": int((rows["state"] == "firing").sum()) if len(rows)
                              else 0,
                              "resolved": int((rows["state"] == "resolved").sum()) if len(rows)
                              else 0}})


@bp.post("/v1/alerts/<alert_id>/ack")
@admin_only
def ack_alert(alert_id):
    number = _id(alert_id, "alert")
    try:
        alert = reports.acknowledge(current(), request_user().username, number, scope())
    except AlertError as err:
        raise ApiError(err.status, err.code, str(err)) from None
    return jsonify(mapping({k: alert.get(k) for k in reports.ALERT_FIELDS}))


@bp.get("/v1/alert-rules")
def list_rules():
    return jsonify({"rows": records(reports.rules(current(), scope()), reports.RULE_FIELDS)})


@bp.post("/v1/alert-rules")
@admin_only
def create_rule():
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "bad_json", "Send the rule as a JSON object, e.g. {\"kind\": "
                       "\"machine_down\", \"threshold\": 30, \"webhook\": \"https://...\"}.")
    try:
        rule = reports.create_rule(current(), request_user().username, body)
    except RuleError as err:
        raise ApiError(422, "invalid_rule", str(err), {"field": err.field}) from None
    return jsonify(mapping(rule)), 201


@bp.delete("/v1/alert-rules/<rule_id>")
@admin_only
def delete_rule(rule_id):
    number = _id(rule_id, "alert rule")
    if not reports.delete_rule(current(), request_user().username, number):
        raise ApiError(404, "not_found", f"There is no alert rule {number}.")
    return jsonify({"deleted": number})
