"""KPI cards: one frozen shape for every card (the Overview's, the Orders page's).

Which cards the Overview shows, and in what order, is one list: reports/overview.py CARDS.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from metrics.production import change_pct


@dataclass(frozen=True)
class Kpi:
    """A KPI card's data. Percentages change in percentage points, counts in per cent."""
    key: str
    label: str
    value: float | int | None
    previous: float | int | None
    unit: str = ""
    better: str = "up"
    digits: int = 0
    note: str | None = None

    @property
    def is_pct(self) -> bool:
        return self.unit.strip() == "%"

    @property
    def change_pct(self) -> float | None:
        return None if self.is_pct else change_pct(self.value, self.previous)

    @property
    def change_pts(self) -> float | None:
        if not self.is_pct or self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    # cards are read by name in templates and tests (card["value"]) as they were as dicts
    def __getitem__(self, name: str):
        return getattr(self, name)

    def get(self, name: str, default=None):
        return getattr(self, name, default)

    def as_dict(self) -> dict:
        return {**asdict(self), "change_pct": self.change_pct, "change_pts": self.change_pts}


def kpi(key, label, current, previous, unit="", better="up", digits=0, note=None) -> Kpi:
    return Kpi(key, label, current, previous, unit, better, digits, note)
