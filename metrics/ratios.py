"""Divide or null: the one way a ratio is taken (SPEC section 4).

A denominator that is missing, zero or negative gives null, never 0 or infinity: every
denominator here is a count of pieces, people or minutes, so a negative one is not a number to
divide by (available minutes less downtime, say) but a sign that there is nothing to measure.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def divide(num, den, scale: float = 1.0):
    """num / den × scale, or null where den is missing or not above 0.

    Scalars give a float or None; a Series (or array) on either side gives a float Series with
    NaN for the nulls."""
    if isinstance(num, (pd.Series, np.ndarray)) or isinstance(den, (pd.Series, np.ndarray)):
        n = pd.to_numeric(pd.Series(num) if isinstance(num, np.ndarray) else num,
                          errors="coerce")
        d = pd.to_numeric(pd.Series(den) if isinstance(den, np.ndarray) else den,
                          errors="coerce")
        n = n.astype(float) if isinstance(n, pd.Series) else n
        d = d.astype(float) if isinstance(d, pd.Series) else d
        if isinstance(d, pd.Series):
            d = d.where(d > 0)
        elif _missing(d) or float(d) <= 0:
            d = float("nan")
        return n / d * scale
    if _missing(num) or _missing(den) or float(den) <= 0:
        return None
    return float(num) / float(den) * scale
