"""Checks that span sections of a plan: ids unique, references resolved, horizon covered.

These make a plan *invalid* (exit 2), unlike the rules of ``gtmplan check``, which
judge a valid plan. Each problem is located at the value at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Optional

from gtmplan.plan.quarters import quarter_range
from gtmplan.plan.sourcemap import PathT

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import (
        ContentAsset,
        EmployeeRange,
        MarketingSegment,
        MotionRow,
        Plan,
        Program,
        SalesSegment,
        TeamRow,
    )

Issue = tuple[PathT, str]  # where, what


def check_integrity(plan: Plan) -> list[Issue]:
    return [*_unique_ids(plan), *_references(plan), *_horizon(plan), *_ranges(plan), *_sales_additions(plan),
            *_segments(plan)]


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
    sections: tuple[tuple[str, Sequence[Program | ContentAsset]], ...] = (
        ("programs", plan.marketing.programs), ("content", plan.marketing.content or []))
    for kind, items in sections:
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
    def employees(path: PathT, rng: Optional[EmployeeRange]) -> Iterator[Issue]:
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


def _end_after_start(path: PathT, row: TeamRow | MotionRow, who: str) -> Iterator[Issue]:
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
SPLIT_TOLERANCE = 1e-9
"""A program's split must sum to 1 within this (plan-format.md, Resolutions (0.3))."""


def _listed_twice(path: PathT, items: Iterable[SalesSegment | MarketingSegment]) -> Iterator[Issue]:
    where = ".".join(map(str, path))
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            yield (*path, i, "id"), (f"segment {item.id!r} is listed twice in {where} (first as "
                                     f"{where}[{first[item.id]}]): give each segment once")
        else:
            first[item.id] = i


class _Segments:
    """What every segment check reads: the plan and the segment ids it lists.
    (A plain class: a dataclass costs `gtmplan check` measurable start-up.)"""

    __slots__ = ("plan", "icp", "listed", "known")

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.icp = frozenset(s.id for s in plan.icp.segments)  # icp.segments' ids
        self.listed: Optional[list] = plan.sales.segments  # as written (None: the plan has none)
        self.known = tuple(dict.fromkeys(s.id for s in self.listed or []))  # their ids, each once, in order

    def not_listed(self, seg: str) -> str:
        if self.listed is None:
            return (f"segment {seg!r} is not in sales.segments: the plan has no sales.segments "
                    f"(list it there, with its targets or share, to plan per segment)")
        return f"segment {seg!r} is not in sales.segments (listed: {', '.join(self.known)})"


def _segments(plan: Plan) -> Iterator[Issue]:
    """Segments (plan-format.md, additions in 0.3): sales.segments, marketing.segments,
    team rows' segment and programs' split. The checks run in the order of _SEGMENT_CHECKS,
    so problems are listed in the order of the plan's sections."""
    s = _Segments(plan)
    for check in _SEGMENT_CHECKS:
        yield from check(s)


def _sales_segments(s: _Segments) -> Iterator[Issue]:
    """Each sales.segments entry: in the ICP, targets or share (one of them), its other_pipeline."""
    for i, seg in enumerate(s.listed or []):
        path = ("sales", "segments", i)
        if seg.id not in s.icp:
            yield (*path, "id"), f"segment {seg.id!r} is not in icp.segments (known: {', '.join(sorted(s.icp))})"
        if seg.targets is not None and seg.share is not None:
            yield (*path, "share"), ("give either targets (an amount per quarter) or share (a fraction of "
                                     "sales.targets), not both")
        elif seg.targets is None and seg.share is None:
            yield path, (f"segment {seg.id!r} needs targets (an amount per horizon quarter) or share "
                         "(a fraction of sales.targets in every quarter)")
        yield from _segment_targets(s.plan, path, seg)
        yield from _segment_other_pipeline(s.plan, path, seg)


def _segment_targets(plan: Plan, path: PathT, seg: SalesSegment) -> Iterator[Issue]:
    """A segment's targets cover the horizon, and only the horizon."""
    start, end = plan.horizon.start, plan.horizon.end
    if seg.targets is None or not start <= end:
        return
    missing = [str(q) for q in quarter_range(start, end) if q not in seg.targets]
    if missing:
        yield (*path, "targets"), (f"segment {seg.id!r} has no target for {', '.join(missing)}: "
                                   f"every horizon quarter ({start}-{end}) needs one")
    for q in seg.targets:
        if not start <= q <= end:
            yield (*path, "targets", str(q)), (f"quarter {q} is outside the horizon {start}-{end}: "
                                               "extend the horizon or remove it")


