"""Filters: the URL state of every page."""
from datetime import date

import pytest

from core.filters import FilterError, Filters, scoped_lines

TODAY = date(2026, 3, 10)


def test_defaults_are_the_last_seven_complete_days():
    f = Filters.from_query({}, TODAY)
    assert (f.start, f.end) == (date(2026, 3, 3), date(2026, 3, 9))
    assert Filters.from_query({"start": "2026-03-08"}, TODAY).end == TODAY


def test_round_trip_through_the_query_string():
    q = "?start=2026-01-01&end=2026-01-31&line=L02&line=L01&shift=A&style=ST1"
    f = Filters.from_query(q, TODAY)
    assert f.lines == ("L01", "L02") and f.shifts == ("A",) and f.styles == ("ST1",)
    assert Filters.from_query(f.to_query(), TODAY) == f


def test_comma_separated_values_are_accepted():
    assert Filters.from_query({"line": "L01,L02"}, TODAY).lines == ("L01", "L02")


@pytest.mark.parametrize("query, message", [
    ({"start": "2026-03-05", "end": "2026-03-01"}, "before the start date"),
    ({"start": "05/03/2026"}, "start must be a date"),
    ({"start": "2020-01-01", "end": "2026-01-01"}, "at most"),
])
def test_bad_filters_raise_a_clear_message(query, message):
    with pytest.raises(FilterError, match=message):
        Filters.from_query(query, TODAY)


def test_previous_period_has_equal_length():
    f = Filters(start=date(2026, 3, 1), end=date(2026, 3, 7))
    assert f.previous() == Filters(start=date(2026, 2, 22), end=date(2026, 2, 28))


def test_scoped_lines():
    assert scoped_lines((), None) is None
    assert scoped_lines(("L01",), None) == ("L01",)
    assert scoped_lines((), ("L02", "L01")) == ("L01", "L02")
    assert scoped_lines(("L01", "L03"), ("L01", "L02")) == ("L01",)
    assert scoped_lines(("L03",), ("L01",)) == ()
