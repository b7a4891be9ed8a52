"""What drill-down callbacks share: the filter bar's values as State, read into Filters, and
the bar a click landed on."""
from __future__ import annotations

from dash import State

from components import ids
from components.filter_bar import filters_from_values
from core.context import current
from core.filters import FilterError, Filters

FILTER_STATES = [State(i.component_id, i.component_property) for i in ids.FILTER_INPUTS]


def filters_or_none(start, end, lines, shifts, styles) -> Filters | None:
    """The filter bar's selection, or None while it is invalid (the page says why already)."""
    try:
        return filters_from_values(start, end, lines, shifts, styles, current().today())
    except FilterError:
        return None


def clicked_bar(click) -> str | None:
    """The category of the bar in a Plotly clickData; None for no click or the "Other" bar
    (metrics.quality.fold_tail sums the tail into it: there is nothing single to drill into)."""
    if not click or not click.get("points"):
        return None
    value = click["points"][0].get("x")
    return None if value is None or str(value).startswith("Other (") else str(value)
