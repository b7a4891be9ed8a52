"""Order metrics (SPEC section 4, Orders): pure pandas, no SQL, no Dash, no I/O.

- progress_pct = produced_qty / order_qty × 100; remaining = order_qty − produced_qty.
- daily_rate: the mean daily output of the order's line and style over the last RATE_DAYS days
  with output of that style (days before today, within RATE_LOOKBACK_DAYS); else the line's mean
  daily output over its last RATE_DAYS days with output; else none (no recent output: no pace).
- projected_completion = today + remaining / daily_rate days (calendar days, as a date; null
  without a rate); at_risk when an open order's projection is after its due date; late when an
  open order's due date is before today. Completed and cancelled orders are neither.
- on_time_pct = completed on or before their due date / completed × 100 (orders with a due date).
- shortage of a material = max(0, required_qty − issued_qty).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from metrics.order_status import OPEN_STATUSES, STATUSES  # noqa: F401  (read from here too)
from metrics.production import pct_series, ratio_pct
from metrics.ratios import divide

RATE_DAYS = 7  # days with output that set an order's pace
RATE_LOOKBACK_DAYS = 28  # how far back "recent" output may lie
MAX_PROJECTION_DAYS = 3650  # a pace of a few pieces a day projects no further than ten years

# Risk of an order, most urgent first: the open-orders list sorts on this.
RISK_ORDER = {"late": 0, "at_risk": 1, "no_pace": 2, "on_track": 3, "completed": 4,
              "cancelled": 5}
RISK_LABELS = {"late": "Late", "at_risk": "At risk", "no_pace": "No recent output",
               "on_track": "On track", "completed": "Completed", "cancelled": "Cancelled"}


def rate_window(today: date) -> tuple[date, date]:
    """The days whose output may set a pace: the RATE_LOOKBACK_DAYS before today (today is
    still running, its part-day would drag the mean down)."""
    return today - timedelta(days=RATE_LOOKBACK_DAYS), today - timedelta(days=1)


def _last_days_mean(daily: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Mean daily output over each group's last RATE_DAYS days with output."""
    daily = daily[daily["output"] > 0]
    if daily.empty:
        return pd.Series(dtype=float)
    last = (daily.sort_values(keys + ["date"])
            .groupby(keys, as_index=False, group_keys=False).tail(RATE_DAYS))
    return last.groupby(keys)["output"].mean().astype(float)


def daily_rates(orders: pd.DataFrame, daily_output: pd.DataFrame) -> pd.DataFrame:
    """daily_rate and rate_basis ("style", "line" or None) of each order.

    daily_output: line_code, style_code, date, output over the rate window (rate_window).
    """
    out = pd.DataFrame({"daily_rate": np.nan, "rate_basis": None}, index=orders.index)
    if orders.empty or daily_output.empty:
        return out
    daily = daily_output.assign(output=pd.to_numeric(daily_output["output"]).astype(float))
    by_style = _last_days_mean(daily, ["line_code", "style_code"])
    per_line_day = daily.groupby(["line_code", "date"], as_index=False)["output"].sum()
    by_line = _last_days_mean(per_line_day, ["line_code"])
    pairs = pd.MultiIndex.from_arrays([orders["line_code"], orders["style_code"]])
    style_rate = pd.Series(by_style.reindex(pairs).to_numpy(), index=orders.index)
    line_rate = pd.Series(by_line.reindex(orders["line_code"]).to_numpy() if not by_line.empty
                          else np.nan, index=orders.index)
    out["daily_rate"] = style_rate.fillna(line_rate).astype(float)
    out["rate_basis"] = np.where(style_rate.notna(), "style",
                                 np.where(line_rate.notna(), "line", None))
    out.loc[out["daily_rate"].isna(), "rate_basis"] = None
    return out


