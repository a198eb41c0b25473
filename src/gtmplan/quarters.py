"""Fiscal quarters: ``2027Q3`` and the arithmetic the rest of gtmplan shares.

A quarter is written ``YYYYQn`` and is a *fiscal* quarter. Fiscal year N starts on
the first day of ``fiscal_year_start_month`` in calendar year N; Q1 is its first
three months. With the default start month (1), fiscal quarters are calendar
quarters. A :class:`Quarter` value is just (year, n); the start month is passed to
the methods that turn it into dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator

_QUARTER_RE = re.compile(r"([0-9]{4})Q([1-4])")
QUARTER_PATTERN = r"^[0-9]{4}Q[1-4]$"


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
    def of(cls, day: dt.date, fy_start: int = 1) -> Quarter:
        """The fiscal quarter that contains ``day``."""
        months_in = (day.month - fy_start) % 12
        year = day.year if day.month >= fy_start else day.year - 1
        return cls(year, months_in // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.n}"

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

    def __sub__(self, other):  # Quarter - int -> Quarter; Quarter - Quarter -> int
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
    def months(self, fy_start: int = 1) -> list[tuple[int, int]]:
        """The three calendar (year, month) pairs in this fiscal quarter."""
        first = self.year * 12 + (fy_start - 1) + (self.n - 1) * 3
        return [((first + i) // 12, (first + i) % 12 + 1) for i in range(3)]

    def first_day(self, fy_start: int = 1) -> dt.date:
        """Raises ValueError for a quarter outside the years 1-9999 (what dates can hold)."""
        y, m = self.months(fy_start)[0]
        return dt.date(y, m, 1)

    def last_day(self, fy_start: int = 1) -> dt.date:
        y, m = self.months(fy_start)[2]  # not first_day of the next quarter: 9999Q4 ends on 9999-12-31
        return dt.date(y, m, calendar.monthrange(y, m)[1]) if 1 <= y <= 9999 else dt.date(y, m, 1)

    def in_calendar(self, fy_start: int = 1) -> bool:
        """Whether every day of the quarter is a date (years 1 to 9999)."""
        return 1 <= self.months(fy_start)[0][0] and self.months(fy_start)[2][0] <= 9999

    def contains(self, day: dt.date, fy_start: int = 1) -> bool:
        return Quarter.of(day, fy_start) == self


def quarter_range(start: Quarter, end: Quarter) -> Iterator[Quarter]:
    """Quarters from ``start`` to ``end``, inclusive."""
    for i in range(end - start + 1):
        yield start + i


def month_index(year: int, month: int) -> int:
    """A month as one integer, so that month differences are subtractions."""
    return year * 12 + month - 1
