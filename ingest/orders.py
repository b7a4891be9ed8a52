"""Running work orders (SPEC section 13): create, edit, move through the statuses, issue material.

Each operation is one transaction holding the change, its audit row and the data-version bump,
so an operation is applied whole or not at all and the audit log never names a change that rolled
back. A move is a conditional UPDATE ... WHERE status IN (the statuses it starts from): of two
concurrent starts of one order the database lets exactly one match; the other finds the order
IN_PROGRESS and is refused with WORK_ORDER_CANNOT_START. The status rules themselves are
metrics.order_status, which the CSV import reads too.

Callers pass plain values: who acts (`Actor`: a name and the lines they may run, None = all), the
JSON body as a dict, and the plant-local now.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, Mapping

import pandas as pd
from sqlalchemy import select, update

from data import db, schema
from ingest.csv_rules import BY_NAME, NUL, parse_column
from metrics import order_status as rules

WO = schema.work_orders
MI = schema.material_issues
SPEC = BY_NAME["work_orders"]
COLS = {c.name: c for c in SPEC.columns}

CREATE_FIELDS = ("wo_number", "style_code", "line_code", "order_qty", "produced_qty", "status",
                 "planned_start", "due_date")
CREATE_REQUIRED = ("wo_number", "style_code", "line_code", "order_qty")
EDIT_FIELDS = ("order_qty", "produced_qty", "planned_start", "due_date")
MAX_BULK = 500
STAMPED_BY = {m.stamps: m.action for m in rules.MOVES.values() if m.stamps}


class OrderError(Exception):
    """A refused operation: HTTP status, code, message for people, details for programs."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


@dataclass(frozen=True)
class Actor:
    username: str
    lines: tuple[str, ...] | None = None  # lines whose orders they may run; None = every line


# --- one transaction per operation ---------------------------------------------------------------

