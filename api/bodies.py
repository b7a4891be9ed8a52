"""Request bodies of the ingestion routes, described from the CSV rules that judge them.

An ingested item is checked by the CSV importer's own column rules (data/csv_rules.py), so its
schema is made from the same `FileSpec`: a column's kind, bounds, choices and whether it is
required. Items are documented, not parsed here: the ingestion code rejects a bad item with its
index and stores the rest, which a whole-body validation would not allow.
"""
from __future__ import annotations

import json

from flask import request

from core.errors import ApiError
from ingest.csv_rules import BY_NAME, Col, FileSpec

_KINDS = {
    "text": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "description": "HH:MM"},
    "ts": {"type": "string", "description": "ISO 8601 timestamp; without an offset it is "
                                             "plant-local time"},
    "weekdays": {"type": "string", "description": "days of the week, e.g. Fri or Fri;Sat"},
}


def _column(spec: FileSpec, col: Col) -> dict:
    schema = dict(_KINDS.get(col.kind, {"type": "string"}))
    if col.choices:
        schema = {"type": "string", "enum": list(col.choices)}
    if col.min is not None:
        schema["exclusiveMinimum" if col.positive else "minimum"] = col.min
    elif col.positive:
        schema["exclusiveMinimum"] = 0
    if col.max is not None:
        schema["maximum"] = col.max
    length = getattr(spec.table.c[col.name].type, "length", None)
    if col.kind == "text" and length:
        schema["maxLength"] = length
    if col.ref:
        schema["description"] = f"a code of {col.ref}.csv"
    return schema


def item_schema(name: str, *, required: tuple[str, ...] = (), only: tuple[str, ...] = (),
                ) -> dict:
    """The JSON schema of one item of `name` (a file of SPEC section 2 without .csv); `required`
    adds the columns a path needs beyond what the file's rules require; `only` keeps those
    columns (and then only `required` ones are required)."""
    spec = BY_NAME[name]
    cols = [c for c in spec.columns if not only or c.name in only]
    return {"type": "object", "title": name,
            "properties": {c.name: _column(spec, c) for c in cols},
            "required": [c.name for c in cols
                         if c.name in required or (not only and spec.is_required(c))]}


def batch_schema(item: dict, wrapper: str, max_items: int, min_items: int = 0) -> dict:
    """One item, an array of `min_items` to `max_items`, or `{wrapper: [...]}`."""
    array = {"type": "array", "items": item, "minItems": min_items, "maxItems": max_items}
    return {"anyOf": [item, array, {"type": "object", "properties": {wrapper: array},
                                     "required": [wrapper]}]}


def read_batch(wrapper: str, *, max_items: int, max_bytes: int, noun: str) -> list:
    """The posted items as a list: one object, an array, or `{wrapper: [...]}`.

    A body over `max_bytes` or a batch over `max_items` is 413 `batch_too_large` before anything
    is stored; a body that is not JSON (or nests too deep to read) is 400 `bad_json`.
    """
    def too_large(what: str) -> ApiError:
        return ApiError(413, "batch_too_large",
                        f"{what}; send at most {max_items:,} {noun} and {max_bytes:,} bytes per "
                        "request (split the batch). Nothing was stored.",
                        {"max_items": max_items, "max_bytes": max_bytes})

    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large(f"The body is {request.content_length:,} bytes, over the "
                        f"{max_bytes:,}-byte limit")
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:  # a chunked upload has no Content-Length
        raise too_large(f"The body is over the {max_bytes:,}-byte limit")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "bad_json", f"The body is not valid JSON: {err}. Send one object "
                       f"or an array of {noun}.") from None
    except RecursionError:
        raise ApiError(400, "bad_json", "The body nests too deep to read. Send one object or "
                       f"an array of {noun}.") from None
    if isinstance(body, dict) and isinstance(body.get(wrapper), list):
        body = body[wrapper]
    if isinstance(body, dict):
        return [body]
    if not isinstance(body, list):
        raise ApiError(400, "bad_batch", f"Send one object, an array of {noun} or "
                       f'{{"{wrapper}": [...]}}.')
    if len(body) > max_items:
        raise too_large(f"The batch has {len(body):,} {noun}")
    return body
