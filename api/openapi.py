"""GET /api/openapi.json and /api/docs (SPEC section 14): the API describes itself.

The document is made from the operations api/declare.py recorded (their Query models, bodies,
answer models and error codes), assembled by apispec as OpenAPI 3.1; nothing in it is written by
hand. /api/docs is Swagger UI from the swagger-ui-bundle-v2 package's own files, served here (no
CDN: factory floors often have no internet); its start-up script is a file of ours, not inline,
so the Content-Security-Policy needs no exception.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import swagger_ui_bundle
from apispec import APISpec
from flask import Response, jsonify, send_from_directory
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.answers import Error
from api.common import bp
from api.declare import OPERATIONS, Operation, Query, route
from core.errors import ApiError

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <converter(args):name>
_CONVERTED = {"int": {"type": "integer"}, "float": {"type": "number"}}
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
SWAGGER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png",
                 "favicon-16x16.png")
# The order a person reads the document in (tags are the domains of the route modules).
TAGS = (("production", "Output, target, efficiency, WIP"), ("quality", "Checks and defects"),
        ("downtime", "Breakdowns, availability, OEE"), ("workforce", "Attendance and punches"),
        ("utilisation", "Camera events and utilisation"), ("orders", "Work orders"),
        ("data", "Rows of any file, as they come (SPEC section 10)"),
        ("health", "Is it up (no sign-in)"), ("documentation", "This document (no sign-in)"))

INTRO = """FloorPulse's JSON API (SPEC section 7). Sign in with the browser session or send
`Authorization: Bearer <token>` (a token an admin made). Every error is
`{"error": {"code", "message", "details"}}`; an unknown `/api` path answers 404 `not_found`, a
known path with another method 405 `method_not_allowed` (`details.allowed`). Numbers are
unrounded, nulls stay null, dates are YYYY-MM-DD and timestamps ISO 8601 in plant-local time."""


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /api/v1/orders/<wo_number> -> /api/v1/orders/{wo_number}."""
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _strip(schema: dict) -> dict:
    """A pydantic field schema as a parameter schema: no title, no null branch or default."""
    schema = {k: v for k, v in schema.items() if k != "title"}
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        if len(branches) == 1:
            schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **branches[0]}
    if schema.get("default", 0) is None:
        del schema["default"]
    return schema


def _parameters(op: Operation) -> list[dict]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": dict(_CONVERTED.get(conv or "", {"type": "string"}))}
              for conv, name in _PARAM.findall(op.rule)]
    if op.query is None:
        return params
    schema = op.query.model_json_schema(ref_template=REF)
    for name, info in op.query.model_fields.items():
        prop = _strip(schema["properties"][name])
        description = prop.pop("description", None) or info.description
        param = {"name": name, "in": "query", "required": info.is_required(), "schema": prop}
        if description:
            param["description"] = description
        if op.query.repeatable(name):
            param.update(style="form", explode=True)
        params.append(param)
    return params


def _schema(thing, refs: dict) -> dict | None:
    if thing is None:
        return None
    if isinstance(thing, type) and issubclass(thing, BaseModel):
        return refs[thing]
    return thing


def _error_response(codes: tuple[str, ...]) -> dict:
    return {"description": ", ".join(codes), "content": {"application/json": {"schema": {
        "allOf": [{"$ref": REF.format(model="Error")}],
        "properties": {"error": {"properties": {"code": {"enum": list(codes)}}}}}}}}


def _operation(op: Operation, refs: dict) -> dict:
    out = {"operationId": op.endpoint.split(".", 1)[-1], "summary": op.summary,
           "tags": [op.tag or "api"], "parameters": _parameters(op), "responses": {}}
    if op.description:
        out["description"] = op.description
    if op.public:
        out["security"] = []
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required, "content": {
            op.body_type: {"schema": _schema(op.body, refs)}}}
    for status, answer in sorted(op.answers.items()):
        kinds = op.content_type if status < 300 else "application/json"
        kinds = (kinds,) if isinstance(kinds, str) else kinds
        schema = _schema(answer, refs)
        response = {"description": "OK" if status < 300 else "Not OK"}
        if schema is not None:
            response["content"] = {kind: {"schema": schema} for kind in kinds}
        out["responses"][str(status)] = response
    for status, codes in sorted(op.errors.items()):
        out["responses"][str(status)] = _error_response(codes)
    return out


def _models() -> list[type[BaseModel]]:
    found = {Error}
    for op in OPERATIONS:
        for thing in (op.body, *op.answers.values()):
            if isinstance(thing, type) and issubclass(thing, BaseModel):
                found.add(thing)
    return sorted(found, key=lambda m: m.__name__)


@functools.cache
def document() -> dict:
    """The OpenAPI 3.1 document of every declared route (built once a process)."""
    from version import __version__
    spec = APISpec(title="FloorPulse API", version=__version__, openapi_version="3.1.0",
                   info={"description": INTRO})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                "name": "session"})
    used = {op.tag or "api" for op in OPERATIONS}
    for name, description in TAGS:
        if name in used:
            spec.tag({"name": name, "description": description})
    for name in sorted(used - {name for name, _ in TAGS}):  # a new domain goes last
        spec.tag({"name": name})
    models = _models()
    refs, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    for name, schema in sorted(defs.get("$defs", {}).items()):
        spec.components.schema(name, schema)
    refs = {model: refs[(model, "validation")] for model in models}
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = _operation(op, refs)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}, {"session": []}]
    return doc


# --- the routes ------------------------------------------------------------------------------

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API · FloorPulse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/floorpulse-docs.js"></script>
</body></html>"""

DOCS_SCRIPT = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout",
    validatorUrl: null, withCredentials: true
  });
};
"""


@route("GET", "/openapi.json", summary="This document: OpenAPI 3.1 of every /api route",
       tag="documentation", public=True, answers={200: {"type": "object"}})
def openapi_json():
    return jsonify(document())


@route("GET", "/docs", summary="The document for a person (Swagger UI, served locally)",
       tag="documentation", public=True, answers={200: {"type": "string"}},
       content_type="text/html")
def docs():
    return Response(DOCS_PAGE, mimetype="text/html")


@route("GET", "/docs/<filename>", summary="The files of the docs page", tag="documentation",
       public=True, answers={200: {"type": "string"}}, errors={404: ("not_found",)},
       content_type=("text/css", "text/javascript", "image/png"))
def docs_file(filename: str):
    if filename == "floorpulse-docs.js":
        return Response(DOCS_SCRIPT, mimetype="text/javascript")
    if filename not in SWAGGER_FILES:
        raise ApiError(404, "not_found", f"There is no docs file {filename}.")
    return send_from_directory(SWAGGER_DIR, filename, max_age=3600)


__all__ = ["document", "openapi_path", "Query"]
