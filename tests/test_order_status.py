"""metrics/order_status.py on its own: the moves each status offers, the rows it refuses and the
stamps a move sets, written out by hand (SPEC sections 2 and 13)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from metrics import order_status as rules

NOW = datetime(2026, 3, 4, 10, 30, 15, 123456)


@pytest.mark.parametrize("status, actions", [
    ("DRAFT", ["release", "cancel"]), ("RELEASED", ["start", "cancel"]),
    ("IN_PROGRESS", ["hold", "complete", "cancel"]), ("ON_HOLD", ["resume", "cancel"]),
    ("COMPLETED", []), ("CANCELLED", []), ("SHIPPED", []),
])
def test_the_moves_each_status_offers(status, actions):
    assert rules.allowed_actions(status) == actions


def test_a_move_sets_the_status_and_its_stamp_to_the_second():
    order = {"wo_number": "WO-1", "status": "RELEASED", "released_at": datetime(2026, 3, 1, 9)}
    assert rules.move("start", order, NOW) == {"status": "IN_PROGRESS",
                                               "started_at": datetime(2026, 3, 4, 10, 30, 15)}
    assert rules.move("resume", {**order, "status": "ON_HOLD",
                                 "started_at": datetime(2026, 3, 2)}, NOW) == {
        "status": "IN_PROGRESS"}


def test_a_move_from_the_wrong_status_says_both():
    with pytest.raises(rules.Refused) as refused:
        rules.move("complete", {"wo_number": "WO-1", "status": "ON_HOLD"}, NOW)
    assert refused.value.code == "WORK_ORDER_CANNOT_COMPLETE"
    assert refused.value.details == {"current_status": "ON_HOLD",
                                     "required_status": ["IN_PROGRESS"]}
    assert str(refused.value) == ("Work order WO-1 cannot be completed in status ON_HOLD; it "
                                  "must be IN_PROGRESS.")


@pytest.mark.parametrize("order, expected", [
    ({"status": "DRAFT"}, []),
    ({"status": "Draft"}, [("status", "WORK_ORDER_BAD_STATUS")]),
    ({"status": "COMPLETED", "started_at": NOW}, [("completed_at",
                                                    "WORK_ORDER_MISSING_TIMESTAMP")]),
    ({"status": "ON_HOLD", "released_at": datetime(2026, 3, 5), "started_at": NOW},
     [("started_at", "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER")]),
    ({"status": "DRAFT", "planned_start": date(2026, 3, 5), "due_date": date(2026, 3, 4)},
     [("due_date", "WORK_ORDER_DUE_BEFORE_START")]),
    ({"status": "DRAFT", "planned_start": date(2026, 3, 5), "due_date": date(2026, 3, 5)}, []),
])
def test_row_problems(order, expected):
    assert [(c, code) for c, code, _ in rules.row_problems(order)] == expected


def test_the_page_offers_moves_only_on_the_users_lines():
    import pandas as pd
    from reports.orders import row_actions
    orders = pd.DataFrame({"status": ["RELEASED", "ON_HOLD"], "line_code": ["L01", "L02"]})
    assert row_actions(orders, True, None) == [["start", "cancel"], ["resume", "cancel"]]
    assert row_actions(orders, True, ("L01",)) == [["start", "cancel"], []]
    assert row_actions(orders, False, None) == [[], []]
