"""KPI cards: one data shape for every card, and the Overview's registry of cards per domain.

A domain (quality, downtime, workforce, utilisation, orders) adds its Overview cards with

    @overview_kpis(order=20)
    def _quality_kpis(ctx, filters, scope) -> list[dict]:
        ...  # cached in the domain's report module
        return [kpi("dhu", "DHU", cur, prev, " %", better="down", digits=1)]

and the Overview shows them after the production cards, in `order`.
"""
from __future__ import annotations

from typing import Callable

from metrics.production import change_pct

_PROVIDERS: list[tuple[int, str, Callable]] = []


def kpi(key, label, current, previous, unit="", better="up", digits=0, note=None) -> dict:
    """A KPI card's data. Percentages change in percentage points, counts in per cent."""
    is_pct = unit.strip() == "%"
    points = (None if not is_pct or current is None or previous is None
              else current - previous)
    return {"key": key, "label": label, "value": current, "previous": previous,
            "change_pct": None if is_pct else change_pct(current, previous),
            "change_pts": points, "unit": unit, "better": better, "digits": digits,
            "note": note}


def overview_kpis(order: int) -> Callable:
    """Register `fn(ctx, filters, scope) -> list[kpi dict]` as a source of Overview cards."""
    def register(fn: Callable) -> Callable:
        name = f"{fn.__module__}.{fn.__qualname__}"
        _PROVIDERS[:] = [p for p in _PROVIDERS if p[1] != name]  # re-import replaces
        _PROVIDERS.append((order, name, fn))
        _PROVIDERS.sort(key=lambda p: p[0])
        return fn
    return register


def extra_overview_kpis(ctx, filters, scope) -> list[dict]:
    """The registered domains' cards, in order."""
    return [card for _order, _name, fn in _PROVIDERS for card in fn(ctx, filters, scope)]
