"""Live pages (SPEC section 11): is a view live, and what was it built from.

A page whose window includes today asks every LIVE_REFRESH_S seconds whether `live_state` moved,
and rebuilds only then. The state is the data version (every import and ingestion bumps it) and
the plant-local hour: today's by-hour views stop at the current hour, so they move with it.
"""
from __future__ import annotations

from core.filters import Filters
from reports.cache import data_identity
from reports.production import current_hour


def is_live(filters: Filters, today) -> bool:
    return filters.start <= today <= filters.end


def live_state(ctx) -> str:
    instance, version = data_identity(ctx)
    return f"{instance}:{version}:{current_hour(ctx):%Y%m%d%H}"
