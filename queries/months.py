"""The month rollups (schema.attendance_month, defect_month, operator_month; written by
ingest/rollups.py): a window reads its whole months there and its partial months at either edge
from the facts, in one statement (a UNION ALL of the two parts).

Every write of the facts keeps them (migration 0011 built them for older databases), so reads
use them without asking, as they do line_day.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import Date, Integer, cast, extract, false, func, literal, or_

from core.filters import Filters


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def starts(first: date, last: date) -> list[date]:
    """The first day of every month from first's to last's."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = month_end(m) + timedelta(days=1)
    return out


def split(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """(first and last month start of the whole months in start..end, or None when there is
    none; the day ranges left over at the edges, from the facts)."""
    first = start if start.day == 1 else month_end(start) + timedelta(days=1)
    last = end if end == month_end(end) else month_start(end) - timedelta(days=1)
    if first > last:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if last < end:
        edges.append((last + timedelta(days=1), end))
    return (first, month_start(last)), edges


def cover(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]],
                                         list[tuple[date, date]]]:
    """For sums a rollup row can be taken away from (attendance: it counts its records): (the
    months to read from the rollup, first and last start, or None; day ranges to add from the
    facts; day ranges to subtract). A partial month at an edge is read whole and its days
    outside the window subtracted when those are fewer than the days inside (a 30-day window
    ending on the 31st reads its month and takes one day away)."""
    rolled, add, sub = [], [], []
    m = month_start(start)
    while m <= end:
        last = month_end(m)
        a, b = max(m, start), min(last, end)
        inside, size = (b - a).days + 1, (last - m).days + 1
        if inside == size:
            rolled.append(m)
        elif size - inside < inside:
            rolled.append(m)
            sub += [r for r in ((m, a - timedelta(days=1)), (b + timedelta(days=1), last))
                    if r[0] <= r[1]]
        else:
            add.append((a, b))
        m = last + timedelta(days=1)
    return ((rolled[0], rolled[-1]) if rolled else None), add, sub


def month_of(dialect: str, column):
    """SQL: the first day of the month of a date column."""
    if dialect == "sqlite":
        return func.date(column, "start of month")
    return cast(func.date_trunc("month", column), Date)


def day_bit(column):
    """SQL: 1 << (day of month - 1) of a date column (a bit per day of its month)."""
    return literal(1, Integer).op("<<")(cast(extract("day", column), Integer) - 1)


def in_ranges(column, ranges: list[tuple[date, date]]):
    """SQL: the column lies in one of the day ranges (false for none)."""
    return or_(*[column.between(a, b) for a, b in ranges]) if ranges else false()


def whole_months(filters: Filters, months: tuple[date, date]) -> Filters:
    """The filters with the window moved to the month starts (for where_filters on `month`)."""
    return replace(filters, start=months[0], end=months[1])
