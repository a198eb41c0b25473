"""The presentation layer: numbers, dates, ranges and words for people.

Money with the plan's currency, counts rounded up, rates, shares, dates
("14 Jul 2027"), employee ranges, assumptions as the plan states them, plurals.
Every output (findings, the funnel table, documents, the review) takes them
from here, so a figure reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from typing import Any, Optional, Protocol, overload

# printable's home is errors.py, at the bottom: every layer prints user text
from gtmplan.errors import _BIDI, InputError, printable  # noqa: F401
from gtmplan.plan.quarters import MONTH_NAMES

# Deferred imports: fmt is imported on check's start-up path; json only by the function that escapes JSON text.

# In JSON text (where json.dumps already escapes C0 controls, quotes and backslashes):
# the rest, escaped as \uXXXX so that the document stays the same JSON.
_JSON_RAW_RE = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def json_text(doc: object, **kw: Any) -> str:
    """``json.dumps(doc, indent=2)`` and a line end, with non-ASCII text kept readable but no character
    that a terminal, an editor or a browser acts on left raw: C1 controls (a CSI is
    U+009B), DEL, U+2028/U+2029 and bidirectional controls are written \\uXXXX."""
    import json

    kw.setdefault("indent", 2)
    # Encoded piece by piece and joined every few thousand pieces: json.dumps with an indent
    # holds every token as a string of its own until the end (a diff of a plan at the
    # limits: over 500 MB of them for a 100 MB document).
    parts: list[str] = []
    pieces: list[str] = []
    for piece in json.JSONEncoder(ensure_ascii=False, **kw).iterencode(doc):
        pieces.append(piece)
        if len(pieces) >= 8192:
            parts.append(_JSON_RAW_RE.sub(_json_escape, "".join(pieces)))
            pieces.clear()
    parts.append(_JSON_RAW_RE.sub(_json_escape, "".join(pieces)))
    parts.append("\n")
    return "".join(parts)


def _json_escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


MAX_EPOCH = 253402300799
"""9999-12-31 23:59:59 UTC: the last second a date can hold."""


def source_date_epoch() -> Optional[dt.datetime]:
    """``SOURCE_DATE_EPOCH`` (reproducible files, as in reproducible builds) as a UTC time,
    None when unset or empty; anything but ASCII digits up to :data:`MAX_EPOCH` is refused,
    the same way by every command that reads it (render's DTSTAMP, review --record's date)."""

    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if not raw:
        return None
    if re.fullmatch("[0-9]+", raw) and len(raw) <= 12 and int(raw) <= MAX_EPOCH:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)

    shown = printable(raw if len(raw) <= 30 else raw[:20] + "...")
    raise InputError.single(None, f"SOURCE_DATE_EPOCH={shown!r} is not a number of seconds or is out of range: give "
                                  f"whole seconds since 1970-01-01 in digits only, up to {MAX_EPOCH} (9999-12-31)")


def money(x: Optional[float], currency: str = "USD") -> str:
    if x is None:
        return "–"
    sym = _SYMBOLS.get(currency)
    sign = "-" if x < 0 else ""
    amount = f"{round(abs(x)):,}"
    return f"{sign}{sym}{amount}" if sym else f"{sign}{currency} {amount}"


@overload
def ceil_count(x: float) -> int: ...
@overload
def ceil_count(x: None) -> None: ...
@overload
def ceil_count(x: Optional[float]) -> Optional[int]: ...
def ceil_count(x: Optional[float]) -> Optional[int]:
    """Counts shown to people are rounded up (with a guard against float noise)."""
    if x is None:
        return None
    return math.ceil(round(x, 6))


def count(x: Optional[float]) -> str:
    """A count of leads, deals, sellers...: rounded up, with thousands separators."""
    if x is None:
        return "–"
    return f"{ceil_count(x):,}"


def shown_gap(need: Optional[float], have: Optional[float]) -> Optional[int]:
    """How many ``have`` falls short of ``need``, as every output shows it: the difference
    of the two counts as shown (each rounded up), so that 727.3 needed and 699.2 planned
    read "728 needed, 700 planned, short by 28" everywhere (never 29); 0 when covered."""
    if have is None or need is None:
        return None
    return max(0, ceil_count(need) - ceil_count(have)) if have < need else 0


def shortfall(have: Optional[float], need: Optional[float]) -> tuple[str, bool]:
    """("short by 156", True), ("covered", False) or ("–", False) when either is unknown.
    The gap is :func:`shown_gap`."""
    gap = shown_gap(need, have)
    if gap is None:
        return "–", False
    if gap > 0:
        return f"short by {gap:,}", True
    return "covered", False


def rate(x: Optional[float]) -> str:
    """An assumption such as 0.30 (two decimals unless more are needed)."""
    if x is None:
        return "–"
    return f"{x:.2f}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.3g}"


def pct(x: Optional[float], digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x * 100:.{digits}f}%"


def share(x: Optional[float]) -> str:
    """A share as a percentage that never reads 100% below 1, nor 0% above 0 (0.999 -> 99.9%)."""
    if x is None:
        return "–"
    for digits in range(7):
        shown = pct(x, digits)
        if not (0 < x < 1 and float(shown[:-1]) in (0.0, 100.0)):
            return shown
    return pct(x, 6)


def pct_beyond(x: float, limit: float, above: bool = True) -> str:
    """x as a percentage with as many decimals as it takes to show which side of
    ``limit`` it is on: 10.3% (not 10%) for a value that fails a 10% tolerance."""
    for digits in range(0, 4):
        shown = round(x * 100, digits)
        if (shown > limit * 100) if above else (shown < limit * 100):
            return f"{x * 100:.{digits}f}%"
    return f"{x * 100:.0f}%"


def number(x: Optional[float]) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def compact(x: float, currency: Optional[str] = None) -> str:
    """A chart axis label: 750, 1.5k, 2M (with the currency symbol or code for money)."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            text = f"{x / div:.1f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"
    if currency is None:
        return text
    sym = _SYMBOLS.get(currency)
    return f"{sym}{text}" if sym else f"{currency} {text}"


def possessive(side: str) -> str:
    """sales -> sales', marketing -> marketing's."""
    return f"{side}'" if side.endswith("s") else f"{side}'s"


def plural(n: float, word: str, with_count: bool = True) -> str:
    """plural(2, "quarter") -> "2 quarters"; with_count=False -> "quarters". A
    fractional count is rounded up as ``count`` shows it: "1 lead", never "1 leads"."""
    shown = count(n)
    noun = word if shown == "1" else word + "s"
    return f"{shown} {noun}" if with_count else noun


def day(d: dt.date) -> str:
    """A date in documents: 14 Jul 2027."""

    return f"{d.day} {MONTH_NAMES[d.month - 1][:3]} {d.year}"


class _Range(Protocol):
    min: Optional[int]
    max: Optional[int]


def employees(rng: Optional[_Range], dash: str = "–", anything: str = "any") -> str:
    """An employee range: 50–1,000, 200+, up to 50; ``anything`` when it has no bounds.
    Messages on a terminal pass ``dash="-"``."""
    if rng is None or (rng.min is None and rng.max is None):
        return anything
    if rng.min is not None and rng.max is not None:
        return f"{rng.min:,}{dash}{rng.max:,}"
    return f"{rng.min:,}+" if rng.min is not None else f"up to {rng.max:,}"


MONEY_ASSUMPTIONS = frozenset(("average_deal_size", "cost_per_lead"))


def assumption(key: str, value: Optional[float], currency: str = "USD", percent: bool = False) -> str:
    """A funnel assumption as people read it: money, days, or a rate (0.30, or 30% with ``percent``)."""
    if value is None:
        return "not stated"
    if key in MONEY_ASSUMPTIONS:
        return money(value, currency)
    if key == "sales_cycle_days":
        return f"{value:g} days"
    return pct(value, 1 if (value * 1000) % 10 else 0) if percent else rate(value)


def rel_diff(a: float, b: float) -> float:
    """abs(a - b) / max(a, b): how docs/reference/rules.md measures whether two numbers match."""
    top = max(abs(a), abs(b))
    return 0.0 if top == 0 else abs(a - b) / top
