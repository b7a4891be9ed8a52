"""A Trends series: a daily numerator (and denominator) per date and line, from one domain.

Each domain declares its series next to its report (quality.DHU_SERIES, ...); the Trends page
shows the ones listed in reports/trends.py SERIES, by `order`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class TrendSeries:
    """The value of any group (a day, a week, a line, the whole window) is Σ num / Σ den ×
    scale, or Σ num without a denominator, so percentages stay ratios of sums.
    `fn(ctx, filters, scope) -> DataFrame[date, line_code, num(, den)]`."""
    key: str
    label: str
    unit: str = ""
    better: str = "up"
    order: int = 100
    num: str | None = None
    den: str | None = None
    scale: float = 1.0
    fn: Callable | None = None

    def __post_init__(self):
        if self.num is None:
            object.__setattr__(self, "num", self.key)

    def meta(self) -> dict:
        return {"key": self.key, "label": self.label, "unit": self.unit, "better": self.better}
