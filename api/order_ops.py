"""Running orders over the API (SPEC section 13): create, edit, move, bulk moves, issue material.

Admins and plant heads run every order, line managers the orders of their lines, viewers none
(auth.users.User.can_run_orders / order_scope). The writes and their audit rows are
ingest.orders; the status rules metrics.order_status, which the CSV import reads too.
"""
from __future__ import annotations

from flask import jsonify, request

from api.common import bp
from auth.gate import request_user
from core.context import current
from core.errors import ApiError
from core.serialize import mapping
from ingest import orders as ops
from metrics.order_status import allowed_actions

ORDER_FIELDS = ["wo_number", "style_code", "line_code", "order_qty", "produced_qty", "status",
                "planned_start", "due_date", "released_at", "started_at", "held_at",
                "completed_at", "cancelled_at"]


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


@bp.post("/v1/orders")
def create_order():
    actor, ctx = _actor(), current()
    order = ops.create(ctx.engine, actor, _body(), ctx.now())
    return jsonify(order_json(order)), 201


@bp.patch("/v1/orders/<wo_number>")
def edit_order(wo_number):
    actor, ctx = _actor(), current()
    return jsonify(order_json(ops.edit(ctx.engine, actor, wo_number, _body(), ctx.now())))


@bp.post("/v1/orders/bulk")
def bulk_orders():
    actor, ctx = _actor(), current()
    return jsonify(ops.bulk(ctx.engine, actor, _body(), ctx.now))


@bp.post("/v1/orders/<wo_number>/materials")
def issue_material(wo_number):
    actor, ctx = _actor(), current()
    return jsonify(ops.issue(ctx.engine, actor, wo_number, _body(), ctx.now()))


@bp.post("/v1/orders/<wo_number>/<action>")
def move_order(wo_number, action):
    actor, ctx = _actor(), current()
    return jsonify(order_json(ops.run(ctx.engine, actor, wo_number, action, ctx.now())))
