"""Every page's view and every export, collected in one place a reader can open.

A view (reports/view.py) is declared next to its report; here they are listed, and each of
their frame parts becomes the CSV/Excel export named f"{page}-{part}" that the page's cards and
server-side grids read, and that /api/v1/views/<page> serialises with the rest.
"""
from __future__ import annotations

from typing import Callable

from reports import downtime, engineering, lines, orders, overview, quality, trends
from reports import utilisation
from reports import workforce
from reports.view import View

VIEWS: dict[str, View] = {v.page: v for v in (
    overview.VIEW, lines.VIEW, quality.VIEW, downtime.VIEW, workforce.VIEW,
    utilisation.VIEW, orders.VIEW, trends.VIEW, engineering.VIEW,
)}

EXPORTS: dict[str, Callable] = {f"{v.page}-{name}": v.export(name)
                                for v in VIEWS.values() for name in v.frames}
