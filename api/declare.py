"""Declaring an API route once: its parameters, body, answers and error codes (SPEC section 14).

`route(...)` registers a view on the blueprint and records an `Operation`. The same pydantic
models then serve twice: a request's query string is parsed and validated by the route's `Query`
model before the view runs (the view receives the parsed model), and api/openapi.py turns every
recorded operation into the OpenAPI document. A parameter cannot be served one way and documented
another, and a route added with plain `@bp.get` is missing from the document, which a test
catches (tests/test_openapi.py).

A bad parameter answers 400 in the API's error format with the code its type raises
(`bad_filter`, `bad_group_by`, ...) or, for a plain type, the model's `error_code`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from flask import request
from pydantic import PlainValidator

from api.common import bp
from api.params import Body, Query

# Errors every signed-in route may answer, whatever it declares.
AUTH_ERRORS = {401: ("unauthorized",), 403: ("forbidden",)}


# --- operations -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    """One declared route: what api/openapi.py documents."""
    method: str
    rule: str  # the Flask rule under the blueprint, e.g. /v1/production
    endpoint: str
    summary: str
    description: str = ""
    tag: str = ""
    query: type[Query] | None = None
    body: Any = None  # a pydantic model or a JSON schema dict (documented; see route())
    body_required: bool = True
    answers: dict[int, Any] = field(default_factory=dict)  # status -> model / schema / None
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)  # status -> codes
    public: bool = False  # no sign-in (the gate's PUBLIC_PATHS)
    content_type: str | tuple[str, ...] = "application/json"  # of the 200 answer
    body_type: str = "application/json"  # of the request body (an upload: multipart/form-data)

    @property
    def path(self) -> str:
        return bp.url_prefix + self.rule


OPERATIONS: list[Operation] = []


def route(method: str, rule: str, *, summary: str, description: str = "", tag: str = "",
          query: type[Query] | None = None, body: Any = None, body_required: bool = True,
          answers: dict[int, Any] | None = None, errors: dict[int, tuple[str, ...]] | None = None,
          public: bool = False, content_type: str | tuple[str, ...] = "application/json",
          body_type: str = "application/json"):
    """Register `view` on the blueprint for `method rule` and declare it.

    `query`: the Query model parsed from the query string and passed to the view as its first
    argument. `body`: a `Body` model is parsed from the JSON body and passed as `body=`; a JSON
    schema (or any other pydantic model) is only documented, for ingestion routes, which judge
    each item themselves (a bad item is rejected with its index, the rest stored).
    `answers`: status -> pydantic model (or schema) of the answer; `errors`: status -> the error
    codes the route itself raises (401/403 are added unless public).
    """
    def register(view):
        errs = dict(errors or {})
        if not public:
            for status, codes in AUTH_ERRORS.items():
                errs[status] = tuple(dict.fromkeys(errs.get(status, ()) + codes))
        if query is not None:  # its types may raise their own codes
            errs[400] = tuple(dict.fromkeys(errs.get(400, ()) + _codes_of(query)))
        parse_body = isinstance(body, type) and issubclass(body, Body)
        if parse_body:
            errs[400] = tuple(dict.fromkeys(errs.get(400, ()) + ("bad_json", body.error_code)
                                            + _codes_of(body)))
        OPERATIONS.append(Operation(
            method=method.upper(), rule=rule, endpoint=f"{bp.name}.{view.__name__}",
            summary=summary, description=description or (view.__doc__ or "").strip(), tag=tag,
            query=query, body=body, body_required=body_required, answers=dict(answers or {}),
            errors=errs, public=public, content_type=content_type, body_type=body_type))

        @functools.wraps(view)
        def parsed(*args, **kwargs):
            if query is not None:
                args = (query.from_args(request.args), *args)
            if parse_body:
                kwargs["body"] = body.from_json(request.get_json(silent=True))
            return view(*args, **kwargs)

        bp.add_url_rule(rule, view.__name__, parsed, methods=[method.upper()])
        return view
    return register


def _codes_of(model: type[Query] | type[Body]) -> tuple[str, ...]:
    """The error codes a model's fields can raise: each parsing type's own, and the model's
    default for a plain type that fails to parse."""
    codes = []
    for info in model.model_fields.values():
        parsers = [m.func for m in info.metadata if isinstance(m, PlainValidator)]
        codes += [p.error_code for p in parsers if hasattr(p, "error_code")]
        if not parsers:
            codes.append(model.error_code)
    return tuple(dict.fromkeys(codes))
