"""Work order statuses (SPEC sections 2 and 13): the transition table, the timestamps each status
needs, and the code a refused move gets. The CSV import, the orders API and the Orders page all
read this one module, so a status the import refuses the API refuses with the same code.

Pure: no SQL, no I/O. Times are naive plant-local datetimes, as in the schema.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

import pandas as pd

STATUSES = ("DRAFT", "RELEASED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CANCELLED")
OPEN_STATUSES = STATUSES[:4]

# status -> the timestamp it needs (SPEC section 2)
NEEDS = {"RELEASED": "released_at", "IN_PROGRESS": "started_at", "ON_HOLD": "started_at",
         "COMPLETED": "completed_at"}
TIMES = ("released_at", "started_at", "completed_at")  # in this order wherever given

BAD_STATUS = "WORK_ORDER_BAD_STATUS"
MISSING_TIMESTAMP = "WORK_ORDER_MISSING_TIMESTAMP"
OUT_OF_ORDER = "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER"
DUE_BEFORE_START = "WORK_ORDER_DUE_BEFORE_START"


@dataclass(frozen=True)
class Move:
    action: str
    required: tuple[str, ...]  # the statuses it may start from
    to: str
    stamps: str | None  # the column set to now (hold and cancel have their own since SPEC 13)


MOVES = {m.action: m for m in (
    Move("release", ("DRAFT",), "RELEASED", "released_at"),
    Move("start", ("RELEASED",), "IN_PROGRESS", "started_at"),
    Move("hold", ("IN_PROGRESS",), "ON_HOLD", "held_at"),
    Move("resume", ("ON_HOLD",), "IN_PROGRESS", None),  # started_at stays the first start
    Move("complete", ("IN_PROGRESS",), "COMPLETED", "completed_at"),
    Move("cancel", OPEN_STATUSES, "CANCELLED", "cancelled_at"),
)}
ACTIONS = tuple(MOVES)

# Operations that are not moves but still depend on the status
EDIT_FROM = OPEN_STATUSES  # quantities and dates of a closed order are history
ISSUE_FROM = ("RELEASED", "IN_PROGRESS", "ON_HOLD")  # material goes to released orders


def cannot_code(action: str) -> str:
    """WORK_ORDER_CANNOT_START, WORK_ORDER_CANNOT_EDIT, ..."""
    return f"WORK_ORDER_CANNOT_{action.upper()}"


class Refused(Exception):
    """A move from the wrong status, or one whose result breaks a row rule."""

    def __init__(self, code: str, message: str, details: dict):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def check_status(action: str, current: str, required: tuple[str, ...], wo_number: str = ""
                 ) -> None:
    """Refused(WORK_ORDER_CANNOT_<ACTION>) unless `current` is one of `required`."""
    if current not in required:
        name = f"Work order {wo_number}" if wo_number else "Work order"
        raise Refused(cannot_code(action),
                      f"{name} cannot be {_past(action)} in status {current}; it must be "
                      f"{' or '.join(required)}.",
                      {"current_status": current, "required_status": list(required)})


def _past(action: str) -> str:
    return {"release": "released", "start": "started", "hold": "put on hold",
            "resume": "resumed", "complete": "completed", "cancel": "cancelled",
            "edit": "edited", "issue_material": "issued material"}.get(action, action)


def allowed_actions(status: str) -> list[str]:
    """The moves an order in `status` may make, in MOVES order (the page's buttons)."""
    return [a for a, m in MOVES.items() if status in m.required]


def move(action: str, order: Mapping, now: datetime) -> dict:
    """The changed columns of `order` after `action` at `now`: status and its stamp.

    Refused when the order's status is not one the move starts from, or when the moved order
    breaks a row rule (a start stamped before an imported release time, say).
    """
    m = MOVES[action]
    check_status(action, order["status"], m.required, order.get("wo_number", ""))
    changes = {"status": m.to}
    if m.stamps:
        changes[m.stamps] = now.replace(microsecond=0)
    problems = row_problems({**order, **changes})
    if problems:
        column, code, message = problems[0]
        raise Refused(code, message, {"field": column, "current_status": order["status"],
                                      "required_status": list(m.required)})
    return changes


# --- row rules: the import checks a whole file with them, the API one order -----------------------

def row_rules(df: pd.DataFrame) -> list[tuple[pd.Series, str, str]]:
    """(bad-row mask, column, "CODE: reason") for every rule a work order row must keep."""
    out = []
    status = df["status"] if "status" in df else pd.Series(None, index=df.index, dtype=object)
    for need_status, column in NEEDS.items():
        missing = status.eq(need_status)
        if column in df:
            missing &= df[column].isna()
        out.append((missing, column,
                    f"{MISSING_TIMESTAMP}: status {need_status} needs {column}"))
    present = [c for c in TIMES if c in df]
    for i, earlier in enumerate(present):
        for later in present[i + 1:]:
            out.append((_before(df, later, earlier), later,
                        f"{OUT_OF_ORDER}: {later} before {earlier}"))
    if "planned_start" in df and "due_date" in df:
        out.append((_before(df, "due_date", "planned_start"), "due_date",
                    f"{DUE_BEFORE_START}: due_date before planned_start"))
    return out


def _before(df: pd.DataFrame, later: str, earlier: str) -> pd.Series:
    both = df[earlier].notna() & df[later].notna()
    return pd.Series([bool(ok and b < a) for ok, a, b in zip(both, df[earlier], df[later])],
                     index=df.index, dtype=bool)


def row_problems(order: Mapping) -> list[tuple[str, str, str]]:
    """(column, code, message) for each rule one order breaks (the import's rules, one row)."""
    if order.get("status") not in STATUSES:
        return [("status", BAD_STATUS, f"{BAD_STATUS}: not one of {', '.join(STATUSES)}: "
                                        f"'{order.get('status')}'")]
    columns = ["status", "planned_start", "due_date", *TIMES]
    frame = pd.DataFrame([{c: order.get(c) for c in columns}], dtype=object)
    return [(column, reason.split(":", 1)[0], reason)
            for bad, column, reason in row_rules(frame) if bool(bad.iloc[0])]
