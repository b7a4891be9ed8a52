"""Reported productivity from daily line reports (SPEC section 4): manpower-weighted.

Over several rows, productivity = Σ productivity × operators / Σ operators (a ratio, 0.8 = 80 %);
the same for the target. No operators: null.
"""
from __future__ import annotations

import pandas as pd

from metrics.ratios import divide


def _weighted(num: pd.Series, den: pd.Series) -> pd.Series:
    return divide(num, den)


def add_productivity(df: pd.DataFrame) -> pd.DataFrame:
    """actual_productivity, target_productivity and gap (actual − target) from the weighted sums."""
    out = df.copy()
    out["actual_productivity"] = _weighted(out["actual_weighted"], out["operators"])
    out["target_productivity"] = _weighted(out["target_weighted"], out["operators"])
    out["gap"] = out["actual_productivity"] - out["target_productivity"]
    return out
