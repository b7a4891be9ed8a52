"""Query-string parameters as pydantic models: parsed, validated and documented by one type.

A route's `Query` model says which parameters it takes; `Query.from_args` parses a request's query
string with it (a bad value is 400 in the API's error format, with the code its type raises:
`bad_filter`, `bad_group_by`, ...), and api/openapi.py documents the same fields.
"""
from __future__ import annotations

import re
import typing
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, create_model
from pydantic import ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from core.errors import ApiError
from core.filters import FilterError, as_list, parse_date
from ingest.csv_rules import NUL


def param_error(code: str, message: str, details: dict | None = None) -> PydanticCustomError:
    """A parameter error that keeps its API code and message through pydantic."""
    return PydanticCustomError(code, "{message}", {"message": message, "details": details or {}})


# --- parameter types ------------------------------------------------------------------------------

def _iso_date(value, info: ValidationInfo) -> date:
    if isinstance(value, date):
        return value
    try:
        return parse_date(value, info.field_name or "date")
    except FilterError as err:
        raise param_error("bad_filter", str(err)) from None


_iso_date.error_code = "bad_filter"  # what the document lists for the parameter
IsoDate = Annotated[date, PlainValidator(_iso_date),
                    WithJsonSchema({"type": "string", "format": "date"})]
"""A day, YYYY-MM-DD, between 1970-01-01 and 2200-12-31 (else 400 bad_filter)."""

Codes = Annotated[tuple[str, ...], PlainValidator(lambda v: tuple(as_list(v))),
                  WithJsonSchema({"type": "array", "items": {"type": "string"}})]
"""Codes, repeatable (`line=L01&line=L02`) or comma-separated (`line=L01,L02`)."""

TRUE = ("1", "true", "yes")
Flag = Annotated[bool, PlainValidator(lambda v: v if isinstance(v, bool)
                                      else str(v).strip().lower() in TRUE),
                 WithJsonSchema({"type": "boolean"})]
"""On for 1, true or yes (any case); anything else is off."""


def group_keys(aliases: dict[str, str], value) -> tuple[str, ...]:
    """group_by values (repeatable, comma-combinable) mapped through `aliases` {alias: column};
    a column name is taken as itself. An unknown name raises bad_group_by."""
    keys: list[str] = []
    for part in as_list(value):
        key = aliases.get(part) or (part if part in aliases.values() else None)
        if key is None:
            raise param_error("bad_group_by", f"group_by '{part}' is not one of "
                              f"{', '.join(aliases)}.", {"allowed": list(aliases)})
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def GroupBy(aliases: dict[str, str]):  # noqa: N802 - reads as a type in a model
    """group_by parsed to the tuple of columns (empty when only blanks were sent)."""
    def parse(value) -> tuple[str, ...]:
        return group_keys(aliases, value)
    parse.error_code = "bad_group_by"
    names = "|".join(re.escape(a) for a in aliases)
    return Annotated[tuple[str, ...], PlainValidator(parse), WithJsonSchema({
        "type": "array",
        "items": {"type": "string", "pattern": f"^({names})(,({names}))*$"}})]


def OneOf(choices: tuple[str, ...], code: str, name: str):  # noqa: N802
    """Repeatable, comma-separated values from `choices` (any case), upper-cased; else 400
    `code`."""
    def parse(value) -> tuple[str, ...]:
        wanted = [v.upper() for v in as_list(value)]
        unknown = [v for v in wanted if v not in choices]
        if unknown:
            raise param_error(code, f"{name} '{unknown[0]}' is not one of {', '.join(choices)}.",
                              {"allowed": list(choices)})
        return tuple(sorted(wanted))
    parse.error_code = code
    return Annotated[tuple[str, ...], PlainValidator(parse), WithJsonSchema(
        {"type": "array", "items": {"type": "string", "enum": list(choices)}})]


class Query(BaseModel):
    """A route's query string. Unknown parameters are ignored, a blank value counts as absent."""
    model_config = ConfigDict(extra="ignore", frozen=True)
    error_code: ClassVar[str] = "bad_parameter"

    @classmethod
    def repeatable(cls, name: str) -> bool:
        kind = cls.model_fields[name].annotation
        while typing.get_origin(kind) is Annotated:
            kind = typing.get_args(kind)[0]
        return typing.get_origin(kind) in (tuple, list)

    @classmethod
    def from_args(cls, args) -> "Query":
        data: dict[str, Any] = {}
        for name in cls.model_fields:
            if any(NUL in value for value in args.getlist(name)):
                # no code, date or name holds one, and PostgreSQL refuses it in a bind parameter
                raise ApiError(400, cls.error_code, f"{name} contains a NUL character.",
                               {"errors": [{"parameter": name,
                                            "reason": "contains a NUL character"}]})
            if cls.repeatable(name):
                if name in args:
                    data[name] = args.getlist(name)
            elif args.get(name, "") != "":
                data[name] = args.get(name)
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise as_api_error(err, cls.error_code) from None


class Body(BaseModel):
    """A route's JSON body, parsed whole before the view runs. (Ingestion routes reject item by
    item and store the rest, so they document their body instead: see api/bodies.py.)"""
    error_code: ClassVar[str] = "bad_body"

    @classmethod
    def from_json(cls, data) -> "Body":
        if data is None:
            raise ApiError(400, "bad_json", "The body is not JSON: send a JSON object.")
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise as_api_error(err, cls.error_code, "field") from None


def as_api_error(err: ValidationError, default_code: str, what: str = "parameter") -> ApiError:
    """The first problem as the API's error; every problem listed in details.errors."""
    problems = err.errors(include_url=False)
    found = [{what: ".".join(str(p) for p in e["loc"]) or None,
              "reason": (e.get("ctx") or {}).get("message") or e["msg"]} for e in problems]
    first, ctx = problems[0], problems[0].get("ctx") or {}
    if "message" in ctx:  # one of ours: its own code, message and details
        return ApiError(400, first["type"], ctx["message"],
                        {**ctx.get("details", {}), "errors": found})
    where = found[0][what]
    return ApiError(400, default_code, f"{where}: {found[0]['reason']}" if where
                    else found[0]["reason"], {"errors": found})



class Window(Query):
    """The filter bar's parameters: a date window and the lines, shifts and styles in it."""
    error_code: ClassVar[str] = "bad_filter"
    start: IsoDate = Field(None, description="First day; default: 7 days before end, or the "
                           "last 7 complete days when end is absent too.")
    end: IsoDate = Field(None, description="Last day; default: today when start is given.")
    line: Codes = Field((), description="Line codes (repeatable or comma-separated).")
    shift: Codes = Field((), description="Shift codes.")
    style: Codes = Field((), description="Style codes.")


def grouped(name: str, aliases: dict[str, str], default: str = "line",
            base: type[Query] = Window) -> type[Query]:
    """`base` plus group_by over `aliases`, for the usual metric endpoint."""
    return create_model(name, __base__=base, group_by=(GroupBy(aliases), Field(
        None, description=f"Group rows by {', '.join(aliases)} (default {default}); "
                          "repeatable or comma-combined.")))
