"""Small statistics shared by ``review``, the E rules and ``calibrate``.

A rate measured on ``n`` rows is shown with its 95% Wilson score interval
(docs/reference/rules.md, E701), never alone: 2 wins out of 3 closed deals says little.
"""

from __future__ import annotations

import math

Z95 = 1.96
"""z for a two-sided 95% interval, as docs/reference/rules.md fixes it."""


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (docs/reference/rules.md):

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``, ``p = k/n``.

    >>> [round(x, 4) for x in wilson(18, 100)]
    [0.117, 0.2667]
    """
    if n <= 0:
        raise ValueError("a rate needs at least one trial")
    if not 0 <= k <= n:
        raise ValueError(f"{k} successes out of {n} trials")
    p = k / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denom = 1 + z2 / n
    return max(0.0, (centre - spread) / denom), min(1.0, (centre + spread) / denom)


def fits(value: float | None, interval: tuple[float, float] | None) -> bool | None:
    """Whether a stated value lies inside the interval (None when either is unknown)."""
    if value is None or interval is None:
        return None
    low, high = interval
    return low <= value <= high


def plan_value(actual: float, low: float, high: float) -> float:
    """A measured rate as a plan would write it: rounded to 2 decimals, or 3 or 4 when
    the rounder value would leave its interval (``review`` suggests and ``calibrate``
    proposes the same number)."""
    for digits in (2, 3, 4):
        r = round(actual, digits)
        if low <= r <= high:
            return r
    return actual
