"""Numbers for people: money with the plan's currency, counts rounded up, rates, shares."""

from __future__ import annotations

import math
from typing import Optional

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def money(x: Optional[float], currency: str = "USD") -> str:
    if x is None:
        return "–"
    sym = _SYMBOLS.get(currency)
    sign = "-" if x < 0 else ""
    amount = f"{round(abs(x)):,}"
    return f"{sign}{sym}{amount}" if sym else f"{sign}{currency} {amount}"


def count(x: Optional[float]) -> str:
    """A count of leads, deals, sellers...: rounded up, with thousands separators."""
    if x is None:
        return "–"
    return f"{math.ceil(round(x, 6)):,}"


def rate(x: Optional[float]) -> str:
    """An assumption such as 0.30 (two decimals unless more are needed)."""
    if x is None:
        return "–"
    return f"{x:.2f}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.3g}"


def pct(x: Optional[float], digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x * 100:.{digits}f}%"


def number(x: Optional[float]) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def rel_diff(a: float, b: float) -> float:
    """abs(a - b) / max(a, b): how rules.md measures whether two numbers match."""
    top = max(abs(a), abs(b))
    return 0.0 if top == 0 else abs(a - b) / top
