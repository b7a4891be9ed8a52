"""POST /api/v1/events (SPEC sections 6 and 7): one camera event or a batch of up to 10,000."""
from __future__ import annotations

import json

from flask import jsonify, request

from api.answers import Ingested
from api.bodies import batch_schema, item_schema
from api.common import require_ingest
from api.declare import route
from core.errors import ApiError
from ingest import events
from core.context import current

# Generous for 10,000 events (a typical one is ~200 bytes); a body beyond it is refused before it
# is read, so an oversized upload costs us nothing.
MAX_BODY_BYTES = events.MAX_BATCH * 2048


def _too_large(what: str) -> ApiError:
    return ApiError(413, "batch_too_large",
                    f"{what}; send at most {events.MAX_BATCH:,} events per request "
                    f"(split the batch). Nothing was stored.",
                    {"max_events": events.MAX_BATCH, "max_bytes": MAX_BODY_BYTES})


def _items() -> list:
    """The posted events as a list: a JSON array, {"events": [...]}, or one event object."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _too_large(f"The body is {request.content_length:,} bytes, over the "
                         f"{MAX_BODY_BYTES:,}-byte limit")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:  # a chunked upload has no Content-Length
        raise _too_large(f"The body is over the {MAX_BODY_BYTES:,}-byte limit")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "bad_json", f"The body is not valid JSON: {err}. Send one event "
                       "object or an array of them.") from None
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        body = body["events"]
    if isinstance(body, dict):
        return [body]
    if not isinstance(body, list):
        raise ApiError(400, "bad_batch", "Send one event object or an array of event objects.")
    if len(body) > events.MAX_BATCH:
        raise _too_large(f"The batch has {len(body):,} events")
    return body


@route("POST", "/v1/events", tag="utilisation",
       summary="Ingest camera events (admins and ingest tokens)",
       body=batch_schema(item_schema("events", required=events.REQUIRED), "events",
                         events.MAX_BATCH),
       answers={200: Ingested}, errors={400: ("bad_json", "bad_batch"), 413: ("batch_too_large",)})
def post_events():
    require_ingest()
    items = _items()
    ctx = current()
    result = events.ingest(ctx.engine, items, ctx.settings.plant_tz)
    return jsonify(result.as_dict())
