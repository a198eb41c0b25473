"""Checks that span sections of a plan: ids unique, references resolved, horizon covered.

These make a plan *invalid* (exit 2), unlike the rules of ``gtmplan check``, which
judge a valid plan. Each problem is located at the value at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from gtmplan.plan.quarters import quarter_range
from gtmplan.plan.sourcemap import PathT

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan

Issue = tuple[PathT, str]  # where, what


def check_integrity(plan: Plan) -> list[Issue]:
    return [*_unique_ids(plan), *_references(plan), *_horizon(plan), *_ranges(plan), *_sales_additions(plan)]


def _unique_ids(plan: Plan) -> Iterator[Issue]:
    lists: list[tuple[PathT, Iterable]] = [
        (("goals",), plan.goals or []),
        (("icp", "segments"), plan.icp.segments),
        (("marketing", "programs"), plan.marketing.programs),
        (("marketing", "content"), plan.marketing.content or []),
        (("sales", "other_pipeline"), plan.sales.other_pipeline or []),
    ]
    for path, items in lists:
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                where = ".".join(map(str, path))
                yield (*path, i, "id"), (f"id {item.id!r} is used twice in {where} "
                                         f"(first as {where}[{first[item.id]}]): ids must be unique")
            else:
                first[item.id] = i


def _references(plan: Plan) -> Iterator[Issue]:
    segments = {s.id for s in plan.icp.segments}
    known = ", ".join(sorted(segments))
    for kind, items in (("programs", plan.marketing.programs), ("content", plan.marketing.content or [])):
        for i, item in enumerate(items):
            for j, seg in enumerate(item.segments or []):
                if seg not in segments:
                    yield ("marketing", kind, i, "segments", j), (
                        f"segment {seg!r} is not in icp.segments (known: {known})")
    start, end = plan.horizon.start, plan.horizon.end
    for i, goal in enumerate(plan.goals or []):
        if goal.period != "FY" and not (start <= goal.period <= end):
            yield ("goals", i, "period"), (
                f"goal period {goal.period} is outside the horizon {start}-{end}")


def _horizon(plan: Plan) -> Iterator[Issue]:
    start, end = plan.horizon.start, plan.horizon.end
    if end < start:
        yield ("horizon", "end"), f"horizon ends ({end}) before it starts ({start})"
        return
    for key, q in (("start", start), ("end", end)):
        if not q.in_calendar(plan.calendar):
            yield ("horizon", key), (f"fiscal quarter {q} (fiscal years starting in month "
                                     f"{plan.fiscal_year_start_month}) is not within the years 0001-9999")
            return
    if end - start >= 40:
        yield ("horizon", "end"), f"horizon {start}-{end} is {end - start + 1} quarters; at most 40 (ten years) are supported"
        return
    for side, key in (("sales", "targets"), ("marketing", "budget")):
        table = getattr(getattr(plan, side), key)
        missing = [str(q) for q in quarter_range(start, end) if q not in table]
        if missing:
            yield (side, key), (f"{side}.{key} has no value for {', '.join(missing)}: "
                                f"every horizon quarter ({start}-{end}) needs one")
        for q in table:
            if not start <= q <= end:
                yield (side, key, str(q)), (f"quarter {q} is outside the horizon {start}-{end}: "
                                            "extend the horizon or remove it")


def _ranges(plan: Plan) -> Iterator[Issue]:
    def employees(path: PathT, rng) -> Iterator[Issue]:
        if rng is not None and rng.min is not None and rng.max is not None and rng.min > rng.max:
            yield (*path, "employees", "min"), f"employees.min ({rng.min}) is above employees.max ({rng.max})"

    for i, seg in enumerate(plan.icp.segments):
        yield from employees(("icp", "segments", i), seg.employees)
    for level in ("mql", "sql"):
        firmo = getattr(plan.lead_definition, level).firmographics
        if firmo is not None:
            yield from employees(("lead_definition", level, "firmographics"), firmo.employees)
    for i, goal in enumerate(plan.goals or []):
        if goal.metric in ("win_rate", "market_share") and goal.target > 1:
            yield ("goals", i, "target"), (f"a {goal.metric} target is a fraction from 0 to 1; "
                                           f"got {goal.target:g} (write 25% as 0.25)")


def _sales_additions(plan: Plan) -> Iterator[Issue]:
    """Ramp curves, other_pipeline (docs/reference/plan-format.md, additions in 0.2), pipeline motions,
    team rows' end (additions in 0.3)."""
    for i, row in enumerate(plan.sales.team):
        if row.ramp is not None and "ramp_months" in row.model_fields_set:
            yield ("sales", "team", i, "ramp"), ("give either ramp (a curve) or ramp_months, not both: "
                                                 f"ramp_months: {row.ramp_months} is the curve "
                                                 f"(m + 1) / {row.ramp_months} for months m < {row.ramp_months}")
        yield from _end_after_start(("sales", "team", i), row, "the sellers")
    sources = plan.sales.other_pipeline or []
    yield from _motions(plan, ("sales", "other_pipeline"), sources)


def _end_after_start(path: PathT, row, who: str) -> Iterator[Issue]:
    if row.end is not None and row.start is not None and row.end < row.start:
        yield (*path, "end"), (f"end ({row.end.isoformat()}) is before start ({row.start.isoformat()}): "
                               f"{who} leave after end, so it must be on or after start")


def _motions(plan: Plan, path: PathT, sources: list) -> Iterator[Issue]:
    """other_pipeline items: share or capacity (exactly one), maps inside the horizon,
    each quarter's shares below 1."""
    start, end = plan.horizon.start, plan.horizon.end
    for i, s in enumerate(sources):
        if s.share is not None and s.capacity is not None:
            yield (*path, i, "capacity"), (f"{s.id} gives both share and capacity: give one, share (a fraction of "
                                           "each quarter's opportunities) or capacity (a team that creates them)")
        elif s.share is None and s.capacity is None:
            yield (*path, i), (f"{s.id} gives neither share nor capacity: give one, share (a fraction of each "
                               "quarter's opportunities) or capacity (a team that creates them)")
        for key in ("share", "cost"):
            value = getattr(s, key)
            if isinstance(value, dict):
                for q in value:
                    if not start <= q <= end:
                        yield (*path, i, key, str(q)), (f"quarter {q} is outside the horizon {start}-{end}: "
                                                        "extend the horizon or remove it")
        if s.capacity is not None:
            for j, row in enumerate(s.capacity.team):
                if row.ramp is not None and "ramp_months" in row.model_fields_set:
                    yield (*path, i, "capacity", "team", j, "ramp"), (
                        "give either ramp (a curve) or ramp_months, not both")
                yield from _end_after_start((*path, i, "capacity", "team", j), row, "they")
    shared = [s for s in sources if s.share is not None]
    if not shared:
        return
    if all(not isinstance(s.share, dict) for s in shared):
        total = sum(s.share for s in shared)
        if total >= 1 - 1e-9:
            shares = " + ".join(f"{s.share:g}" for s in shared)
            yield path, (f"the shares of other_pipeline add up to {total:g} ({shares}): they must be below 1, "
                         "since the rest of the opportunities come from marketing's MQLs")
        return
    for q in quarter_range(start, end):
        parts = [s.share.get(q, 0.0) if isinstance(s.share, dict) else s.share for s in shared]
        total = sum(parts)
        if total >= 1 - 1e-9:
            shares = " + ".join(f"{x:g}" for x in parts)
            yield path, (f"the shares of other_pipeline for {q} add up to {total:g} ({shares}): they must be "
                         "below 1, since the rest of the opportunities come from marketing's MQLs")
