"""Cell values of CRM exports: dates and amounts.

Dates are returned as ISO strings (``2027-07-14``): the review only needs to know
which quarter a date falls in and how many days lie between two dates, and ISO
strings compare like dates, so the hot loop never builds date objects. Accepted:
``2027-07-14``, ``2027-07-14 09:31``, ``2027-07-14T09:31:00Z`` (with offsets and
fractions), ``7/14/2027`` (optionally with a time), or any ``--date-format``.
Times of day are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Optional

_TIME_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?\s*")
_US_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_AMOUNT_RE = re.compile(r"\s*(?:[A-Z]{3}\s*|[$€£¥₹]\s*)?(-?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*")
_CACHE_LIMIT = 50_000  # distinct date parts kept; more would mean memory growing with rows


class BadValue(ValueError):
    """A cell that cannot be read; the row is reported and left out of every count."""


def date_parser(fmt: Optional[str] = None) -> Callable[[str], Optional[str]]:
    """A function: cell text -> ISO date string, None for an empty cell, BadValue otherwise."""
    cache: dict[str, str] = {}

    if fmt:
        def parse_custom(cell: str) -> Optional[str]:
            if not cell or cell.isspace():
                return None
            hit = cache.get(cell)
            if hit is not None:
                return hit
            try:
                iso = dt.datetime.strptime(cell.strip(), fmt).date().isoformat()
            except ValueError:
                raise BadValue(f"{cell!r} is not a date in the format {fmt}") from None
            if len(cache) < _CACHE_LIMIT:
                cache[cell] = iso
            return iso
        return parse_custom

    def date_part(text: str, cell: str) -> str:
        hit = cache.get(text)
        if hit is not None:
            return hit
        iso = None
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                iso = dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise BadValue(f"{cell!r} is not a date") from None
        else:
            m = _US_RE.fullmatch(text)
            if m:
                try:
                    iso = dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))).isoformat()
                except ValueError:
                    raise BadValue(f"{cell!r} is not a date") from None
        if iso is None:
            raise BadValue(f"{cell!r} is not a date (use YYYY-MM-DD or M/D/YYYY, or pass --date-format)")
        if len(cache) < _CACHE_LIMIT:
            cache[text] = iso
        return iso

    times: set[str] = set()  # time-of-day suffixes already validated (a few thousand at most)

    def parse(cell: str) -> Optional[str]:
        if not cell:
            return None
        hit = cache.get(cell)
        if hit is not None:
            return hit
        if len(cell) > 10 and cell[4] == "-" and cell[10] in "T ":  # ISO date-time: the date part decides
            time = cell[11:]
            if time not in times:
                if not _TIME_RE.fullmatch(time):
                    raise BadValue(f"{cell!r} is not a date")
                if len(times) < _CACHE_LIMIT:
                    times.add(time)
            return date_part(cell[:10], cell)
        text = cell.strip()
        if not text:
            return None
        if " " in text and "/" in text:  # 7/14/2027 9:31 AM
            day, _, time = text.partition(" ")
            if not _TIME_RE.fullmatch(time):
                raise BadValue(f"{cell!r} is not a date")
            return date_part(day, cell)
        return date_part(text, cell)

    return parse


def parse_amount(cell: str) -> Optional[float]:
    """``$12,500.00``, ``USD 12500``, ``1,200`` -> float; empty -> None; else BadValue."""
    if not cell or cell.isspace():
        return None
    m = _AMOUNT_RE.fullmatch(cell)
    if not m:
        raise BadValue(f"{cell!r} is not an amount")
    value = float(m.group(2).replace(",", ""))
    return -value if m.group(1) else value


def days_between(start_iso: str, end_iso: str) -> int:
    return (dt.date.fromisoformat(end_iso) - dt.date.fromisoformat(start_iso)).days
