"""Component ids shared across pages (one filter bar, one export mechanism)."""
from dash import Input

DATES = "filter-dates"
LINES = "filter-lines"
SHIFTS = "filter-shifts"
STYLES = "filter-styles"
NAV = "nav-link"  # pattern id {"type": NAV, "path": "/lines"}
QUICK_RANGE = "quick-range"  # pattern id {"type": QUICK_RANGE, "range": "7"}
EXPORT_BUTTON = "export-button"  # pattern id {"type": EXPORT_BUTTON, "name": ...}
EXPORT_DOWNLOAD = "export-download"

FILTER_INPUTS = [
    Input(DATES, "start_date"), Input(DATES, "end_date"), Input(LINES, "value"),
    Input(SHIFTS, "value"), Input(STYLES, "value"),
]
