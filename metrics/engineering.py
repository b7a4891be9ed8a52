"""Garment engineering (SPEC section 15): line balance and changeover learning. Pure pandas.

Line balance works on one line's operator output summed per operation; changeover learning on
its output and plan summed per production day and style. Ratios are ratios of sums; a zero or
missing denominator gives null, never 0.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from metrics.production import pct_series, ratio_pct

MAX_K = 15  # learning curves run to day 15 of a changeover
STEADY_FROM = 8  # days 8 onward are the steady state
TO_STEADY = 0.9  # days_to_90: the first day at 90 % of steady
RAMP_STEP = 5.0  # ramp targets are rounded to the nearest 5 %

BALANCE_COLUMNS = ["sequence", "operation", "smv", "qty", "operator_minutes", "operators",
                   "pieces_per_hour", "target_per_hour", "balance_pct",
                   "standard_capacity_per_hour", "gap", "bottleneck"]


def _num(v):
    """A plain float, or None for a missing or infinite value."""
    if v is None or v is pd.NA:
        return None
    v = float(v)
    return None if math.isnan(v) or math.isinf(v) else v


def _div(num: pd.Series, den) -> pd.Series:
    den = pd.to_numeric(pd.Series(den, index=num.index), errors="coerce").astype(float)
    return pd.to_numeric(num, errors="coerce").astype(float) / den.where(den != 0)


def sewing_order(operations, bulletin) -> list[str]:
    """Operations in sewing order: those the bulletin lists in its order, the rest after them
    alphabetically (nothing in the data says where an unlisted operation sits)."""
    ops = sorted(set(operations))
    place = {op: i for i, op in enumerate(dict.fromkeys(bulletin))}
    return sorted(ops, key=lambda op: (place.get(op, len(place)), op))


def line_balance(ops: pd.DataFrame, working_minutes, target_qty, bulletin=()
                 ) -> tuple[pd.DataFrame, dict]:
    """(a row per operation in sewing order, the line's total) for one line over a window.

    ops: operation, qty (Σ qty), smv_pieces (Σ qty of rows with an smv), earned_minutes
    (Σ qty × smv), operator_minutes (Σ minutes_worked). working_minutes and target_qty: Σ of the
    line's plan rows; H = working_minutes / 60.
    """
    hours = (_num(working_minutes) or 0.0) / 60.0
    target = _num(target_qty)
    target_per_hour = target / hours if hours and target is not None else None
    if ops.empty:
        rows = pd.DataFrame(columns=BALANCE_COLUMNS)
    else:
        order = sewing_order(ops["operation"], bulletin)
        df = ops.set_index("operation").loc[order].reset_index()
        df["sequence"] = np.arange(1, len(df) + 1)
        df["smv"] = _div(df["earned_minutes"], df["smv_pieces"])
        df["operator_minutes"] = pd.to_numeric(df["operator_minutes"], errors="coerce")
        df["operators"] = _div(df["operator_minutes"], hours * 60)
        df["pieces_per_hour"] = _div(df["qty"], hours)
        df["target_per_hour"] = target_per_hour
        df["balance_pct"] = pct_series(df["pieces_per_hour"], df["target_per_hour"])
        df["standard_capacity_per_hour"] = _div(_div(df["operator_minutes"], df["smv"]), hours)
        cap, tgt = df["standard_capacity_per_hour"], df["target_per_hour"].astype(float)
        df["gap"] = [None if pd.isna(c) or pd.isna(t) else "staffing" if c < t else "pace"
                     for c, t in zip(cap, tgt)]
        low = df["balance_pct"].astype(float)
        df["bottleneck"] = False
        if low.notna().any():
            df.loc[low.idxmin(), "bottleneck"] = True  # idxmin: the first in sewing order
        rows = df[BALANCE_COLUMNS]
    return rows, balance_total(rows, hours, target, target_per_hour)


def lbe_parts(rows: pd.DataFrame) -> tuple[float, float, float] | None:
    """(Σ smv, Σ operators, max(smv / operators)) over the operations that have both an smv
    and operator-minutes (the others cannot be balanced); None when there are none."""
    if rows.empty:
        return None
    smv = pd.to_numeric(rows["smv"], errors="coerce").astype(float)
    operators = pd.to_numeric(rows["operators"], errors="coerce").astype(float)
    usable = smv.notna() & operators.notna() & (operators > 0)
    if not usable.any():
        return None
    return (float(smv[usable].sum()), float(operators[usable].sum()),
            float((smv[usable] / operators[usable]).max()))


def lbe_pct(rows: pd.DataFrame) -> float | None:
    """Line balancing efficiency: Σ smv / (Σ operators × max(smv / operators)) × 100."""
    parts = lbe_parts(rows)
    return None if parts is None else ratio_pct(parts[0], parts[1] * parts[2])


def balance_total(rows: pd.DataFrame, hours: float, target, target_per_hour) -> dict:
    neck = rows[rows["bottleneck"].astype(bool)] if not rows.empty else rows
    first = neck.iloc[0] if not neck.empty else None
    return {
        "working_hours": hours or None,
        "target": target,
        "target_per_hour": target_per_hour,
        "operations": int(len(rows)),
        "smv": _num(pd.to_numeric(rows["smv"], errors="coerce").sum(min_count=1))
        if not rows.empty else None,
        "operators": _num(pd.to_numeric(rows["operators"], errors="coerce").sum(min_count=1))
        if not rows.empty else None,
        "lbe_pct": lbe_pct(rows),
        # the LBE's terms, so a page can state the formula with its numbers
        **dict(zip(("lbe_smv", "lbe_operators", "lbe_cycle"), lbe_parts(rows) or (None,) * 3)),
        "bottleneck": None if first is None else first["operation"],
        "bottleneck_balance_pct": None if first is None else _num(first["balance_pct"]),
        "bottleneck_capacity_per_hour": None if first is None
        else _num(first["standard_capacity_per_hour"]),
        "bottleneck_gap": None if first is None else first["gap"],
    }


# --- changeover learning -------------------------------------------------------------------------

DAY_COLUMNS = ["line_code", "date", "style_code", "earned_minutes", "available_minutes"]


def runs(days: pd.DataFrame) -> pd.DataFrame:
    """Number each line's production days and cut them into runs of a style.

    days: a row per line, production day and style that ran it (output > 0), with its earned
    and available minutes. Adds k (the run's k-th production day), run_start (its first day) and
    changeover (True when the line's previous production day ran another style and not this
    one; a line's first day in the data has no known previous day and is no changeover).
    """
    df = days.sort_values(["line_code", "date", "style_code"], ignore_index=True)
    styles_on: dict[tuple, set] = {}
    for line, day, style in zip(df["line_code"], df["date"], df["style_code"]):
        styles_on.setdefault((line, day), set()).add(style)
    previous_day, last = {}, {}
    for line, day in sorted(styles_on):
        previous_day[(line, day)] = last.get(line)
        last[line] = day
    # a few hundred rows a line: a plain walk is clearer (and faster) than frame gymnastics
    state: dict[tuple, tuple] = {}
    k, start, changeover, previous = [], [], [], []
    for line, day, style in zip(df["line_code"], df["date"], df["style_code"]):
        before = previous_day[(line, day)]
        ran_before = styles_on[(line, before)] if before is not None else set()
        if style in ran_before:
            run_start, n = state[(line, style)]
            state[(line, style)] = (run_start, n + 1)
        else:
            state[(line, style)] = (day, 1)
        k.append(state[(line, style)][1])
        start.append(state[(line, style)][0])
        changeover.append(before is not None and style not in ran_before)
        previous.append(", ".join(sorted(ran_before)) if changeover[-1] else None)
    return df.assign(k=np.array(k, dtype=int), run_start=start,
                     changeover=np.array(changeover, dtype=bool), previous_style=previous)


def changeover_days(days: pd.DataFrame, start, end, styles=()) -> pd.DataFrame:
    """The days of the changeovers made from start to end (and to those styles, if any): each
    run that began with a changeover in the window, followed up to the end of the window."""
    numbered = runs(days)
    if numbered.empty:
        return numbered
    first = numbered[numbered["changeover"] & (numbered["k"] == 1)
                     & (numbered["date"] >= start) & (numbered["date"] <= end)]
    if styles:
        first = first[first["style_code"].isin(styles)]
    keys = ["line_code", "style_code", "run_start"]
    out = numbered.merge(first[keys + ["previous_style"]].rename(
        columns={"previous_style": "from_style"}), on=keys)
    return out[out["date"] <= end].drop(columns=["previous_style"]).rename(
        columns={"from_style": "previous_style"}).reset_index(drop=True)


RUN = ["line_code", "style_code", "run_start"]  # one changeover: a run of a style on a line


def _by(df: pd.DataFrame, keys) -> pd.DataFrame:
    """Earned and available minutes summed by keys (a sum of nothing stays missing)."""
    return df.groupby(keys, as_index=False, sort=True)[
        ["earned_minutes", "available_minutes"]].sum(min_count=1)


def learning_curve(co_days: pd.DataFrame, max_k: int = MAX_K) -> pd.DataFrame:
    """k (1-15), SMV efficiency of day k over all changeovers (ratio of sums) and the number of
    changeovers that reached day k."""
    ks = pd.DataFrame({"k": np.arange(1, max_k + 1)})
    d = co_days[co_days["k"] <= max_k] if not co_days.empty else co_days
    if d.empty:
        return ks.assign(earned_minutes=np.nan, available_minutes=np.nan, efficiency_pct=np.nan,
                         changeovers=0)
    sums = _by(d, "k")
    # each changeover has one row per day k (a day's style ran once), so rows count them
    sums["changeovers"] = d.groupby("k", sort=True).size().to_numpy()
    out = ks.merge(sums, on="k", how="left")
    out["changeovers"] = out["changeovers"].fillna(0).astype(int)
    out["efficiency_pct"] = pct_series(out["earned_minutes"], out["available_minutes"])
    return out[["k", "earned_minutes", "available_minutes", "efficiency_pct", "changeovers"]]


def steady_pct(co_days: pd.DataFrame) -> float | None:
    """SMV efficiency over days 8 onward of the changeovers (every such day, not only to 15)."""
    if co_days.empty:
        return None
    late = co_days[co_days["k"] >= STEADY_FROM]
    if late.empty:
        return None
    return ratio_pct(late["earned_minutes"].sum(min_count=1),
                     late["available_minutes"].sum(min_count=1))


def days_to_90(curve: pd.DataFrame, steady) -> int | None:
    """The first day k whose efficiency reaches 90 % of steady_pct."""
    if steady is None:
        return None
    eff = curve["efficiency_pct"].astype(float)
    reached = curve.loc[eff.notna() & (eff >= TO_STEADY * steady), "k"]
    return int(reached.iloc[0]) if not reached.empty else None


def round_to_step(pct, step: float = RAMP_STEP) -> float | None:
    """Half-up to the nearest step (87.5 -> 90, 82.5 -> 85): not Python's half-to-even."""
    pct = _num(pct)
    return None if pct is None else math.floor(pct / step + 0.5) * step


def ramp_targets(curve: pd.DataFrame, steady) -> pd.DataFrame:
    """Proposed targets for the next changeover: day k at full target × efficiency_k /
    steady_pct, rounded to the nearest 5 % (null where day k has no efficiency)."""
    out = curve[["k", "changeovers"]].copy()
    if steady is None or steady == 0:
        out["target_pct"] = None
        return out
    out["target_pct"] = [round_to_step(e / steady * 100) if _num(e) is not None else None
                         for e in curve["efficiency_pct"]]
    return out


CHANGEOVER_COLUMNS = ["line_code", "date", "style_code", "previous_style", "days",
                      "earned_minutes", "available_minutes", "efficiency_pct", "day1_pct",
                      "days_to_90"]


def changeover_list(co_days: pd.DataFrame, steady, own: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """One row per changeover: day, styles, days followed, its own efficiency over those days
    and on day 1, and the day it reached 90 % of the selection's steady_pct (its own curve;
    `own`: own_curves(co_days) when the caller has it)."""
    if co_days.empty:
        return pd.DataFrame(columns=CHANGEOVER_COLUMNS)
    own = own_curves(co_days) if own is None else own
    out = co_days.groupby(RUN, as_index=False, sort=True).agg(
        earned_minutes=("earned_minutes", "sum"), available_minutes=("available_minutes", "sum"),
        previous_style=("previous_style", "first"), days=("k", "max"))
    out["efficiency_pct"] = pct_series(out["earned_minutes"], out["available_minutes"])
    # one row a changeover and day: its day 1 and its first day at 90 % of steady, by merge
    day1 = own.loc[own["k"] == 1, RUN + ["efficiency_pct"]].rename(
        columns={"efficiency_pct": "day1_pct"})
    out = out.merge(day1, on=RUN, how="left")
    if steady is None:
        out["days_to_90"] = None
    else:
        reached = own[own["efficiency_pct"] >= TO_STEADY * steady].groupby(
            RUN, as_index=False)["k"].min().rename(columns={"k": "days_to_90"})
        out = out.merge(reached, on=RUN, how="left")
        out["days_to_90"] = [None if pd.isna(v) else int(v) for v in out["days_to_90"]]
    out = out.rename(columns={"run_start": "date"})
    return out.sort_values(["date", "line_code"], ignore_index=True)[CHANGEOVER_COLUMNS]


def own_curves(co_days: pd.DataFrame, max_k: int = MAX_K) -> pd.DataFrame:
    """Each changeover's own efficiency by day k (for the page's thin lines)."""
    if co_days.empty:
        return pd.DataFrame(columns=["line_code", "style_code", "run_start", "k",
                                     "efficiency_pct"])
    keys = ["line_code", "style_code", "run_start", "k"]
    d = co_days[co_days["k"] <= max_k]
    g = d.groupby(keys, as_index=False)[["earned_minutes", "available_minutes"]].sum(min_count=1)
    g["efficiency_pct"] = pct_series(g["earned_minutes"], g["available_minutes"])
    return g[keys + ["efficiency_pct"]]


def learning(co_days: pd.DataFrame) -> dict:
    """Everything the page and the endpoint show about the changeovers of a selection."""
    curve = learning_curve(co_days)
    steady = steady_pct(co_days)
    own = own_curves(co_days)
    return {"curve": curve, "steady_pct": steady, "days_to_90": days_to_90(curve, steady),
            "ramp": ramp_targets(curve, steady),
            "changeovers": changeover_list(co_days, steady, own), "own_curves": own}
