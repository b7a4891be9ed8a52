"""POST /api/v1/data/<name> (SPEC section 10): rows of any file of SPEC section 2, as they come."""
from __future__ import annotations

from flask import jsonify

from api.answers import Ingested
from api.bodies import batch_schema, item_schema, read_batch
from api.common import require_ingest
from api.declare import route
from core.context import current
from core.errors import ApiError
from ingest import datasets

ITEM = {"anyOf": [item_schema(name) for name in datasets.NAMES]}


@route("POST", "/v1/data/<name>", tag="data",
       summary="Ingest rows of any file (admins and ingest tokens)",
       description="`name` is a file of SPEC section 2 without `.csv`: "
                   + ", ".join(datasets.NAMES) + ". The body is one row, an array of up to "
                   f"{datasets.MAX_ITEMS:,} or `{{\"rows\": [...]}}` (at most "
                   f"{datasets.MAX_BYTES // 2**20} MB), keyed by the file's column names and "
                   "checked by the CSV import's rules. A bad row is rejected with its index and "
                   "reason while the others are stored; a row whose natural key is stored "
                   "replaces it (`updated`), one identical to it is a duplicate.",
       body=batch_schema(ITEM, "rows", datasets.MAX_ITEMS), answers={200: Ingested},
       errors={400: ("bad_json", "bad_batch"), 404: ("unknown_dataset",),
               413: ("batch_too_large",)})
def post_data(name: str):
    require_ingest()
    if name not in datasets.NAMES:
        raise ApiError(404, "unknown_dataset", f"There is no dataset '{name[:100]}'.",
                       {"datasets": list(datasets.NAMES)})
    items = read_batch("rows", max_items=datasets.MAX_ITEMS, max_bytes=datasets.MAX_BYTES,
                       noun="rows")
    ctx = current()
    result = datasets.ingest_items(ctx.engine, name, items, plant_tz=ctx.settings.plant_tz,
                                   now=ctx.now(), source="api")
    return jsonify(result.as_dict())
