"""Filters: the one frozen description of a view (dates, lines, shifts, styles).

It is also the URL state (`?start=2026-01-01&end=2026-01-31&line=L01&line=L02&shift=A`) and, with
the data version, the cache key.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Iterable, Mapping
from urllib.parse import parse_qs, urlencode

MAX_DAYS = 3 * 366
MIN_DATE, MAX_DATE = date(1970, 1, 1), date(2200, 12, 31)
DEFAULT_DAYS = 7


class FilterError(ValueError):
    """A filter a user gave us that we cannot honour; the message is shown to them as is."""


def as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    out = []
    for v in value:
        for part in str(v).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def parse_date(value, name: str) -> date:
    try:
        parsed = date.fromisoformat(str(value).strip())
    except ValueError:
        raise FilterError(f"{name} must be a date like 2026-01-31, not '{value}'") from None
    if not MIN_DATE <= parsed <= MAX_DATE:
        raise FilterError(f"{name} must lie between {MIN_DATE} and {MAX_DATE}, not {parsed}.")
    return parsed


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    lines: tuple[str, ...] = field(default=())
    shifts: tuple[str, ...] = field(default=())
    styles: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if self.end < self.start:
            raise FilterError(
                f"The end date {self.end.isoformat()} is before the start date "
                f"{self.start.isoformat()}."
            )
        if self.days > MAX_DAYS:
            raise FilterError(f"A date range may span at most {MAX_DAYS} days.")
        # sorted tuples: the same selection always gives the same cache key
        for name in ("lines", "shifts", "styles"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Filters":
        """The period of equal length just before this one, same lines/shifts/styles."""
        return replace(self, start=self.start - timedelta(days=self.days),
                       end=self.start - timedelta(days=1))

    def with_lines(self, lines: Iterable[str]) -> "Filters":
        return replace(self, lines=tuple(lines))

    @classmethod
    def default(cls, today: date, days: int = DEFAULT_DAYS) -> "Filters":
        """The last `days` complete days (ending yesterday): a day still running counts its
        whole plan as target but only the output so far, which would read as a bad week."""
        return cls(start=today - timedelta(days=days), end=today - timedelta(days=1))

    @classmethod
    def from_query(cls, query: Mapping | str | None, today: date) -> "Filters":
        """Parse URL query parameters; missing ones take defaults, bad ones raise FilterError."""
        if isinstance(query, str):
            query = parse_qs(query.lstrip("?"), keep_blank_values=False)
        query = query or {}

        def get(name):
            v = query.get(name)
            if isinstance(v, (list, tuple)):
                v = v[-1] if v else None
            return v if v not in (None, "") else None

        default = cls.default(today)
        end = parse_date(get("end"), "end") if get("end") else None
        start = parse_date(get("start"), "start") if get("start") else None
        if start is None and end is None:
            start, end = default.start, default.end
        elif start is None:
            start = max(end - timedelta(days=DEFAULT_DAYS - 1), MIN_DATE)
        elif end is None:
            end = max(start, today)
        return cls(start=start, end=end, lines=tuple(as_list(query.get("line"))),
                   shifts=tuple(as_list(query.get("shift"))),
                   styles=tuple(as_list(query.get("style"))))

    def to_query(self) -> str:
        pairs = [("start", self.start.isoformat()), ("end", self.end.isoformat())]
        pairs += [("line", v) for v in self.lines]
        pairs += [("shift", v) for v in self.shifts]
        pairs += [("style", v) for v in self.styles]
        return "?" + urlencode(pairs)

    def cache_key(self) -> tuple:
        return (self.start.isoformat(), self.end.isoformat(), self.lines, self.shifts, self.styles)


def scoped_lines(requested: tuple[str, ...], scope: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Lines a query may read: the request within the user's scope.

    None means no restriction. An empty tuple means nothing may be read.
    """
    if scope is None:
        return requested or None
    if not requested:
        return tuple(sorted(scope))
    return tuple(sorted(set(requested) & set(scope)))
