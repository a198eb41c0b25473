"""The plan and its scenarios side by side: the columns and table of ``gtmplan compare``, which
``gtmplan render`` also embeds (its "Scenarios" section; docs/reference/cli.md 0.2).

Each column is the plan loaded with one scenario (the base without), through the
same loader, checked and computed like any plan. Figures over the horizon:
bookings target, deals, MQLs needed, MQLs planned, the largest MQL shortfall (by
the quarter the MQLs are created: ``mqls_demanded - mqls_planned``, as rule A102
and the rendered waterfall count it), the lowest capacity coverage (capacity /
target), program cost, budget, and the ``check`` findings by severity.

With ``sales.segments`` (docs/reference/cli.md, 'Segments in every command'), each
column also has the same figures per segment (``segments: {ID: figures}`` in the
JSON; a segment's budget is null, its program cost its programs' cost x split, its
coverage its own sellers' against its target, null without own sellers), and the
text and Markdown tables show a row per segment under each figure that has one.
The company's ``largest_mql_shortfall`` is then the largest of the segments'
shortfalls, with ``segment`` naming it: a surplus in one segment never covers
another's shortfall (rule A102), so the summed rows are not used for it. A plan
without segments has no ``segments`` key and the figures of 0.2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from gtmplan.engine.funnel import Funnel, FunnelRow
from gtmplan.errors import InputError
from gtmplan.output import fmt
from gtmplan.plan.vocabulary import Severity
from gtmplan.read.loader import LoadedPlan, load_each
from gtmplan.read.sources import PlanSource
from gtmplan.rules.checker import CheckResult, run_check


@dataclass
class Column:
    name: str
    description: Optional[str]
    figures: dict
    findings: dict[Severity, int]
    currency: str
    company: str = ""  # the plan's company: the title of text and md (not in the JSON)
    segments: Optional[dict[str, dict]] = None  # figures per segment (None: a plan without sales.segments)

    def as_dict(self) -> dict:
        out = {"name": self.name, "description": self.description, "figures": self.figures}
        if self.segments is not None:
            out["segments"] = self.segments
        out["findings"] = self.findings
        return out


def _sum(values: Iterable[Optional[float]]) -> Optional[float]:
    total = 0.0
    for v in values:
        if v is None:
            return None
        total += v
    return total


def _largest_shortfall(rows: Iterable[FunnelRow]) -> Optional[dict]:
    shortfall: Optional[dict[str, Any]] = None
    for r in rows:
        if r.mqls_demanded is None or r.mqls_planned is None:
            continue
        gap = r.mqls_demanded - r.mqls_planned
        if gap > 1e-9 and (shortfall is None or gap > shortfall["mqls"]):
            # "mqls" is exact (JSON); "shown" is the gap as every output shows it
            shortfall = {"quarter": str(r.quarter), "mqls": gap,
                         "shown": fmt.shown_gap(r.mqls_demanded, r.mqls_planned)}
    return shortfall


def figures(f: Funnel, own_sellers: bool = True) -> dict:
    """The horizon's figures of one funnel: the company's, or one segment's (``own_sellers``
    False: the segment has no team row of its own, so no coverage of its own)."""
    rows = f.rows
    shortfall = _largest_shortfall(rows)
    if f.segments:  # the largest of the segments' shortfalls, never the blend of the summed rows
        shortfall = None
        for sid, sf in f.segments.items():
            gap = _largest_shortfall(sf.rows)
            if gap is not None and (shortfall is None or gap["mqls"] > shortfall["mqls"]):
                shortfall = {**gap, "segment": sid}
    coverage: Optional[dict[str, Any]] = None
    for r in rows if own_sellers else ():
        if r.target > 0:
            c = r.capacity / r.target
            if coverage is None or c < coverage["coverage"]:
                coverage = {"quarter": str(r.quarter), "coverage": c}
    out = {
        "target": _sum(r.target for r in rows),
        "deals": _sum(r.deals for r in rows),
        "mqls_needed": _sum(r.mqls_needed for r in rows),
        "mqls_planned": _sum(r.mqls_planned for r in rows),
        "largest_mql_shortfall": shortfall,
        "lowest_coverage": coverage,
        "program_cost": _sum(r.program_cost for r in rows),
        "budget": _sum(r.budget for r in rows),
    }
    if any(r.other_pipeline_cost is not None for r in rows):  # only with other pipeline: 0.2's keys otherwise
        out["other_pipeline_cost"] = sum(r.other_pipeline_cost or 0.0 for r in rows)
    return out


def _fill_other_cost(cols: list[Column]) -> None:
    """When any column's plan has other pipeline, every column (and each of its segments)
    gets ``other_pipeline_cost``: 0 for a plan or segment without any (it costs nothing)."""
    if not any("other_pipeline_cost" in c.figures for c in cols):
        return
    for c in cols:
        c.figures.setdefault("other_pipeline_cost", 0.0)
        c.figures = {k: c.figures[k] for k in (*FIGURE_ORDER, *c.figures) if k in c.figures}
        for sid, seg in (c.segments or {}).items():
            seg.setdefault("other_pipeline_cost", 0.0)
            c.segments[sid] = {k: seg[k] for k in (*FIGURE_ORDER, *seg) if k in seg}  # type: ignore[index]


FIGURE_ORDER = ("target", "deals", "mqls_needed", "mqls_planned", "largest_mql_shortfall", "lowest_coverage",
                "program_cost", "other_pipeline_cost", "budget")


def column(name: str, loaded: LoadedPlan, checked: Optional[CheckResult] = None) -> Column:
    """One column: the figures from the funnel the checks computed (once per plan)."""
    checked = checked or run_check(loaded)
    description = loaded.scenario.description if loaded.scenario is not None else None
    f = checked.funnel
    segments = None
    if f.segments:
        own = {t.segment for t in loaded.plan.sales.team if t.segment is not None}
        segments = {sid: figures(sf, sid in own) for sid, sf in f.segments.items()}
    return Column(name, description, figures(f), checked.summary, loaded.plan.currency,
                  loaded.plan.company or "", segments)


def run_compare(source: PlanSource, names: Optional[Sequence[str]] = None, sets: Sequence[str] = (),
                base: Optional[tuple[LoadedPlan, CheckResult]] = None) -> list[Column]:
    """The base, then each named scenario (default: every one in the plan's scenarios/).
    ``base``: the plan already loaded and checked (render has it), not loaded again."""
    chosen = list(dict.fromkeys(names)) if names else source.scenario_names()  # a name given twice: shown once
    if "base" in chosen:
        raise InputError.single(None, "--scenario: 'base' names the plan itself in gtmplan compare; "
                                      "rename scenarios/base.yaml")
    plans = load_each(source, chosen if base else [None, *chosen], sets)  # one plan in memory at a time
    cols = [column("base", *base)] if base else [column("base", next(plans))]
    for name, each in zip(chosen, plans):
        cols.append(column(each.scenario.name if each.scenario else name, each))
        del each
    _fill_other_cost(cols)
    return cols



# -- the table -----------------------------------------------------------------------------

ROWS = (
    ("Bookings target", "target"),
    ("Deals", "deals"),
    ("MQLs needed", "mqls_needed"),
    ("MQLs planned", "mqls_planned"),
    ("Largest MQL shortfall", "largest_mql_shortfall"),
    ("Lowest capacity coverage", "lowest_coverage"),
    ("Program cost", "program_cost"),
    ("Other pipeline cost", "other_pipeline_cost"),  # only when a column's plan has other pipeline
    ("Budget", "budget"),
    ("Findings (errors / warnings / info)", "findings"),
)


PER_SEGMENT = ("target", "deals", "mqls_needed", "mqls_planned", "largest_mql_shortfall", "lowest_coverage",
               "program_cost", "other_pipeline_cost")  # the figures a segment has (its budget is the plan's)


def cell(c: Column, key: str, segment: Optional[str] = None) -> str:
    if key == "findings":
        s = c.findings
        return f"{s['error']} / {s['warning']} / {s['info']}"
    if segment is not None:
        if c.segments is None or segment not in c.segments:
            return "–"  # this column's plan has no such segment
        v = c.segments[segment].get(key)
    else:
        v = c.figures.get(key)
    if key == "largest_mql_shortfall":
        where = f" ({v['segment']})" if v is not None and v.get("segment") else ""
        return "none" if v is None else f"{v['shown']:,} in {v['quarter']}{where}"
    if key == "lowest_coverage":
        return "–" if v is None else f"{fmt.pct(v['coverage'])} in {v['quarter']}"
    if key in ("target", "program_cost", "other_pipeline_cost", "budget"):
        return fmt.money(v, c.currency)
    return fmt.count(v)


def table(cols: list[Column], sub: str = "  ") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the side-by-side table (figures formatted for people). With segments,
    each figure a segment has is followed by a row per segment (``sub`` + its id: indented in
    text, ``↳ smb`` in Markdown and HTML, which collapse spaces), in the order the columns'
    plans list them."""
    header = ["", *(c.name for c in cols)]
    segments = list(dict.fromkeys(sid for c in cols for sid in (c.segments or {})))
    rows = []
    for label, key in ROWS:
        if key == "other_pipeline_cost" and not any(key in c.figures for c in cols):
            continue
        rows.append([label, *(cell(c, key) for c in cols)])
        if key in PER_SEGMENT:
            rows.extend([f"{sub}{sid}", *(cell(c, key, sid) for c in cols)] for sid in segments)
    return header, rows
