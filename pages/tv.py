"""The floor TV board (/tv, SPEC section 11): a plain page and a small JSON endpoint.

Not a Dash page on purpose: a screen on the floor must outlive server restarts, upgrades and
network drops with nobody at it, and the Dash renderer stops for good when a callback fails or
the server's bundle changes. Here a small script (assets/tv.js) asks /tv/data every `refresh`
seconds, draws the board itself, says "stale since hh:mm" while the server cannot be reached,
and carries on when it can. A reload happens only when the server answered and runs a newer
build, so it cannot land on an error page.

/tv/data?since=<state> answers {"unchanged": true} while the data version and the clock step are
what the screen has (one read of the meta table): the board is computed only when it moved.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from flask import Blueprint, jsonify, make_response, render_template_string, request

from auth.gate import request_user
from core.context import current
from core.filters import FilterError, as_list
from core.serialize import mapping
from reports import alerts as alert_reports, floor
from version import __version__

log = logging.getLogger(__name__)

bp = Blueprint("tv", __name__)

DEFAULT_REFRESH_S, DEFAULT_ROTATE_S = 30, 15
LIMITS_S = (2, 3600)  # a faster refresh would only load the server; slower is not "live"
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def _build() -> str:
    """The app version and the board's script and styles: a screen reloads when it changes."""
    digest = hashlib.sha256(__version__.encode())
    for name in ("tv.js", "tv.css"):
        digest.update((ASSETS / name).read_bytes())
    return digest.hexdigest()[:12]


BUILD = _build()

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FloorPulse TV</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/tv.css?v={{ build }}"></head>
<body class="tv">
<div id="tv-root" data-refresh="{{ refresh }}" data-rotate="{{ rotate }}" data-build="{{ build }}">
<header class="tv-head">
  <div class="tv-brand">Floor<span>Pulse</span></div>
  <div id="tv-title" class="tv-title"></div>
  <div id="tv-status" class="tv-status" role="status"></div>
  <div id="tv-clock" class="tv-clock"></div>
</header>
{% if notice %}<div class="tv-notice" id="tv-notice">{{ notice }}</div>{% endif %}
<main id="tv-board" class="tv-board"><div class="tv-message">Loading the board…</div></main>
</div>
<script src="/assets/tv.js?v={{ build }}"></script>
</body></html>"""


def _seconds(name: str, default: int) -> tuple[int, str | None]:
    """A query parameter in seconds, within LIMITS_S; a bad one falls back to the default with
    a notice on the board (a TV link with a typo still shows the floor)."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default, None
    try:
        value = int(raw)
    except ValueError:
        return default, f"{name}={raw} is not a number of seconds; using {default}."
    low, high = LIMITS_S
    if not low <= value <= high:
        return default, f"{name} must be {low} to {high} seconds; using {default}."
    return value, None


@bp.route("/tv")
def board_page():
    refresh, note_r = _seconds("refresh", DEFAULT_REFRESH_S)
    rotate, note_o = _seconds("rotate", DEFAULT_ROTATE_S)
    notice = " ".join(n for n in (note_r, note_o) if n)
    response = make_response(render_template_string(
        PAGE, refresh=refresh, rotate=rotate, build=BUILD, notice=notice))
    response.headers["Cache-Control"] = "no-store"
    return response


def _json(body: dict, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tv/data")
def board_data():
    ctx = current()
    now = ctx.now()
    lines = tuple(as_list(request.args.getlist("line")))
    user = request_user()
    # alerts fire and resolve without moving the data version: their own token joins the state
    state = f"{floor.board_state(ctx, now)}:{alert_reports.alerts_version(ctx) or 0}"
    head = {"state": state, "build": BUILD, "plant_now": now.isoformat(timespec="seconds")}
    if request.args.get("since") == state:
        return _json({**head, "unchanged": True})
    try:
        board = floor.floor_board(ctx, lines, user.scope, now)
    except FilterError as err:
        return _json({"error": {"code": "bad_filter", "message": str(err),
                                "details": {"line": list(lines)}}}, 400)
    firing = alert_reports.firing_alerts(ctx, tuple(b["line_code"] for b in board["lines"]),
                                         user.scope)
    board = {**board, "lines": [{**b, "alerts": [mapping(a) for a in firing
                                                 if a["line_code"] == b["line_code"]]}
                                for b in board["lines"]]}
    return _json({**head, "unchanged": False, "board": board})
