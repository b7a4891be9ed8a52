"""The line_day rollup (schema.line_day): production stages, end-of-line checks and defects per
day, line, shift and style, built from the fact tables in one INSERT ... SELECT. Reads by any of
those keys use it once it is kept (`kept`); groupings by hour, reason or operation read the facts.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, case, cast, delete, func, insert, literal, null, select, union_all

from data import db, schema

LD = schema.line_day
KEYS = ("date", "line_code", "shift_code", "style_code")
KEPT_KEY = "line_day_built"
P, QC, DF = schema.production, schema.qc_checks, schema.defects


def kept(conn) -> bool:
    """True once line_day has been built; a database without it reads the facts."""
    return db.get_meta(conn, KEPT_KEY) is not None


def rebuild(conn, first: date | None = None, last: date | None = None) -> None:
    """Write line_day for first..last (every day when not given) and mark it kept."""
    def window(table):
        return [table.c.date.between(first, last)] if first is not None else []

    def stage(name):
        return case((P.c.stage == name, P.c.qty))

    none = cast(null(), Integer)  # typed: PostgreSQL reads a bare NULL in a UNION as text
    measures = [c for c in LD.columns.keys() if c not in KEYS]

    def part(table, where, **values):
        """One fact table's rows as (keys, every measure), NULL for the measures it lacks;
        every column labelled, so the union's columns line up by name and position."""
        cols = [table.c[k].label(k) for k in KEYS]
        cols += [values.get(m, none).label(m) for m in measures]
        return select(*cols).where(*where)

    rows = union_all(
        part(P, window(P), prod_rows=literal(1), loading=stage("loading"),
             output=stage("output"), packing=stage("packing")),
        part(QC, window(QC), checked=QC.c.checked_qty, defective=QC.c.defective_qty),
        part(DF, window(DF), defects=DF.c.qty,
             repaired=case((DF.c.repaired_ts.is_not(None), DF.c.qty), else_=0)),
    ).subquery("f")
    keys = [rows.c[k] for k in KEYS]
    grouped = select(*keys, *[func.sum(rows.c[m]) for m in measures]).group_by(*keys)
    conn.execute(delete(LD).where(*window(LD)))
    conn.execute(insert(LD).from_select(list(KEYS) + measures, grouped))
    db.set_meta(conn, KEPT_KEY, "1")


def forget(conn) -> None:
    """Stop reading line_day (until the next rebuild)."""
    db.delete_meta(conn, KEPT_KEY)


def usable(conn, keys) -> bool:
    """Whether a grouping by `keys` can read line_day."""
    return set(keys) <= set(KEYS) and kept(conn)
