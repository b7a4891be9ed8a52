"""Unknown /api paths answer in the API's error format (not with the Dash page shell)."""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from api.common import bp
from core.errors import ApiError

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Not an operation of the API, so not in its document (which says what it answers).
FALLBACK_ENDPOINT = "api.not_found"


@bp.route("/<path:_rest>", methods=METHODS)
def not_found(_rest):
    # More specific rules win over this one, so it only runs when no route has this path for
    # this method; a route that has the path for other methods makes it a 405.
    from flask import current_app
    adapter = current_app.url_map.bind("", url_scheme=request.scheme)
    allowed = []
    for method in METHODS:
        if method == request.method:
            continue
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint != FALLBACK_ENDPOINT:
            allowed.append(method)
    if allowed:
        raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed here; use "
                       f"{' or '.join(allowed)}.", {"allowed": allowed})
    raise ApiError(404, "not_found", f"There is no API route {request.path}.")
