"""KPI cards: one frozen shape for every card (the Overview's, the Orders page's).

Which cards the Overview shows, and in what order, is one list: reports/overview.py CARDS.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from metrics.production import change_pct


@dataclass(frozen=True)
class Explanation:
    """What a card means, in the words the card's hover, the page workbook's first sheet and the
    README's "KPI cards" table all show (tests/test_kpi_explain.py holds the README to them), and
    the page whose filters show its detail."""
    definition: str
    formula: str
    page: str  # the page with its detail, opened with the same filters


EXPLAIN: dict[str, Explanation] = {
    "output": Explanation(
        "Pieces that left the end of the line in the period.",
        "Σ output qty", "/lines"),
    "achievement_pct": Explanation(
        "Output against the plan's target for the same hours.",
        "output / target × 100", "/lines"),
    "efficiency_pct": Explanation(
        "SMV line efficiency: the standard minutes earned by the output against the minutes "
        "the line's people were available.",
        "earned minutes / available minutes × 100; earned = Σ output × style SMV, available = "
        "Σ (operators + helpers) × working minutes of the plan rows", "/lines"),
    "earned_hours": Explanation(
        "Standard hours of work in the output.",
        "Σ output × style SMV / 60", "/lines"),
    "wip": Explanation(
        "Pieces loaded into the lines and not yet out of them, right now (all history).",
        "Σ loading − Σ output, from each line's first record", "/lines"),
    "dhu": Explanation(
        "Defects per hundred units checked at end of line.",
        "defects / checked × 100", "/quality"),
    "downtime_min": Explanation(
        "Machine breakdown minutes inside the period's production days (open ones up to now).",
        "Σ breakdown minutes, clipped to the window", "/downtime"),
    "attendance_pct": Explanation(
        "Share of scheduled person-days worked (weekly offs and holidays are not scheduled).",
        "(P + 0.5 × HD) / scheduled days × 100", "/workforce"),
    "utilisation_pct": Explanation(
        "Share of the camera-watched time that workers were working (lines with cameras only).",
        "working / (working + idle) × 100", "/utilisation"),
    "orders_at_risk": Explanation(
        "Open orders that are late, or projected to finish after their due date, as of today.",
        "open orders with due date passed or projected completion after the due date",
        "/orders"),
    "open_orders": Explanation(
        "Orders drafted, released, in progress or on hold.",
        "count of open orders", "/orders"),
    "orders_late": Explanation(
        "Open orders whose due date has passed.",
        "open orders with due date < today", "/orders"),
    "on_time_pct": Explanation(
        "Orders completed in the period on or before their due date.",
        "completed on time / completed with a due date × 100", "/orders"),
    "short_of_material": Explanation(
        "Open orders with a material issued below what they need.",
        "open orders with Σ issued < Σ required for a material", "/orders"),
}


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
    status: str | None = None  # traffic light (metrics/thresholds.py) for the measures that have one
    threshold: str | None = None  # the thresholds it was coloured with, in words

    @property
    def explanation(self) -> Explanation | None:
        return EXPLAIN.get(self.key)

    def with_status(self, status: str | None, threshold: str | None = None) -> "Kpi":
        return replace(self, status=status, threshold=threshold)

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
        why = self.explanation
        return {**asdict(self), "change_pct": self.change_pct, "change_pts": self.change_pts,
                "definition": why.definition if why else None,
                "formula": why.formula if why else None}


def kpi(key, label, current, previous, unit="", better="up", digits=0, note=None) -> Kpi:
    return Kpi(key, label, current, previous, unit, better, digits, note)
