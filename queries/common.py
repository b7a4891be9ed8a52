"""Shared WHERE-clause building: every user value reaches SQL as a bind parameter."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, false, select

from data import schema
from core.filters import Filters, scoped_lines


def where_filters(stmt: Select, table, filters: Filters, scope=None, *, date_col: str = "date",
                  use_shift: bool = True, use_style: bool = True) -> Select:
    """Restrict `stmt` to the filter window, lines (within scope), shifts and styles."""
    c = table.c
    stmt = stmt.where(c[date_col].between(filters.start, filters.end))
    return where_scope(stmt, table, filters, scope, use_shift=use_shift, use_style=use_style)


def where_scope(stmt: Select, table, filters: Filters | None, scope=None, *, use_shift=True,
                use_style=True) -> Select:
    c = table.c
    lines = scoped_lines(filters.lines if filters else (), scope)
    if lines is not None:
        stmt = stmt.where(c.line_code.in_(lines)) if lines else stmt.where(false())
    if filters is not None and use_shift and filters.shifts and "shift_code" in c:
        stmt = stmt.where(c.shift_code.in_(filters.shifts))
    if filters is not None and use_style and filters.styles and "style_code" in c:
        stmt = stmt.where(c.style_code.in_(filters.styles))
    return stmt


def frame(conn, stmt, columns: list[str] | None = None) -> pd.DataFrame:
    """Run a (small, aggregated) statement into a DataFrame.

    The driver's rows are read straight from its cursor and typed column by column with the
    processors SQLAlchemy would apply (a Decimal sum made float, a SQLite date made a date):
    building a Row per row and then a tuple of it was a third of a year view's read time."""
    result = conn.execute(stmt)
    names = columns or list(result.keys())
    processors = getattr(result._metadata, "_processors", None)
    cursor = getattr(result, "cursor", None)
    if (processors is None or cursor is None or len(processors) != len(names)
            or len(set(names)) != len(names)):
        # plain tuples: pandas probes Row objects attribute by attribute, ~5x slower
        return pd.DataFrame.from_records([tuple(row) for row in result.fetchall()],
                                         columns=names)
    rows = cursor.fetchall()
    result.close()
    if not rows:
        return pd.DataFrame(columns=names)
    values = list(zip(*rows))
    return pd.DataFrame({name: (list(map(proc, column)) if proc is not None else list(column))
                         for name, proc, column in zip(names, processors, values)},
                        columns=names)


def shifts(conn) -> pd.DataFrame:
    """The shifts table (small): windows, grace minutes, breaks."""
    return frame(conn, select(schema.shifts).order_by(schema.shifts.c.shift_code))


def master_lists(conn) -> dict[str, pd.DataFrame]:
    """Lines, shifts and styles: small tables the filter bar and metrics need."""
    return {
        "lines": frame(conn, select(schema.lines).order_by(schema.lines.c.line_code)),
        "shifts": shifts(conn),
        "styles": frame(conn, select(schema.styles).order_by(schema.styles.c.style_code)),
    }
