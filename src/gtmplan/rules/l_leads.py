"""L — the qualified-lead definition and targeting: do both sides mean the same lead?"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Optional

from gtmplan.output.fmt import employees, plural
from gtmplan.plan.vocabulary import SIDES
from gtmplan.rules.base import Context, Finding, Rule, register

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import EmployeeRange, Firmographics
    from gtmplan.plan.model import Segment as IcpSegment

MQL_FIRMO = ("lead_definition", "mql", "firmographics")
_SINGULAR = {"industries": "industry", "regions": "region"}


def employee_gaps(segments: Sequence[IcpSegment], mql_range: Optional[EmployeeRange]) -> list[tuple[int, int]]:
    """The sizes (inclusive ranges) between the lowest segment minimum and the highest segment
    maximum that the MQL range admits and no segment covers. A segment without
    ``employees`` covers every size; sizes below or above every segment are not gaps."""
    spans = []
    for s in segments:
        rng = s.employees
        lo = rng.min if rng is not None and rng.min is not None else 0
        hi = rng.max if rng is not None and rng.max is not None else None
        spans.append((lo, hi))
    spans.sort(key=lambda x: x[0])
    top = None if any(hi is None for _, hi in spans) else max(hi for _, hi in spans if hi is not None)
    mql_lo = mql_range.min if mql_range is not None and mql_range.min is not None else 0
    mql_hi = mql_range.max if mql_range is not None and mql_range.max is not None else None
    gaps = []
    cur = max(spans[0][0], mql_lo)  # the first size not yet covered
    for lo, hi in spans:
        if lo > cur:
            end = lo - 1 if mql_hi is None else min(lo - 1, mql_hi)
            if end >= cur:
                gaps.append((cur, end))
        if hi is None:
            break
        cur = max(cur, hi + 1)
        if top is not None and cur > top or mql_hi is not None and cur > mql_hi:
            break
    return gaps


def _ids(segments: Sequence[IcpSegment]) -> str:
    return ", ".join(repr(s.id) for s in segments)


@register
class MqlOutsideIcp(Rule):
    """The MQL definition admits companies that no ICP segment wants.

    Why: marketing is measured on MQLs; if the MQL definition is wider than the
    ideal client profile, marketing can hit its number with leads sales will never
    work (the classic: marketing counts 20-employee companies, sales only takes
    200+).

    Fires when: the MQL firmographics have an employee minimum below the lowest
    segment minimum (or none while every segment sets one); a maximum above the
    highest segment maximum (or none while every segment sets one); the MQL
    employee range admits sizes *between* segments that no segment covers
    (segments 20-200 and 1,000+ with an MQL minimum of 20: 201-999; ranges are
    inclusive, a segment without `employees` covers every size; one finding
    listing the uncovered ranges); or an industry or region that no segment
    lists (or no list while every segment has one).

    How to fix: narrow `lead_definition.mql.firmographics` to the ICP, or add the
    segment that really is wanted to `icp.segments`.

    Example:
        Fires (MQLs from 20 employees; no segment wants fewer than 50):
            icp:
              segments: [{id: core, employees: {min: 50, max: 1000}}]
            lead_definition:
              mql:
                firmographics: {employees: {min: 20, max: 1000}}
        Quiet:
            icp:
              segments: [{id: core, employees: {min: 50, max: 1000}}]
            lead_definition:
              mql:
                firmographics: {employees: {min: 50, max: 1000}}
    """

    code, name, severity = "L201", "mql-outside-icp", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        segs = ctx.plan.icp.segments
        firmo = ctx.plan.lead_definition.mql.firmographics
        emp = firmo.employees if firmo else None
        yield from self._below(ctx, segs, emp)
        yield from self._above(ctx, segs, emp)
        yield from self._between(ctx, segs, emp)
        for key in ("industries", "regions"):
            yield from self._unlisted(ctx, segs, firmo, key)

    def _below(self, ctx: Context, segs: Sequence[IcpSegment], emp: Optional[EmployeeRange]) -> Iterator[Finding]:
        """The MQL minimum (or none) below the lowest segment minimum, when every segment sets one."""
        mins = [s.employees.min if s.employees else None for s in segs]
        if not all(m is not None for m in mins):
            return
        lowest = min(m for m in mins if m is not None)
        got = emp.min if emp else None
        if got is None or got < lowest:
            who = [s for s, m in zip(segs, mins) if m == lowest]
            admits = "companies of any size" if got is None else f"companies from {got:,} employees"
            yield self.finding(ctx, (*MQL_FIRMO, "employees", "min"),
                               f"the MQL definition admits {admits}, but no ICP segment wants fewer than "
                               f"{lowest:,} employees ({plural(len(who), 'segment', with_count=False)} {_ids(who)})")

    def _above(self, ctx: Context, segs: Sequence[IcpSegment], emp: Optional[EmployeeRange]) -> Iterator[Finding]:
        """The MQL maximum (or none) above the highest segment maximum, when every segment sets one."""
        maxs = [s.employees.max if s.employees else None for s in segs]
        if not all(m is not None for m in maxs):
            return
        highest = max(m for m in maxs if m is not None)
        got = emp.max if emp else None
        if got is None or got > highest:
            admits = "companies of any size" if got is None else f"companies up to {got:,} employees"
            yield self.finding(ctx, (*MQL_FIRMO, "employees", "max"),
                               f"the MQL definition admits {admits}, but no ICP segment wants more than "
                               f"{highest:,} employees")

    def _between(self, ctx: Context, segs: Sequence[IcpSegment], emp: Optional[EmployeeRange]) -> Iterator[Finding]:
        """Sizes between segments that the MQL range admits and no segment covers: one finding."""
        gaps = employee_gaps(segs, emp)
        if gaps:
            shown = ", ".join(f"{a:,}-{b:,}" if a != b else f"{a:,}" for a, b in gaps)
            wanted = ", ".join(f"{s.id} {employees(s.employees, dash='-')}" for s in segs)
            yield self.finding(ctx, (*MQL_FIRMO, "employees"),
                               f"the MQL definition admits companies of {shown} employees, which no ICP segment "
                               f"covers (the segments want: {wanted})")

    def _unlisted(self, ctx: Context, segs: Sequence[IcpSegment], firmo: Optional[Firmographics],
                  key: str) -> Iterator[Finding]:
        """Industries (or regions) the MQL definition admits and no segment lists, when every segment lists some."""
        lists = [getattr(s, key) for s in segs]
        if not all(lists):
            return
        wanted: dict[str, str] = {}  # lower-case -> as first written
        for lst in lists:
            for x in lst:
                wanted.setdefault(x.lower(), x)
        mine = getattr(firmo, key) if firmo else None
        if not mine:
            yield self.finding(ctx, (*MQL_FIRMO, key),
                               f"the MQL definition admits any {_SINGULAR[key]}, but the ICP "
                               f"segments only want: {', '.join(sorted(wanted.values()))}")
            return
        extra = [x for x in mine if x.lower() not in wanted]
        if extra:
            yield self.finding(ctx, (*MQL_FIRMO, key),
                               f"the MQL definition admits {key} no ICP segment lists: {', '.join(extra)}")


@register
class SqlUnreachable(Rule):
    """No company can meet both the MQL and the SQL definition.

    Why: every SQL was an MQL first. If the two definitions exclude each other,
    every MQL marketing delivers is rejected by sales by construction.

    Fires when: the MQL and SQL employee ranges do not overlap, or both list
    industries (or regions) and the lists share nothing.

    How to fix: make the SQL criteria a narrowing of the MQL criteria, agreed
    by both sides.

    Example:
        Fires (MQLs stop at 1,000 employees, SQLs start at 2,000):
            lead_definition:
              mql: {firmographics: {employees: {min: 50, max: 1000}}}
              sql: {firmographics: {employees: {min: 2000}}}
        Quiet (SQLs are a narrowing of MQLs):
            lead_definition:
              mql: {firmographics: {employees: {min: 50, max: 1000}}}
              sql: {firmographics: {employees: {min: 200}}}
    """

    code, name, severity = "L202", "sql-unreachable", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        ld = ctx.plan.lead_definition
        m, s = ld.mql.firmographics, ld.sql.firmographics
        if m is None or s is None:
            return
        if m.employees and s.employees:
            lo = max(m.employees.min or 0, s.employees.min or 0)
            hi = min(x for x in (m.employees.max, s.employees.max, float("inf")) if x is not None)
            if lo > hi:
                yield self.finding(ctx, ("lead_definition", "sql", "firmographics", "employees"),
                                   f"no company fits both: MQLs have {_range(m.employees)} employees, "
                                   f"SQLs {_range(s.employees)}",
                                   related=(("lead_definition", "mql", "firmographics", "employees"),))
        for key in ("industries", "regions"):
            a, b = getattr(m, key), getattr(s, key)
            if a and b and not {x.lower() for x in a} & {x.lower() for x in b}:
                yield self.finding(ctx, ("lead_definition", "sql", "firmographics", key),
                                   f"no company fits both: MQL {key} ({', '.join(a)}) and SQL {key} "
                                   f"({', '.join(b)}) share none",
                                   related=(("lead_definition", "mql", "firmographics", key),))


def _range(r: Optional[EmployeeRange]) -> str:
    return employees(r, dash="-", anything="any number of")


@register
class DefinitionNotAgreed(Rule):
    """The qualified-lead definition is not signed by both sides.

    Why: a definition one side wrote is that side's definition. The other side
    will keep using its own, and the MQL count becomes an argument instead of a
    number.

    Fires when: `lead_definition.agreed_by` lacks `sales` or `marketing`.

    How to fix: review the definition together and list both in `agreed_by`
    (and set `agreed_on`).

    Example:
        Fires:
            lead_definition:
              agreed_by: [marketing]
        Quiet:
            lead_definition:
              agreed_by: [sales, marketing]
              agreed_on: 2027-01-15
    """

    code, name, severity = "L203", "definition-not-agreed", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        by = ctx.plan.lead_definition.agreed_by
        missing = [s for s in SIDES if s not in by]
        if missing and not by:
            yield self.finding(ctx, ("lead_definition", "agreed_by"),
                               "nobody has signed the qualified-lead definition off yet: sales and marketing "
                               "must read it together and both sign it (list both in agreed_by)")
        elif missing:
            yield self.finding(ctx, ("lead_definition", "agreed_by"),
                               f"the qualified-lead definition is agreed by {' and '.join(by)} only: "
                               f"{' and '.join(missing)} must sign it off too")


@register
class NoFollowUpSla(Rule):
    """No service level for how fast sales contacts a new MQL.

    Why: a lead's interest cools within hours. Without an agreed follow-up time,
    MQLs wait, convert worse, and marketing's numbers take the blame.

    Fires when: `lead_definition.follow_up_hours` is absent.

    How to fix: agree a number of hours (24 is common; inbound demo requests
    often get 1).

    Example:
        Fires:
            lead_definition:
              follow_up_hours: null
        Quiet:
            lead_definition:
              follow_up_hours: 24
    """

    code, name, severity = "L204", "no-follow-up-sla", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.plan.lead_definition.follow_up_hours is None:
            yield self.finding(ctx, ("lead_definition", "follow_up_hours"),
                               "no follow-up service level: set lead_definition.follow_up_hours "
                               "(how many hours sales takes to contact a new MQL)")


@register
class UntargetedProgram(Rule):
    """A marketing program that targets no ICP segment.

    Why: a program aimed at everybody brings leads sales does not want, and its
    results cannot be compared with the segment it should have served.

    Fires when: a program has no `segments`.

    How to fix: list the ICP segments the program is for.

    Example:
        Fires:
            marketing:
              programs:
                - {id: webinars, channel: webinars, quarters: [2027Q1], cost: 10000, expected_mqls: 100}
        Quiet:
            marketing:
              programs:
                - {id: webinars, channel: webinars, quarters: [2027Q1], cost: 10000, expected_mqls: 100,
                   segments: [core]}
    """

    code, name, severity = "L205", "untargeted-program", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for i, p in enumerate(ctx.plan.marketing.programs):
            if not p.segments:
                yield self.finding(ctx, ("marketing", "programs", i, "id"),
                                   f"program {p.id!r} targets no ICP segment: list its segments")
