"""Traffic-light thresholds (green / amber / red) and the one function that picks a colour.

Pure: no SQL, no Dash. The thresholds are stored in the database (table `thresholds`, set on the
Admin page, read by queries/thresholds.py); DEFAULTS apply where nothing is stored. A threshold of
a line overrides the plant's for that line's figures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Mapping

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
PLANT = ""  # the line_code of the plant-wide threshold row


class ThresholdError(ValueError):
    """A threshold a user typed that cannot be used; the message says why and what to type."""


@dataclass(frozen=True)
class Rule:
    """Green at or beyond `green_at`, amber at or beyond `amber_at`, red past it. "Beyond" is
    above for a measure where up is better, below for one where down is better (DHU)."""
    measure: str
    green_at: float
    amber_at: float

    @property
    def better(self) -> str:
        return MEASURES[self.measure].better

    def colour(self, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return GREY
        if self.better == "up":
            return GREEN if value >= self.green_at else AMBER if value >= self.amber_at else RED
        return GREEN if value <= self.green_at else AMBER if value <= self.amber_at else RED

    def words(self) -> str:
        sign = "≥" if self.better == "up" else "≤"
        unit = MEASURES[self.measure].unit
        return (f"green {sign} {self.green_at:g}{unit}, amber {sign} {self.amber_at:g}{unit}, "
                f"red beyond")


@dataclass(frozen=True)
class Measure:
    key: str  # the KPI card's key
    label: str
    better: str  # "up" | "down"
    unit: str
    lowest: float
    highest: float


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("achievement_pct", "Target achievement", "up", " %", 0.0, 1000.0),
    Measure("efficiency_pct", "SMV efficiency", "up", " %", 0.0, 1000.0),
    Measure("dhu", "DHU", "down", "", 0.0, 10000.0),
    Measure("attendance_pct", "Attendance", "up", " %", 0.0, 100.0),
    Measure("utilisation_pct", "Utilisation", "up", " %", 0.0, 100.0),
)}

DEFAULTS: dict[str, Rule] = {r.measure: r for r in (
    Rule("achievement_pct", 100.0, 90.0),
    Rule("efficiency_pct", 65.0, 55.0),
    Rule("dhu", 3.0, 5.0),
    Rule("attendance_pct", 95.0, 90.0),
    Rule("utilisation_pct", 85.0, 75.0),
)}


def validate(measure: str, green_at, amber_at) -> Rule:
    """A Rule from typed values, or ThresholdError saying what is wrong."""
    if measure not in MEASURES:
        raise ThresholdError(f"Unknown measure '{measure}'; choose one of "
                             f"{', '.join(MEASURES)}.")
    m = MEASURES[measure]
    values = []
    for name, raw in (("green", green_at), ("amber", amber_at)):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ThresholdError(f"{m.label}: the {name} threshold is empty; type a number.")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ThresholdError(f"{m.label}: the {name} threshold '{raw}' is not a number.")
        if math.isnan(value) or not m.lowest <= value <= m.highest:
            raise ThresholdError(f"{m.label}: the {name} threshold must be between "
                                 f"{m.lowest:g} and {m.highest:g}{m.unit}, not {raw}.")
        values.append(value)
    green, amber = values
    if m.better == "up" and amber > green:
        raise ThresholdError(f"{m.label}: amber starts at {amber:g}{m.unit}, above green at "
                             f"{green:g}{m.unit}; higher is better here, so amber must be at or "
                             f"below green.")
    if m.better == "down" and amber < green:
        raise ThresholdError(f"{m.label}: amber starts at {amber:g}{m.unit}, below green at "
                             f"{green:g}{m.unit}; lower is better here, so amber must be at or "
                             f"above green.")
    return Rule(measure, green, amber)


@dataclass(frozen=True)
class Thresholds:
    """The plant's rules and each line's overrides: {(measure, line_code or PLANT): Rule}."""
    rules: Mapping[tuple[str, str], Rule] = field(default_factory=dict)

    def rule(self, measure: str, line_code: str | None = None) -> Rule:
        if line_code and (measure, line_code) in self.rules:
            return self.rules[(measure, line_code)]
        return self.rules.get((measure, PLANT), DEFAULTS[measure])

    def for_lines(self, measure: str, lines) -> Rule:
        """The rule of a figure over `lines`: a single line's own, else the plant's."""
        lines = tuple(lines or ())
        return self.rule(measure, lines[0] if len(lines) == 1 else None)

    def with_rule(self, rule: Rule, line_code: str | None = None) -> "Thresholds":
        return replace(self, rules={**self.rules, (rule.measure, line_code or PLANT): rule})


def colour(measure: str, value, thresholds: Thresholds | None = None,
           line_code: str | None = None) -> str:
    """THE traffic-light colour of a value of `measure` (on `line_code`, when it is one line's):
    green, amber, red, or grey when there is no value. Every coloured figure asks this."""
    return (thresholds or Thresholds()).rule(measure, line_code).colour(value)
