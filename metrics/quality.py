"""Quality metrics (SPEC section 4): pure pandas on summed measures.

checked and defective come from end-of-line checks; defects (and repaired) from the defect log.
Every ratio is a ratio of sums; a zero or missing denominator gives null.
"""
from __future__ import annotations

import pandas as pd

from metrics.production import pct_series, ratio_pct

MEASURES = ("checked", "defective", "defects", "repaired", "open")
# how a defect or breakdown with no reason (operation, category) is labelled and drilled into
NOT_GIVEN = "(not given)"


def add_quality_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """defective_pct, dhu, fpy_pct and repaired_pct on rows that carry the sums."""
    out = df.copy()
    out["defective_pct"] = pct_series(out["defective"], out["checked"])
    out["dhu"] = pct_series(out["defects"], out["checked"])
    out["fpy_pct"] = pct_series(out["checked"] - out["defective"], out["checked"])
    out["repaired_pct"] = pct_series(out["repaired"], out["defects"])
    return out


def _total(df: pd.DataFrame, col: str):
    if col not in df or df[col].isna().all():
        return None
    return float(df[col].sum())


def quality_totals(df: pd.DataFrame) -> dict:
    """Sum the measures, then take the ratios of the sums."""
    t = {c: _total(df, c) for c in MEASURES}
    for c in ("defects", "repaired", "open"):
        t[c] = t[c] or 0.0
    fit = None if t["checked"] is None or t["defective"] is None else t["checked"] - t["defective"]
    t["defective_pct"] = ratio_pct(t["defective"], t["checked"])
    t["dhu"] = ratio_pct(t["defects"], t["checked"])
    t["fpy_pct"] = ratio_pct(fit, t["checked"])
    t["repaired_pct"] = ratio_pct(t["repaired"], t["defects"])
    return t


def pareto(df: pd.DataFrame, key: str, value: str = "defects") -> pd.DataFrame:
    """Rows sorted by value (largest first, ties by key) with share_pct and cum_pct of the whole."""
    if df.empty:
        return df.assign(share_pct=pd.Series(dtype=float), cum_pct=pd.Series(dtype=float))
    out = (df.groupby(key, as_index=False, dropna=False)[value].sum()
           if df[key].duplicated().any() else df[[key, value]].copy())
    out = out.sort_values([value, key], ascending=[False, True]).reset_index(drop=True)
    total = out[value].sum()
    out["share_pct"] = pct_series(out[value], pd.Series(total, index=out.index))
    out["cum_pct"] = pct_series(out[value].cumsum(), pd.Series(total, index=out.index))
    return out


PARETO_BARS = 20  # the vital few a Pareto shows; the rest are one "Other (n)" row


def fold_tail(df: pd.DataFrame, key: str, bars: int = PARETO_BARS) -> pd.DataFrame:
    """A Pareto's rows as charted: the first bars − 1 as they are, the rest summed into one
    "Other (n)" row (its numbers are sums; cum_pct 100). Ratios of the sums are the caller's."""
    if len(df) <= bars:
        return df
    head, tail = df.iloc[:bars - 1], df.iloc[bars - 1:]
    other = tail.select_dtypes("number").sum(min_count=1).to_dict()
    other.update({key: f"Other ({len(tail)})", "cum_pct": 100.0})
    return pd.concat([head, pd.DataFrame([other])], ignore_index=True)[list(df.columns)]
