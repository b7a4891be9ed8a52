"""POST /api/v1/events (SPEC sections 6 and 7): one camera event or a batch of up to 10,000."""
from __future__ import annotations

from flask import jsonify

from api.answers import Ingested
from api.bodies import batch_schema, item_schema, read_batch
from api.common import require_ingest
from api.declare import route
from ingest import events
from core.context import current

# Generous for 10,000 events (a typical one is ~200 bytes); a body beyond it is refused before it
# is read, so an oversized upload costs us nothing.
MAX_BODY_BYTES = events.MAX_BATCH * 2048


@route("POST", "/v1/events", tag="utilisation",
       summary="Ingest camera events (admins and ingest tokens)",
       body=batch_schema(item_schema("events", required=events.REQUIRED), "events",
                         events.MAX_BATCH),
       answers={200: Ingested}, errors={400: ("bad_json", "bad_batch"), 413: ("batch_too_large",)})
def post_events():
    require_ingest()
    items = read_batch("events", max_items=events.MAX_BATCH, max_bytes=MAX_BODY_BYTES,
                       noun="events")
    ctx = current()
    result = events.ingest(ctx.engine, items, ctx.settings.plant_tz)
    return jsonify(result.as_dict())
