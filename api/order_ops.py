"""Running orders over the API (SPEC section 13): create, edit, move, bulk moves, issue material.

Admins and plant heads run every order, line managers the orders of their lines, viewers none
(auth.users.User.can_run_orders / order_scope). The writes and their audit rows are
ingest.orders; the status rules metrics.order_status, which the CSV import reads too.
"""
from __future__ import annotations

from flask import jsonify, request

from api.bodies import item_schema
from api.common import bp
from api.declare import route
from auth.gate import request_user
from core.context import current
from core.errors import ApiError
from core.serialize import mapping
from ingest import orders as ops
from metrics import order_status as rules
from metrics.order_status import allowed_actions

ORDER_FIELDS = ["wo_number", "style_code", "line_code", "order_qty", "produced_qty", "status",
                "planned_start", "due_date", "released_at", "started_at", "held_at",
                "completed_at", "cancelled_at"]


# --- what the document says (the checks themselves are ingest.orders') ---------------------
ORDER = {"type": "object", "required": ORDER_FIELDS + ["actions"], "properties": {
    **item_schema("work_orders", only=tuple(ORDER_FIELDS))["properties"],
    **{name: {"type": ["string", "null"], "description": "ISO 8601, plant-local"}
       for name in ("released_at", "started_at", "held_at", "completed_at", "cancelled_at")},
    "produced_qty": {"type": ["number", "null"]},
    "actions": {"type": "array", "items": {"type": "string", "enum": list(rules.ACTIONS)},
                "description": "the moves its status allows now"}}}
for _name in ("planned_start", "due_date"):
    ORDER["properties"][_name] = {"type": ["string", "null"], "format": "date"}
RULE_CODES = (rules.BAD_STATUS, rules.MISSING_TIMESTAMP, rules.OUT_OF_ORDER,
              rules.DUE_BEFORE_START)
INVALID = {400: ("bad_json",), 422: ("invalid_order",) + RULE_CODES}
WRONG_STATUS = tuple(rules.cannot_code(a) for a in rules.ACTIONS) + RULE_CODES
MATERIAL = {"type": "object", "properties": {
    "wo_number": {"type": "string"}, "material_code": {"type": "string"},
    "unit": {"type": ["string", "null"]}, "required_qty": {"type": "number"},
    "issued_qty": {"type": "number"}, "shortage": {"type": "number"},
    "over_issued": {"type": "boolean"}, "over_issued_by": {"type": "number"}}}


@bp.errorhandler(ops.OrderError)
def _order_error(err: ops.OrderError):
    return ApiError(err.status, err.code, err.message, err.details).response()


def _actor() -> ops.Actor:
    user = request_user()
    if not user.can_run_orders:
        raise ApiError(403, "forbidden", "Only admins, plant heads and line managers run "
                       "orders; your role may read them.")
    return ops.Actor(user.username, user.order_scope)


def _body():
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "bad_json", "Send a JSON object as the body "
                       "(Content-Type: application/json).")
    return body


def order_json(order: dict) -> dict:
    """The order as stored, plus the actions its status allows now."""
    return {**mapping({k: order.get(k) for k in ORDER_FIELDS}),
            "actions": allowed_actions(order["status"])}


@route("POST", "/v1/orders", tag="orders", summary="Create a work order (status DRAFT)",
       body=item_schema("work_orders", only=ops.CREATE_FIELDS, required=ops.CREATE_REQUIRED),
       answers={201: ORDER}, errors={**INVALID, 409: ("WORK_ORDER_EXISTS",)})
def create_order():
    actor, ctx = _actor(), current()
    order = ops.create(ctx.engine, actor, _body(), ctx.now())
    return jsonify(order_json(order)), 201


@route("PATCH", "/v1/orders/<wo_number>", tag="orders",
       summary="Change quantities and dates of an open order",
       body={**item_schema("work_orders", only=ops.EDIT_FIELDS), "minProperties": 1},
       answers={200: ORDER}, errors={**INVALID, 404: ("not_found",),
                                     409: ("WORK_ORDER_CANNOT_EDIT",) + RULE_CODES})
def edit_order(wo_number):
    actor, ctx = _actor(), current()
    return jsonify(order_json(ops.edit(ctx.engine, actor, wo_number, _body(), ctx.now())))


@route("POST", "/v1/orders/bulk", tag="orders", summary="One action on many orders",
       body={"type": "object", "required": ["action", "wo_numbers"], "properties": {
           "action": {"type": "string", "enum": list(rules.ACTIONS)},
           "wo_numbers": {"type": "array", "items": {"type": "string", "minLength": 1},
                          "minItems": 1, "maxItems": ops.MAX_BULK}}},
       answers={200: {"type": "object", "required": ["action", "done", "failed"], "properties": {
           "action": {"type": "string"},
           "done": {"type": "array", "items": {"type": "object", "properties": {
               "wo_number": {"type": "string"}, "status": {"type": "string"}}}},
           "failed": {"type": "array", "items": {"type": "object", "properties": {
               "wo_number": {"type": "string"}, "code": {"type": "string"},
               "message": {"type": "string"}, "details": {"type": "object"}}}}}}},
       errors=INVALID)
def bulk_orders():
    actor, ctx = _actor(), current()
    return jsonify(ops.bulk(ctx.engine, actor, _body(), ctx.now))


@route("POST", "/v1/orders/<wo_number>/materials", tag="orders",
       summary="Issue material to an order (more than required is flagged over_issued)",
       body={"type": "object", "required": ["material_code", "qty"],
             "additionalProperties": False, "properties": {
                 "material_code": {"type": "string", "minLength": 1},
                 "qty": {"type": "number", "exclusiveMinimum": 0}}},
       answers={200: MATERIAL}, errors={**INVALID, 404: ("not_found",),
                                        409: ("WORK_ORDER_CANNOT_ISSUE_MATERIAL",)})
def issue_material(wo_number):
    actor, ctx = _actor(), current()
    return jsonify(ops.issue(ctx.engine, actor, wo_number, _body(), ctx.now()))


@route("POST", "/v1/orders/<wo_number>/<action>", tag="orders",
       summary="Move an order: release, start, hold, resume, complete or cancel",
       answers={200: ORDER}, errors={404: ("not_found", "unknown_action"), 409: WRONG_STATUS})
def move_order(wo_number, action):
    actor, ctx = _actor(), current()
    return jsonify(order_json(ops.run(ctx.engine, actor, wo_number, action, ctx.now())))
