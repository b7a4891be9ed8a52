"""metrics.ratios.divide: the one divide-or-null (hand-worked values)."""
import math

import numpy as np
import pandas as pd
import pytest

from metrics.ratios import divide


def test_scalars():
    assert divide(1600 * 7.32, 38 * 540, 100) == pytest.approx(57.076, abs=1e-3)
    assert divide(3, 4) == 0.75
    assert divide(0, 5) == 0.0  # nothing made of something is 0, not null
    for den in (0, 0.0, -3, None, float("nan"), pd.NA):
        assert divide(10, den) is None, den
    for num in (None, float("nan"), pd.NA):
        assert divide(num, 10) is None, num


def test_series_give_nan_where_there_is_no_denominator():
    out = divide(pd.Series([41, 5, 7, None, 2]), pd.Series([300, 0, -1, 4, None]), 100)
    assert out.iloc[0] == pytest.approx(13.6667, abs=1e-4)
    assert all(math.isnan(v) for v in out.iloc[1:])
    assert out.dtype == float


def test_series_with_a_scalar_on_either_side():
    assert list(divide(pd.Series([30, 60]), 60)) == [0.5, 1.0]
    assert list(divide(120, pd.Series([60, 0])).fillna(-1)) == [2.0, -1]
    assert divide(pd.Series([1, 2]), 0).isna().all()
    assert list(divide(np.array([1.0, 2.0]), np.array([2.0, 4.0]))) == [0.5, 0.5]
    # text that is not a number counts as missing, as in the query results it guards
    assert divide(pd.Series(["6", "x"]), pd.Series([3, 3])).fillna(-1).tolist() == [2.0, -1]