def _segment_other_pipeline(plan: Plan, path: PathT, seg: SalesSegment) -> Iterator[Issue]:
    """A segment's other_pipeline: ids once each; plain shares below 1 together (maps and
    capacity motions are checked as the company-wide ones are)."""
    sources = seg.other_pipeline or []
    seen: dict[str, int] = {}
    for j, item in enumerate(sources):
        if item.id in seen:
            yield (*path, "other_pipeline", j, "id"), (
                f"id {item.id!r} is used twice in this segment's other_pipeline (first as "
                f"other_pipeline[{seen[item.id]}]): ids must be unique")
        seen.setdefault(item.id, j)
    shares = [x for x in (getattr(item, "share", None) for item in sources) if isinstance(x, (int, float))]
    if any(item.share is None or isinstance(item.share, dict) or item.capacity is not None for item in sources):
        yield from _motions(plan, (*path, "other_pipeline"), sources)  # maps, teams: checked as company-wide
    elif shares and sum(shares) >= 1 - 1e-9:
        yield (*path, "other_pipeline"), (
            f"the shares of segment {seg.id!r}'s other_pipeline add up to {sum(shares):g} "
            f"({' + '.join(f'{x:g}' for x in shares)}): they must be below 1, since the rest of its "
            "opportunities come from marketing's MQLs")


def _segments_listed_twice(s: _Segments) -> Iterator[Issue]:
    yield from _listed_twice(("sales", "segments"), s.listed or [])
    yield from _listed_twice(("marketing", "segments"), s.plan.marketing.segments or [])


def _segment_references(s: _Segments) -> Iterator[Issue]:
    """marketing.segments' ids and team rows' segment name segments of sales.segments."""
    references: list[tuple[PathT, list, str]] = [  # (list, its items, the field naming a segment)
        (("marketing", "segments"), s.plan.marketing.segments or [], "id"),
        (("sales", "team"), s.plan.sales.team, "segment"),
    ]
    for path, items, field in references:
        for i, item in enumerate(items):
            seg = getattr(item, field)
            if seg is not None and seg not in s.known:
                yield (*path, i, field), s.not_listed(seg)


def _program_segments(s: _Segments) -> Iterator[Issue]:
    """Each program's segments are planned by sales (a segment not in icp.segments is said by
    _references), and its split divides it among exactly those."""
    for i, program in enumerate(s.plan.marketing.programs):
        path = ("marketing", "programs", i)
        if s.listed is not None:
            for j, seg in enumerate(program.segments or []):
                if seg in s.icp and seg not in s.known:
                    yield (*path, "segments", j), s.not_listed(seg)
        if program.split is not None:
            yield from _split(path, program)


def _split(path: PathT, program: Program) -> Iterator[Issue]:
    split = program.split
    assert split is not None  # checked for the programs that give one
    names = list(dict.fromkeys(program.segments or []))
    if not names:
        yield (*path, "split"), ("split divides the program among its segments, and it names none: "
                                 "give segments (the keys of split) or remove split")
        return
    extra = [k for k in split if k not in names]
    for k in extra:
        yield (*path, "split", k), (f"segment {k!r} is not one of the program's segments "
                                    f"({', '.join(names)}): split's keys must be exactly its segments")
    absent = [k for k in names if k not in split]
    if absent and not extra:  # a misspelt key is said once, at the key
        yield (*path, "split"), (f"split gives no fraction for {', '.join(absent)}: its keys must be "
                                 f"exactly the program's segments ({', '.join(names)})")
    total = sum(split.values())
    if not extra and not absent and abs(total - 1) > SPLIT_TOLERANCE:
        parts = " + ".join(f"{v:g}" for v in split.values())
        yield (*path, "split"), f"split's fractions add up to {total:.10g} ({parts}); they must add up to 1"


def _company_capacity_motions(s: _Segments) -> Iterator[Issue]:
    """With sales.segments, a capacity motion belongs to the segment whose opportunities it creates."""
    if s.listed is None:
        return
    for j, item in enumerate(s.plan.sales.other_pipeline or []):
        if getattr(item, "capacity", None) is not None:  # a capacity motion (plan-format.md 0.3)
            yield ("sales", "other_pipeline", j, "capacity"), (
                f"other_pipeline item {item.id!r} is a capacity motion (a team creating opportunities), and "
                "the plan has sales.segments: give it in the segment whose opportunities it creates "
                "(sales.segments[].other_pipeline)")


_SEGMENT_CHECKS: tuple[Callable[[_Segments], Iterator[Issue]], ...] = (
    _sales_segments, _segments_listed_twice, _segment_references, _program_segments, _company_capacity_motions)
