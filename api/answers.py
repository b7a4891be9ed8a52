"""Answer models for the document, built from the very column lists the endpoints serialize.

An endpoint names its row and total columns once (PRODUCTION_COLUMNS, ORDER_FIELDS, ...); the
models here are made from those lists, so the document's answer cannot drift from what is sent.
A column's JSON type comes from its name: the same words mean the same thing everywhere (SPEC
section 7: numbers unrounded, nulls stay null, dates YYYY-MM-DD, times ISO 8601 plant-local).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Iterable

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

LocalTime = Annotated[str, WithJsonSchema(
    {"type": "string", "description": "ISO 8601 timestamp in plant-local time"})]

# Every column that is not a plain number (which may be null: a ratio with no denominator).
FIELD_TYPES: dict[str, Any] = {
    **{name: str for name in (
        "line_code", "shift_code", "style_code", "reason", "operation", "category",
        "machine_code", "emp_code", "station_code", "department", "name", "status", "day_type",
        "wo_number", "rate_basis")},
    **{name: date for name in ("date", "due_date", "planned_start", "projected_completion")},
    **{name: LocalTime for name in ("in_time", "out_time", "released_at", "started_at",
                                    "completed_at", "at")},
    "hour": int,
    **{name: bool for name in ("at_risk", "late")},
}


def _type(name: str, overrides: dict[str, Any]) -> Any:
    return overrides.get(name) or FIELD_TYPES.get(name) or float


def _number(name: str, overrides: dict[str, Any]) -> Any:
    return float


def record(name: str, columns: Iterable[str], *, optional: Iterable[str] = (),
           types: dict[str, Any] | None = None, doc: str = "", numbers: bool = False,
           ) -> type[BaseModel]:
    """A model with one nullable field per column; `optional` columns may be absent;
    `numbers`: every column is a number (a total counts what rows flag)."""
    types, optional = types or {}, set(optional)
    fields = {}
    for col in dict.fromkeys(columns):
        kind = (_number if numbers else _type)(col, types) | None
        fields[col] = (kind, Field(None if col in optional else ...))
    return create_model(name, __config__=ConfigDict(extra="allow"), __doc__=doc or None,
                        **fields)


def rows_answer(name: str, *, keys: Iterable[str] = (), columns: Iterable[str],
                total: Iterable[str] | None = None, extra: Iterable[str] = (),
                types: dict[str, Any] | None = None, more: dict[str, Any] | None = None,
                ) -> type[BaseModel]:
    """`{"rows": [...], "total": {...}}`: each row carries the group keys chosen (`keys`, each
    present only when grouped by it), the `columns`, and the `extra` columns some groupings add;
    `more` adds top-level fields (name -> type)."""
    keys, extra = list(keys), list(extra)
    row = record(f"{name}Row", keys + list(columns) + extra, optional=keys + extra, types=types,
                 doc=f"One group of {name.lower()} figures.")
    totals = record(f"{name}Total", list(total if total is not None else columns), numbers=True,
                    doc="The same figures over the whole selection (ratios of sums).")
    fields = {"rows": (list[row], ...), "total": (totals, ...)}
    fields.update({k: (v, ...) for k, v in (more or {}).items()})
    return create_model(name, **fields)


class Ingested(BaseModel):
    """What an ingestion call did: valid items are stored even when others fail."""
    accepted: int = Field(description="Rows written: new, or changed from the stored row.")
    duplicates: int = Field(description="Items identical to a stored row or to another item.")
    rejected: list[Rejected]
    updated: int | None = Field(None, description="Of the accepted rows, those that replaced a "
                                "stored row with the same natural key (the data endpoints).")


class Rejected(BaseModel):
    index: int = Field(description="The item's place in the batch, from 0.")
    reason: str


Ingested.model_rebuild()


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class Error(BaseModel):
    """Every error the API answers: `{"error": {"code", "message", "details"}}`."""
    error: ErrorDetail