def add_order_metrics(orders: pd.DataFrame, daily_output: pd.DataFrame, today: date
                      ) -> pd.DataFrame:
    """The orders with progress_pct, remaining, daily_rate, rate_basis, projected_completion,
    is_open, late, at_risk and risk (a key of RISK_ORDER)."""
    out = orders.copy()
    order_qty = pd.to_numeric(out["order_qty"]).astype(float)
    produced = pd.to_numeric(out["produced_qty"]).fillna(0).astype(float)
    out["progress_pct"] = pct_series(produced, order_qty)
    out["remaining"] = (order_qty - produced).astype(int) if len(out) else pd.Series(dtype=int)
    is_open = out["status"].isin(OPEN_STATUSES)
    out["is_open"] = is_open
    rates = daily_rates(out[is_open], daily_output)
    out["daily_rate"] = rates["daily_rate"].reindex(out.index).astype(float)
    basis = rates["rate_basis"].reindex(out.index).astype(object)
    out["rate_basis"] = basis.where(basis.notna(), None)
    # an order already sewn in full is done today, not in the past
    days = divide(out["remaining"].clip(lower=0), out["daily_rate"]).clip(
        upper=MAX_PROJECTION_DAYS)
    projected = pd.Timestamp(today) + pd.to_timedelta(days, unit="D")
    out["projected_completion"] = [None if pd.isna(p) else p.date() for p in projected]
    due = pd.to_datetime(out["due_date"])
    proj = pd.to_datetime(out["projected_completion"])
    out["late"] = is_open & due.notna() & (due < pd.Timestamp(today))
    out["at_risk"] = is_open & due.notna() & proj.notna() & (proj > due)
    out["risk"] = np.select(
        [out["status"].eq("COMPLETED"), out["status"].eq("CANCELLED"), out["late"],
         out["at_risk"], out["projected_completion"].isna()],
        ["completed", "cancelled", "late", "at_risk", "no_pace"], "on_track")
    return out


def sort_by_urgency(orders: pd.DataFrame) -> pd.DataFrame:
    """Late first, then at risk, then without a pace, then on track; earliest due first."""
    if orders.empty:
        return orders
    return (orders.assign(_rank=orders["risk"].map(RISK_ORDER),
                          _due=pd.to_datetime(orders["due_date"]))
            .sort_values(["_rank", "_due", "wo_number"], na_position="last")
            .drop(columns=["_rank", "_due"]).reset_index(drop=True))


def on_time_flags(orders: pd.DataFrame) -> pd.DataFrame:
    """Completed orders with a due date and whether each was completed on or before it."""
    done = orders[orders["status"].eq("COMPLETED") & orders["due_date"].notna()
                  & orders["completed_at"].notna()].copy()
    done["completed_on"] = pd.to_datetime(done["completed_at"]).dt.normalize()
    done["on_time"] = done["completed_on"] <= pd.to_datetime(done["due_date"])
    return done


def on_time(orders: pd.DataFrame) -> dict:
    """completed, completed_on_time and on_time_pct (null with no completed orders)."""
    done = on_time_flags(orders)
    n, good = len(done), int(done["on_time"].sum())
    return {"completed": n, "completed_on_time": good, "on_time_pct": ratio_pct(good, n)}


def on_time_by_period(orders: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """On-time delivery per completion day ("D") or week starting Monday ("W")."""
    cols = ["period", "completed", "on_time", "late", "on_time_pct"]
    done = on_time_flags(orders)
    if done.empty:
        return pd.DataFrame(columns=cols)
    day = done["completed_on"]
    done["period"] = day - pd.to_timedelta(day.dt.weekday, unit="D") if freq == "W" else day
    out = done.groupby("period", as_index=False).agg(completed=("on_time", "size"),
                                                     on_time=("on_time", "sum"))
    out["late"] = out["completed"] - out["on_time"]
    out["on_time_pct"] = pct_series(out["on_time"], out["completed"])
    return out[cols].sort_values("period").reset_index(drop=True)


def add_shortages(materials: pd.DataFrame) -> pd.DataFrame:
    """shortage = max(0, required_qty − issued_qty) and issued_pct per material row."""
    out = materials.copy()
    required = pd.to_numeric(out["required_qty"]).astype(float)
    issued = pd.to_numeric(out["issued_qty"]).fillna(0).astype(float)
    out["shortage"] = (required - issued).clip(lower=0)
    out["issued_pct"] = pct_series(issued, required)
    return out


def shortages_per_order(materials: pd.DataFrame) -> pd.Series:
    """How many materials of each order are short (issued below required)."""
    if materials.empty:
        return pd.Series(dtype=int)
    short = add_shortages(materials)
    return short[short["shortage"] > 0].groupby("wo_number").size()


def totals(orders: pd.DataFrame) -> dict:
    """Counts over the orders (open, late, at risk, completed, cancelled) and on-time %."""
    open_ = orders["is_open"] if "is_open" in orders else orders["status"].isin(OPEN_STATUSES)
    out = {"orders": int(len(orders)), "open": int(open_.sum()),
           "late": int(orders["late"].sum()) if "late" in orders else 0,
           "at_risk": int(orders["at_risk"].sum()) if "at_risk" in orders else 0,
           "cancelled": int(orders["status"].eq("CANCELLED").sum())}
    out.update(on_time(orders))
    return out
