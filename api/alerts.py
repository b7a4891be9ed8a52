"""/api/v1/alerts and /api/v1/alert-rules (SPEC section 11): alerts, acknowledgement, rules.

Everyone signed in reads the alerts and rules of their lines; only admins change rules or
acknowledge alerts.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from flask import jsonify, request
from pydantic import Field

from api.common import admin_only, scope
from api.declare import route
from api.params import Query
from auth.gate import request_user
from core.context import current
from core.errors import ApiError
from core.serialize import mapping, records
from ingest.alerts import AlertError, RuleError
from metrics.alerts import KINDS
from reports import alerts as reports

OBJECT = {"type": "object"}
ROWS = {"type": "object", "properties": {"rows": {"type": "array", "items": OBJECT}}}
ADMIN_ONLY = {403: ("forbidden",)}
RULE_BODY = {
    "type": "object", "required": ["kind"], "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "threshold": {"type": "number", "minimum": 0,
                      "description": "%, DHU, minutes or days of slack, by kind"},
        "lines": {"type": "array", "items": {"type": "string"},
                  "description": "default: every line"},
        "for_min": {"type": "number", "minimum": 0,
                    "description": "how long the condition must hold before it fires"},
        "min_checked": {"type": "integer", "minimum": 0, "description": "dhu_above only"},
        "webhook": {"type": "string", "description": "an http:// or https:// URL"},
        "email": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
    },
}


class AlertsQuery(Query):
    error_code: ClassVar[str] = "bad_state"
    state: Literal["firing", "resolved"] | None = Field(
        None, description="Only alerts in this state (default: both).")


def _id(raw: str, what: str) -> int:
    """A path id; anything but a positive whole number is simply not there."""
    # ASCII digits only: str.isdigit() also says yes to '³', which int() refuses (a 500)
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) < 2 ** 31:
        raise ApiError(404, "not_found", f"There is no {what} {raw}.")
    return int(raw)


@route("GET", "/v1/alerts", tag="alerts", query=AlertsQuery,
       summary="Alerts of the caller's lines, newest first (at most 500)",
       answers={200: ROWS}, errors={400: ("bad_state",)})
def list_alerts(query):
    state = query.state
    rows = reports.alerts(current(), state, scope())
    return jsonify({"rows": records(rows, reports.ALERT_FIELDS),
                    "total": {"firing": int((rows["state"] == "firing").sum()) if len(rows)
                              else 0,
                              "resolved": int((rows["state"] == "resolved").sum()) if len(rows)
                              else 0}})


@route("POST", "/v1/alerts/<alert_id>/ack", tag="alerts", body_required=False,
       summary="Acknowledge a firing alert (admins)", answers={200: OBJECT},
       errors={**ADMIN_ONLY, 404: ("not_found",), 409: ("not_firing",)})
@admin_only
def ack_alert(alert_id):
    number = _id(alert_id, "alert")
    try:
        alert = reports.acknowledge(current(), request_user().username, number, scope())
    except AlertError as err:
        raise ApiError(err.status, err.code, str(err)) from None
    return jsonify(mapping({k: alert.get(k) for k in reports.ALERT_FIELDS}))


@route("GET", "/v1/alert-rules", tag="alerts", summary="Alert rules", answers={200: ROWS})
def list_rules():
    return jsonify({"rows": records(reports.rules(current(), scope()), reports.RULE_FIELDS)})


@route("POST", "/v1/alert-rules", tag="alerts", body=RULE_BODY,
       summary="Create an alert rule (admins)", answers={201: OBJECT},
       errors={**ADMIN_ONLY, 400: ("bad_json",), 422: ("invalid_rule",)})
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


@route("DELETE", "/v1/alert-rules/<rule_id>", tag="alerts",
       summary="Delete an alert rule; its firing alerts resolve (admins)", answers={200: OBJECT},
       errors={**ADMIN_ONLY, 404: ("not_found",)})
@admin_only
def delete_rule(rule_id):
    number = _id(rule_id, "alert rule")
    if not reports.delete_rule(current(), request_user().username, number):
        raise ApiError(404, "not_found", f"There is no alert rule {number}.")
    return jsonify({"deleted": number})
