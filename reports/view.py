"""A view: what one page shows, as named parts of one cached report result.

The page draws its figures from the parts, a card's CSV/Excel export is its frame part, and
/api/v1/views/<page> serialises all of them, so the three can never disagree. A report module
declares its view next to its report; reports/views.py collects them in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import pandas as pd

from core.filters import DEFAULT_DAYS, Filters

Pick = str | Callable[[dict], object]  # a key of the report result, or a function of it


def _pick(result: dict, pick: Pick):
    return result[pick] if isinstance(pick, str) else pick(result)


@dataclass(frozen=True)
class View:
    page: str
    report: Callable  # (ctx, filters, scope) -> the page's report result (a dict)
    frames: Mapping[str, Pick] = field(default_factory=dict)  # charts and grids: DataFrames
    values: Mapping[str, Pick] = field(default_factory=dict)  # summaries (dict), cards (Kpis)
    default_days: int = DEFAULT_DAYS  # the page's window when the URL names no dates

    def default_filters(self, today) -> Filters:
        return Filters.default(today, self.default_days)

    def result(self, ctx, filters: Filters, scope=None) -> dict:
        return self.report(ctx, filters, scope)

    def frame(self, name: str, ctx, filters: Filters, scope=None) -> pd.DataFrame:
        """One chart's or grid's data: what its CSV export holds."""
        return _pick(self.result(ctx, filters, scope), self.frames[name])

    def parts(self, ctx, filters: Filters, scope=None) -> dict:
        """Every part by name: frames, then values."""
        result = self.result(ctx, filters, scope)
        return {name: _pick(result, pick) for name, pick in (*self.frames.items(),
                                                              *self.values.items())}

    def export(self, name: str) -> Callable:
        """`fn(ctx, filters, scope) -> DataFrame` for the export named f"{page}-{name}"."""
        def make(ctx, filters, scope=None):
            return self.frame(name, ctx, filters, scope)
        make.__name__ = f"export_{self.page}_{name}".replace("-", "_")
        return make
