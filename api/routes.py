"""The HTTP API (SPEC section 7): one blueprint, one module of routes per domain."""
from __future__ import annotations

from api import (  # noqa: F401  (each module adds its routes to bp)
    alerts, attendance, data, downtime, engineering, events, fallback, health, imports,
    line_daily, openapi, order_ops, orders, production, quality, utilisation, views,
)
from api.common import bp

__all__ = ["bp"]
