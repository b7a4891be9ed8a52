"""Alert conditions (SPEC section 11): pure functions, no SQL, no I/O.

Each condition takes measured values and a rule's threshold and answers (holds, value): whether
the rule's condition holds for that subject now, and the number it is judged on. `step` is the
state machine every (rule, subject) follows: pending while the condition holds for less than
`for_min`, then firing, then resolved when it stops holding.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from metrics.production import hourly_targets, ratio_pct

KINDS = ("behind_target", "dhu_above", "machine_down", "order_at_risk")
SUBJECT_OF = {"behind_target": "line", "dhu_above": "line", "machine_down": "machine",
              "order_at_risk": "order"}
DEFAULT_MIN_CHECKED = 50


def target_so_far(plans: pd.DataFrame, shifts: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Each plan row's target for the working minutes of its shift elapsed by `now`.

    The plan is spread over the shift's working minutes (SPEC section 4's hourly target); an hour
    that has begun counts its working minutes from the top of the hour up to now.
    Returns date, shift_code, line_code, target_so_far, minutes_so_far.
    """
    cols = ["date", "shift_code", "line_code", "target_so_far", "minutes_so_far"]
    hours = hourly_targets(plans, shifts)
    if hours.empty:
        return pd.DataFrame(columns=cols)
    into = (pd.Timestamp(now) - pd.to_datetime(hours["slot"])).dt.total_seconds() / 60
    minutes = hours["minutes"].astype(float)
    elapsed = into.clip(lower=0).where(into < 60, 60).clip(upper=minutes)
    share = (elapsed / minutes.where(minutes > 0)).fillna(0.0)
    out = hours.assign(target_so_far=hours["target"] * share, minutes_so_far=elapsed)
    return (out.groupby(["date", "shift_code", "line_code"], as_index=False)
            [["target_so_far", "minutes_so_far"]].sum())[cols]


def behind_target(output, target, threshold) -> tuple[bool, float | None]:
    """Output below threshold % of the target so far; no target yet (before the first working
    minute) never fires."""
    pct = ratio_pct(output or 0, target)
    return (pct is not None and pct < float(threshold)), pct


def dhu_above(defects, checked, threshold, min_checked=None) -> tuple[bool, float | None]:
    """Today's DHU above threshold, once at least min_checked pieces are checked (a handful of
    pieces with one defect is not a quality problem yet)."""
    need = DEFAULT_MIN_CHECKED if min_checked is None else int(min_checked)
    checked = checked or 0
    dhu = ratio_pct(defects or 0, checked)
    return (dhu is not None and checked >= need and dhu > float(threshold)), dhu


def machine_down(start_ts: datetime, now: datetime, threshold) -> tuple[bool, float]:
    """An open breakdown that has run more than threshold minutes (by the clock, so across
    midnight and across shifts alike)."""
    minutes = (pd.Timestamp(now) - pd.Timestamp(start_ts)).total_seconds() / 60
    return minutes > float(threshold), minutes


def order_at_risk(late: bool, at_risk: bool, days_over) -> tuple[bool, float | None]:
    """An open order that is late or at risk (SPEC section 4). The value is the days past its due
    date: how late it is, or how late its projection finishes it."""
    return bool(late or at_risk), (None if days_over is None or pd.isna(days_over)
                                   else float(days_over))


# --- the state machine ------------------------------------------------------------------------

def step(state: str | None, holds: bool, since: datetime | None, now: datetime,
         for_min: int) -> str | None:
    """What happens to one (rule, subject) at an evaluation.

    state: None (no live alert), "pending" or "firing". Answers one of
    "pending" (start waiting), "fire", "resolve", "forget" (a pending one that stopped holding:
    nobody was told, nobody needs to be) or None (nothing changes).
    """
    if holds:
        if state == "firing":
            return None
        start = since if state == "pending" and since is not None else now
        if (now - start).total_seconds() >= max(int(for_min or 0), 0) * 60:
            return "fire"
        return None if state == "pending" else "pending"
    if state == "firing":
        return "resolve"
    if state == "pending":
        return "forget"
    return None
