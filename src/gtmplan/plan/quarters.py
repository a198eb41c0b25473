"""Fiscal quarters: ``2027Q3`` and the arithmetic the rest of gtmplan shares.

A quarter is written ``YYYYQn`` and is a *fiscal* quarter. A :class:`Quarter` value
is just (year, n): the label as written, with its arithmetic (``q + 1``, ``q - p``).
Turning a label into dates, and a date into a label, needs the plan's
:class:`FiscalCalendar` (``plan.calendar``), the one place that knows
``fiscal_year_start_month`` and ``fiscal_year_named_by``:

- named by ``start`` (the default): fiscal year N starts on the first day of the
  start month in calendar year N;
- named by ``end``: fiscal year N is the one that *ends* in calendar year N, so with
  start month 2, ``2027Q1`` is February to April 2026.

Q1 is the fiscal year's first three months. With start month 1 both namings are the
calendar year and fiscal quarters are calendar quarters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, overload

_QUARTER_RE = re.compile(r"([0-9]{4})Q([1-4])")
QUARTER_PATTERN = r"^[0-9]{4}Q[1-4]$"


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


@dataclass(frozen=True, slots=True)
class FiscalCalendar:
    """When fiscal years start (``start_month``, 1-12) and which calendar year names them."""

    start_month: int = 1
    named_by: Literal["start", "end"] = "start"

    def __post_init__(self) -> None:
        if not (isinstance(self.start_month, int) and 1 <= self.start_month <= 12):
            raise ValueError(f"fiscal year start month {self.start_month!r} is not a month (1-12)")
        if self.named_by not in ("start", "end"):
            raise ValueError(f"fiscal years are named by their 'start' or 'end' year, not {self.named_by!r}")

    @property
    def shift(self) -> int:
        """Calendar year in which fiscal year N starts, minus N (-1 when named by the year it ends)."""
        return -1 if self.named_by == "end" and self.start_month != 1 else 0

    @property
    def is_calendar(self) -> bool:
        return self.start_month == 1

    def describe(self) -> str:
        """The calendar in words, for documents ('' for calendar quarters)."""
        if self.is_calendar:
            return ""
        naming = "the calendar year in which they end" if self.shift else "the calendar year in which they start"
        return (f"Fiscal years start in {MONTH_NAMES[self.start_month - 1]} and are named by {naming}; "
                "quarters are fiscal quarters.")


CALENDAR = FiscalCalendar()


def _calendar(cal: FiscalCalendar) -> FiscalCalendar:
    if not isinstance(cal, FiscalCalendar):
        # A bare start month would silently ignore fiscal_year_named_by: pass plan.calendar.
        raise TypeError(f"expected a FiscalCalendar (plan.calendar), got {cal!r}")
    return cal


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    n: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER_RE.fullmatch(text) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"{text!r} is not a quarter: write it as YYYYQn, e.g. 2027Q3")
        if m.group(1) == "0000":
            raise ValueError(f"{text!r} is not a quarter: there is no year 0000 (years start at 0001)")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date, cal: FiscalCalendar = CALENDAR) -> Quarter:
        """The fiscal quarter that contains ``day``."""
        cal = _calendar(cal)
        months_in = (day.month - cal.start_month) % 12
        year = day.year if day.month >= cal.start_month else day.year - 1
        return cls(year - cal.shift, months_in // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}Q{self.n}"  # 0999Q1: as parse() reads it

    def __repr__(self) -> str:
        return f"Quarter({self})"

    # -- arithmetic -----------------------------------------------------------
    def _index(self) -> int:
        return self.year * 4 + (self.n - 1)

    @classmethod
    def _from_index(cls, i: int) -> Quarter:
        return cls(i // 4, i % 4 + 1)

    def __add__(self, k: int) -> Quarter:
        if not isinstance(k, int):
            return NotImplemented
        return Quarter._from_index(self._index() + k)

    @overload
    def __sub__(self, other: Quarter) -> int: ...
    @overload
    def __sub__(self, other: int) -> Quarter: ...

    def __sub__(self, other: object) -> Quarter | int:  # Quarter - int -> Quarter; Quarter - Quarter -> int
        if isinstance(other, Quarter):
            return self._index() - other._index()
        if isinstance(other, int):
            return Quarter._from_index(self._index() - other)
        return NotImplemented

    def next(self) -> Quarter:
        return self + 1

    def previous(self) -> Quarter:
        return self - 1

    # -- calendar ---------------------------------------------------------------
    def months(self, cal: FiscalCalendar = CALENDAR) -> list[tuple[int, int]]:
        """The three calendar (year, month) pairs in this fiscal quarter."""
        cal = _calendar(cal)
        first = (self.year + cal.shift) * 12 + (cal.start_month - 1) + (self.n - 1) * 3
        return [((first + i) // 12, (first + i) % 12 + 1) for i in range(3)]

    def first_day(self, cal: FiscalCalendar = CALENDAR) -> dt.date:
        """Raises ValueError for a quarter outside the years 1-9999 (what dates can hold)."""
        y, m = self.months(cal)[0]
        return dt.date(y, m, 1)

    def last_day(self, cal: FiscalCalendar = CALENDAR) -> dt.date:
        y, m = self.months(cal)[2]  # not first_day of the next quarter: 9999Q4 ends on 9999-12-31
        return dt.date(y, m, calendar.monthrange(y, m)[1]) if 1 <= y <= 9999 else dt.date(y, m, 1)

    def in_calendar(self, cal: FiscalCalendar = CALENDAR) -> bool:
        """Whether every day of the quarter is a date (years 1 to 9999)."""
        months = self.months(cal)
        return 1 <= months[0][0] and months[2][0] <= 9999

    def contains(self, day: dt.date, cal: FiscalCalendar = CALENDAR) -> bool:
        return Quarter.of(day, cal) == self


def quarter_range(start: Quarter, end: Quarter) -> Iterator[Quarter]:
    """Quarters from ``start`` to ``end``, inclusive."""
    for i in range(end - start + 1):
        yield start + i


def month_index(year: int, month: int) -> int:
    """A month as one integer, so that month differences are subtractions."""
    return year * 12 + month - 1