@contextmanager
def _writing(engine) -> Iterator:
    """A write transaction; on SQLite it takes the write lock first (BEGIN IMMEDIATE), so the
    status it reads is still the status when it writes (others wait for the lock)."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def _order(conn, wo_number: str, *, lock: bool = False) -> dict:
    row = None
    if NUL not in wo_number:  # no order has one, and PostgreSQL cannot bind it
        stmt = select(WO).where(WO.c.wo_number == wo_number)
        row = conn.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    if row is None:
        raise OrderError(404, "not_found", f"There is no work order '{wo_number}'.",
                         {"wo_number": wo_number})
    return dict(row)


def _may_run(actor: Actor, line_code) -> None:
    if actor.lines is not None and line_code not in actor.lines:
        raise OrderError(403, "forbidden", f"You run the orders of line(s) "
                         f"{', '.join(actor.lines) or 'none'} only; this one is on line "
                         f"{line_code or '(none)'}.", {"line_code": line_code})


def _audit(conn, actor: Actor, now: datetime, action: str, wo_number: str, before, after,
           details: dict) -> None:
    """The audit row (auth/audit.py's table and format), with the order and its status move."""
    conn.execute(schema.audit_log.insert().values(
        ts=now.replace(microsecond=0), username=actor.username or "?", action=f"order {action}",
        details=json.dumps(details, default=str, sort_keys=True) if details else "",
        wo_number=wo_number, status_before=before, status_after=after))


def _refused(err: rules.Refused) -> OrderError:
    return OrderError(409, err.code, err.message, err.details)


# --- reading the body ----------------------------------------------------------------------------

def _as_text(value) -> str | None:
    """A JSON value as the import's trimmed CSV text; None for a list, object or true/false."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value).strip()


def _invalid(problems: dict[str, str]) -> OrderError:
    """422 naming every bad field; a rule's own code (WORK_ORDER_...) when one says why."""
    codes = [r.split(":", 1)[0] for r in problems.values() if r.startswith("WORK_ORDER_")]
    first = next(iter(problems))
    return OrderError(422, codes[0] if codes else "invalid_order",
                      "; ".join(f"{f}: {r}" for f, r in problems.items()),
                      {"field": first, "fields": problems})


def _typed(body: Mapping, allowed: tuple[str, ...], what: str) -> dict:
    """The body's fields typed as the CSV import types them (same parser, same reasons)."""
    if not isinstance(body, Mapping):
        raise OrderError(422, "invalid_order", "Send a JSON object.", {"field": None})
    problems, out = {}, {}
    for name in body:
        if name not in allowed:
            problems[name] = (f"is stamped by the {STAMPED_BY[name]} action"
                              if name in STAMPED_BY else f"cannot be given {what}; allowed: "
                              f"{', '.join(allowed)}")
    for name in allowed:
        if name not in body:
            continue
        raw = _as_text(body[name])
        if raw is None:
            problems[name] = f"not a plain value: {json.dumps(body[name])}"
            continue
        values, reasons = parse_column(SPEC, COLS[name], pd.Series([raw], dtype=object), "UTC")
        reason = reasons.iloc[0]
        if isinstance(reason, str):
            problems[name] = reason
        else:
            value = values.iloc[0]
            out[name] = value.item() if hasattr(value, "item") else value
    if problems:
        raise _invalid(problems)
    return out


def _check_codes(conn, fields: dict) -> None:
    """style_code and line_code must name a style and a line (the import's reference check)."""
    problems = {}
    for name, table in (("style_code", schema.styles), ("line_code", schema.lines)):
        if name in fields and fields[name] is not None and conn.execute(
                select(table.c[name]).where(table.c[name] == fields[name])).first() is None:
            problems[name] = f"unknown {name} '{fields[name]}'"
    if problems:
        raise _invalid(problems)


def _check_row(order: dict) -> None:
    problems = {}
    for column, _code, reason in rules.row_problems(order):
        problems.setdefault(column, reason)
    if problems:
        raise _invalid(problems)


# --- operations ----------------------------------------------------------------------------------

def create(engine, actor: Actor, body: Mapping, now: datetime) -> dict:
    """A new DRAFT order from the columns of work_orders.csv (timestamps come from the moves)."""
    fields = _typed(body, CREATE_FIELDS, "when creating an order")
    missing = {n: "missing value" for n in CREATE_REQUIRED if fields.get(n) is None}
    if missing:
        raise _invalid(missing)
    if fields.get("status", "DRAFT") != "DRAFT":
        raise _invalid({"status": f"{rules.BAD_STATUS}: a new order is DRAFT; move it with "
                                  f"/release, /start, ... : '{fields['status']}'"})
    order = {**fields, "status": "DRAFT", "produced_qty": fields.get("produced_qty") or 0}
    _check_row(order)
    with _writing(engine) as conn:
        _check_codes(conn, order)
        _may_run(actor, order["line_code"])
        if conn.execute(select(WO.c.wo_number).where(
                WO.c.wo_number == order["wo_number"])).first() is not None:
            raise OrderError(409, "WORK_ORDER_EXISTS", f"Work order {order['wo_number']} "
                             "exists already; change it with PATCH.",
                             {"wo_number": order["wo_number"]})
        conn.execute(WO.insert().values(**order))
        _audit(conn, actor, now, "create", order["wo_number"], None, "DRAFT",
               {k: v for k, v in order.items() if k not in ("wo_number", "status")})
        db.bump_data_version(conn)
        return _order(conn, order["wo_number"])


def edit(engine, actor: Actor, wo_number: str, body: Mapping, now: datetime) -> dict:
    """Change quantities and dates of an open order; the audit row has each before -> after."""
    fields = _typed(body, EDIT_FIELDS, "with PATCH (status moves with its actions)")
    if not fields:
        raise OrderError(422, "invalid_order", f"Nothing to change: send one or more of "
                         f"{', '.join(EDIT_FIELDS)}.", {"field": None})
    # a blank produced_qty would take the import's default (0): on an edit it is a mistake
    missing = {n: "missing value" for n in ("order_qty", "produced_qty")
               if n in body and _as_text(body[n]) == ""}
    if missing:
        raise _invalid(missing)
    with _writing(engine) as conn:
        order = _order(conn, wo_number)
        _may_run(actor, order["line_code"])
        try:
            rules.check_status("edit", order["status"], rules.EDIT_FROM, wo_number)
        except rules.Refused as err:
            raise _refused(err) from None
        _check_row({**order, **fields})
        changed = {k: [order[k], v] for k, v in fields.items() if order[k] != v}
        if changed:
            result = conn.execute(update(WO).where(
                WO.c.wo_number == wo_number, WO.c.status.in_(rules.EDIT_FROM)).values(**fields))
            if result.rowcount != 1:  # closed by someone else since we read it
                _refused_now(conn, "edit", wo_number, rules.EDIT_FROM)
            _audit(conn, actor, now, "edit", wo_number, order["status"], order["status"],
                   changed)
            db.bump_data_version(conn)
        return _order(conn, wo_number)


def _refused_now(conn, action: str, wo_number: str, required: tuple[str, ...]):
    """The conditional UPDATE matched nothing: say which status the order has now."""
    current = conn.execute(select(WO.c.status).where(WO.c.wo_number == wo_number)).scalar()
    if current is None:
        raise OrderError(404, "not_found", f"There is no work order '{wo_number}'.",
                         {"wo_number": wo_number})
    try:
        rules.check_status(action, current, required, wo_number)
    except rules.Refused as err:
        raise _refused(err) from None
    raise OrderError(409, rules.cannot_code(action), f"Work order {wo_number} changed while "
                     "this was being applied; try again.",
                     {"current_status": current, "required_status": list(required)})


def run(engine, actor: Actor, wo_number: str, action: str, now: datetime) -> dict:
    """Move one order by `action` (release, start, hold, resume, complete, cancel)."""
    if action not in rules.MOVES:
        raise OrderError(404, "unknown_action", f"'{action}' is not an action; use one of "
                         f"{', '.join(rules.ACTIONS)}.", {"allowed": list(rules.ACTIONS)})
    move = rules.MOVES[action]
    with _writing(engine) as conn:
        order = _order(conn, wo_number)
        _may_run(actor, order["line_code"])
        try:
            changes = rules.move(action, order, now)
        except rules.Refused as err:
            raise _refused(err) from None
        result = conn.execute(update(WO).where(
            WO.c.wo_number == wo_number, WO.c.status.in_(move.required)).values(**changes))
        if result.rowcount != 1:  # another request moved it first
            _refused_now(conn, action, wo_number, move.required)
        _audit(conn, actor, now, action, wo_number, order["status"], move.to,
               {k: v for k, v in changes.items() if k != "status"})
        db.bump_data_version(conn)
        return _order(conn, wo_number)


def bulk(engine, actor: Actor, body: Mapping, clock) -> dict:
    """POST /orders/bulk: {"action", "wo_numbers"}; each order in its own transaction, so one
    that fails leaves the others applied. `clock()` gives the plant-local now."""
    if not isinstance(body, Mapping):
        raise OrderError(422, "invalid_order", "Send a JSON object {\"action\", \"wo_numbers\"}.",
                         {"field": None})
    action, numbers = body.get("action"), body.get("wo_numbers")
    if action not in rules.MOVES:
        raise _invalid({"action": f"not one of {', '.join(rules.ACTIONS)}: '{action}'"})
    if not isinstance(numbers, list) or not numbers or not all(
            isinstance(n, str) and n.strip() for n in numbers):
        raise _invalid({"wo_numbers": "a non-empty list of order numbers"})
    if len(numbers) > MAX_BULK:
        raise _invalid({"wo_numbers": f"at most {MAX_BULK} orders at once: {len(numbers)}"})
    done, failed = [], []
    for wo_number in dict.fromkeys(n.strip() for n in numbers):  # each once, in the given order
        try:
            order = run(engine, actor, wo_number, action, clock())
            done.append({"wo_number": wo_number, "status": order["status"]})
        except OrderError as err:
            failed.append({"wo_number": wo_number, "code": err.code, "message": err.message,
                           **({"details": err.details} if err.status == 409 else {})})
    return {"action": action, "done": done, "failed": failed}


def issue(engine, actor: Actor, wo_number: str, body: Mapping, now: datetime) -> dict:
    """Issue `qty` of a material allocated to the order: issued_qty grows; more than required
    is allowed and flagged over_issued."""
    if not isinstance(body, Mapping):
        raise OrderError(422, "invalid_order", "Send a JSON object {\"material_code\", \"qty\"}.",
                         {"field": None})
    problems = {}
    code = body.get("material_code")
    if not isinstance(code, str) or not code.strip():
        problems["material_code"] = "missing value"
    elif NUL in code:
        problems["material_code"] = "contains a NUL character"
    qty = body.get("qty")
    if isinstance(qty, bool) or not isinstance(qty, (int, float)) or not math.isfinite(qty):
        problems["qty"] = f"not a number: {json.dumps(qty)}"
    elif qty <= 0:
        problems["qty"] = f"must be greater than 0: {qty}"
    extra = [k for k in body if k not in ("material_code", "qty")]
    for name in extra:
        problems[name] = "cannot be given; send material_code and qty"
    if problems:
        raise _invalid(problems)
    code = code.strip()
    with _writing(engine) as conn:
        order = _order(conn, wo_number, lock=True)  # PostgreSQL: no move while we issue
        _may_run(actor, order["line_code"])
        try:
            rules.check_status("issue_material", order["status"], rules.ISSUE_FROM, wo_number)
        except rules.Refused as err:
            raise _refused(err) from None
        key = (MI.c.wo_number == wo_number, MI.c.material_code == code)
        row = conn.execute(select(MI).where(*key)).mappings().first()
        if row is None:
            have = conn.execute(select(MI.c.material_code).where(
                MI.c.wo_number == wo_number).order_by(MI.c.material_code)).scalars().all()
            raise _invalid({"material_code": f"'{code}' is not allocated to {wo_number} "
                                             f"(allocated: {', '.join(have) or 'none'})"})
        conn.execute(update(MI).where(*key).values(issued_qty=MI.c.issued_qty + float(qty)))
        after = conn.execute(select(MI).where(*key)).mappings().first()
        result = material_view(after)
        _audit(conn, actor, now, "issue material", wo_number, order["status"], order["status"],
               {"material_code": code, "qty": float(qty),
                "issued_qty": [float(row["issued_qty"] or 0), result["issued_qty"]],
                "over_issued": result["over_issued"]})
        db.bump_data_version(conn)
        return result


def material_view(row: Mapping) -> dict:
    """A material row with its shortage and whether more than required has been issued."""
    required, issued = float(row["required_qty"]), float(row["issued_qty"] or 0)
    return {"wo_number": row["wo_number"], "material_code": row["material_code"],
            "unit": row["unit"], "required_qty": required, "issued_qty": issued,
            "shortage": max(0.0, required - issued), "over_issued": issued > required,
            "over_issued_by": max(0.0, issued - required)}
