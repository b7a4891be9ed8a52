"""The compact strip of firing alerts on the Overview and the Lines page (SPEC section 11).

Nothing at all when nothing fires; else one chip per alert, each a link to the page that
explains it (the line's page, Downtime, Orders).
"""
from __future__ import annotations

from dash import dcc, html

UNITS = {"behind_target": " %", "dhu_above": " DHU", "machine_down": " min",
         "order_at_risk": " d late"}


def _chip(alert: dict):
    value = alert.get("value")
    shown = "" if value is None else f" · {value:,.1f}{UNITS.get(alert['kind'], '')}"
    return dcc.Link(
        [html.Span(alert["label"], className="alert-chip-kind"),
         html.Span(f" {alert['subject']}{shown}"),
         html.Span(" ✓", className="alert-chip-ack", title="acknowledged")
         if alert.get("acked") else None],
        href=alert["url"], title=alert.get("message") or "",
        className="alert-chip" + (" alert-chip-acked" if alert.get("acked") else ""))


def alert_strip(alerts: list[dict], strip_id: str):
    if not alerts:
        return None
    return html.Div([html.Span(f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''} firing",
                               className="alert-strip-title")]
                    + [_chip(a) for a in alerts], id=strip_id, className="alert-strip mb-3",
                    role="status")
