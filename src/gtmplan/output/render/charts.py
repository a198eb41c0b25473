"""Geometry for the document's SVG bar charts, so that templates only draw rectangles."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Optional

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 16, 56
SERIES_CLASSES = ("s0", "s1")


MAX_INTERVALS = 5  # an axis shows at most 5 steps above zero (6 grid lines)


def nice_ticks(value: float) -> list[float]:
    """The axis values from 0 to the first tick at or above ``value``, in round steps: the
    smallest step of 1, 2, 2.5 or 5 x 10^n that needs at most 5 steps and whose labels are
    exact, so the axis reads $0, $1M, $2M, $3M, $4M (never $1.2M, $2.5M, $3.8M: quarters of
    a round top, as 0.2 drew them)."""
    if value <= 0:
        return [0.0, 0.25, 0.5, 0.75, 1.0]  # an empty chart: the 0.2 axis from 0 to 1
    exp = math.floor(math.log10(value / MAX_INTERVALS))
    candidates = [mult * 10.0 ** k for k in (exp, exp + 1) for mult in (1, 2, 2.5, 5)]
    for exact in (True, False):  # exact labels if any step gives them (always, from 1 up)
        for step in candidates:
            n = math.ceil(value / step * (1 - 1e-12))  # a value a hair above a tick (float noise) is on it
            ticks = [_clean(step * i) for i in range(n + 1)]
            if n <= MAX_INTERVALS and (not exact or all(_one_decimal(t) for t in ticks)):
                return ticks
    raise AssertionError("unreachable: a step of 10^(exp+1) needs at most 5")  # pragma: no cover


def _one_decimal(x: float) -> bool:
    """Whether the axis label (fmt.compact: 750, 1.5k, 2M) shows ``x`` exactly: at most one
    decimal in its unit. 1,250,000 would read $1.2M: a 250k step that reaches it is skipped."""
    if abs(x) < 1000:
        return True  # below a thousand the label is the number itself
    unit = 1000.0 ** max(0, math.floor(math.log10(abs(x)) / 3))
    return abs(round(x / unit, 1) - x / unit) < 1e-9


def _clean(x: float) -> float:
    """2.5 x 3 x 10^-1 is 0.75 on the axis, not 0.7500000000000001."""
    return float(f"{x:.12g}")


def _axis(values: list[float]) -> tuple[float, list[float]]:
    """The axis top and its tick values for the largest of ``values``."""
    ticks = nice_ticks(max(values, default=0))
    return ticks[-1], ticks


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Optional[float]]]],
              formatter: Callable[[float], str], title: str,
              tick_formatter: Optional[Callable[[float], str]] = None) -> dict:
    tick_formatter = tick_formatter or formatter
    values = [v for _, vals in series for v in vals if v is not None]
    top, axis = _axis(values)
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
    ticks = [{"y": round(TOP + plot_h - plot_h * t / top, 1), "label": tick_formatter(t)} for t in axis]
    legend = [{"name": name, "cls": SERIES_CLASSES[i % 2], "x": LEFT + i * 180, "y": HEIGHT - 14}
              for i, (name, _) in enumerate(series)]
    return {"width": WIDTH, "height": HEIGHT, "title": title, "bars": bars, "groups": groups, "ticks": ticks,
            "legend": legend, "left": LEFT, "right": WIDTH - RIGHT, "baseline": TOP + plot_h}


def band_chart(labels: Sequence[str], targets: Sequence[float], bands: Sequence[Optional[tuple[float, float, float]]],
               formatter: Callable[[float], str], title: str,
               tick_formatter: Optional[Callable[[float], str]] = None) -> dict:
    """Per label, the 10–90% band (p10, median, p90) as a bar from p10 to p90 with the median
    across it, and the target as a mark across the group; a label without a band (None) has
    only its target."""
    tick_formatter = tick_formatter or formatter
    values = [*targets, *(b[2] for b in bands if b is not None)]
    top, axis = _axis(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    band_w = group_w * 0.36
    y = lambda v: round(TOP + plot_h - plot_h * v / top, 1)  # noqa: E731
    groups, items = [], []
    for gi, label in enumerate(labels):
        centre = LEFT + (gi + 0.5) * group_w
        groups.append({"label": label, "x": round(centre, 1), "y": HEIGHT - BOTTOM + 18})
        item = {"target_y": y(targets[gi]), "target_x1": round(centre - group_w * 0.34, 1),
                "target_x2": round(centre + group_w * 0.34, 1),
                "target_tip": f"Target, {label}: {formatter(targets[gi])}", "band": None}
        band = bands[gi]
        if band is not None:
            lo, med, hi = band
            item["band"] = {"x": round(centre - band_w / 2, 1), "width": round(band_w, 1), "y": y(hi),
                            "height": round(y(lo) - y(hi), 1), "median_y": y(med),
                            "x2": round(centre + band_w / 2, 1),
                            "tip": f"{label}: 10–90% {formatter(lo)}–{formatter(hi)}, median {formatter(med)}"}
        items.append(item)
    ticks = [{"y": round(TOP + plot_h - plot_h * t / top, 1), "label": tick_formatter(t)} for t in axis]
    legend = [{"name": name, "kind": kind, "x": x, "x2": x + 12, "text_x": x + 18, "y": HEIGHT - 14,
               "box_y": HEIGHT - 24, "line_y": HEIGHT - 18}
              for name, kind, x in (("10–90% of runs", "band", LEFT), ("Median", "median", LEFT + 180),
                                    ("Target", "target", LEFT + 300))]
    return {"tick_x": LEFT - 6, "width": WIDTH, "height": HEIGHT, "title": title, "items": items, "groups": groups, "ticks": ticks,
            "legend": legend, "left": LEFT, "right": WIDTH - RIGHT, "baseline": TOP + plot_h}
