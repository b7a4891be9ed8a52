"""The Overview (/): its cards, in the order shown, and its view.

CARDS is the one list of what the Overview's KPI row shows; each entry gives the cards of one
domain, read from that domain's cached report. Adding a card means adding it here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from core.filters import Filters
from metrics.production import days_off
from reports import downtime, orders, production, quality, utilisation, workforce
from reports.kpis import Kpi
from reports.thresholds import coloured
from reports.view import View

CARDS = (
    production.overview_kpis,  # output, target achievement, SMV efficiency, earned hours, WIP
    quality.quality_kpis,  # DHU
    downtime.downtime_kpis,  # downtime minutes
    workforce.attendance_kpis,  # attendance %
    utilisation.utilisation_kpis,  # utilisation %
    orders.overview_orders_at_risk,  # open orders late or at risk
)


def cards(ctx, filters: Filters, scope=None) -> list[Kpi]:
    """Every Overview card, in order, coloured against the thresholds of its lines."""
    return coloured(ctx, [card for source in CARDS for card in source(ctx, filters, scope)],
                    filters.lines)


def extra_overview_kpis(ctx, filters: Filters, scope=None) -> list[Kpi]:
    """The cards after production's (the other domains')."""
    return [card for source in CARDS[1:] for card in source(ctx, filters, scope)]


def overview_view(ctx, filters: Filters, scope=None, now: datetime | None = None) -> dict:
    """The production overview (league, today's hours, the daily series) and every card."""
    data = production.overview(ctx, filters, scope, now)
    daily = data["daily"]
    worked = (daily.loc[(daily["output"] > 0) | (daily["target"].fillna(0) > 0), "date"]
              if not daily.empty else [])
    last = min(filters.end, ctx.today() - timedelta(days=1))  # today is still running
    return {**data, "cards": cards(ctx, filters, scope),
            "days_off": days_off(worked, filters.start, last) if not daily.empty else []}


VIEW = View(
    "overview", overview_view,
    frames={"league": production.league_frame, "today": "today", "daily": "daily"},
    values={"cards": "cards", "summary": "total"})
