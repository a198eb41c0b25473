"""Geometry for the document's SVG bar charts, so that templates only draw rectangles."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Optional

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 16, 56
SERIES_CLASSES = ("s0", "s1")


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above ``value``."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10 ** exp
        if top >= value * (1 - 1e-12):
            return float(top)
    return float(10 ** (exp + 1))  # pragma: no cover


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Optional[float]]]],
              formatter: Callable[[float], str], title: str,
              tick_formatter: Optional[Callable[[float], str]] = None) -> dict:
    tick_formatter = tick_formatter or formatter
    values = [v for _, vals in series for v in vals if v is not None]
    top = nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.7 / max(len(series), 1)
    bars = []
    groups = []
    for gi, label in enumerate(labels):
        x0 = LEFT + gi * group_w + group_w * 0.15
        groups.append({"label": label, "x": round(LEFT + (gi + 0.5) * group_w, 1), "y": HEIGHT - BOTTOM + 18})
        for si, (name, vals) in enumerate(series):
            v = vals[gi]
            if v is None:
                continue
            h = plot_h * v / top
            bars.append({"x": round(x0 + si * bar_w, 1), "y": round(TOP + plot_h - h, 1), "width": round(bar_w, 1),
                         "height": round(h, 1), "cls": SERIES_CLASSES[si % 2],
                         "tip": f"{name}, {label}: {formatter(v)}"})
    ticks = [{"y": round(TOP + plot_h - plot_h * i / 4, 1), "label": tick_formatter(top * i / 4)} for i in range(5)]
    legend = [{"name": name, "cls": SERIES_CLASSES[i % 2], "x": LEFT + i * 180, "y": HEIGHT - 14}
              for i, (name, _) in enumerate(series)]
    return {"width": WIDTH, "height": HEIGHT, "title": title, "bars": bars, "groups": groups, "ticks": ticks,
            "legend": legend, "left": LEFT, "right": WIDTH - RIGHT, "baseline": TOP + plot_h}
