"""A — funnel and capacity: do the two halves of the plan add up?"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Optional, cast

from gtmplan.engine.capacity import (
    attrition_factor,
    capacity,
    productivity,
    ramped_sellers,
    sellers,
    sellers_joining,
    sellers_leaving,
)
from gtmplan.engine.funnel import (
    WATERFALL_NEEDS,
    Funnel,
    FunnelRow,
    owner,
    planned_opportunities,
    segment_targets,
    side_segment,
    stated,
)
from gtmplan.engine.pipeline import apportion, other_opportunities
from gtmplan.output.fmt import (
    assumption,
    ceil_count,
    count,
    pct,
    pct_beyond,
    plural,
    possessive,
    rate,
    rel_diff,
    shown_gap,
)
from gtmplan.plan.modelparts import ASSUMPTION_KEYS
from gtmplan.plan.quarters import Quarter
from gtmplan.rules.base import Context, Finding, Rule, register

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan, SalesSegment, TeamRow


def _show(key: str, value: float, ctx: Context) -> str:
    return assumption(key, value, ctx.plan.currency)


@register
class AssumptionMismatch(Rule):
    """Sales and marketing state the same funnel assumption with different values.

    Why: each side builds its half of the plan on its own numbers. When marketing
    expects 40% of MQLs to become SQLs and sales expects 30%, marketing will
    deliver a third fewer SQLs than sales' targets need, and both plans look fine
    on their own.

    Fires when: both `sales.assumptions` and `marketing.assumptions` state the same
    key and `abs(s - m) / max(s, m)` is above `check.tolerance` (default 0.10).
    The finding points at the value of the side that does *not* own the stage
    (the funnel uses the owner's value) and names the other value as related.

    With `sales.segments`: per segment, each side's value is its
    `segments[s].assumptions` value, else its company-wide one; the message starts
    with the segment's id. A difference that several segments inherit from the same
    two company-wide values is one finding, at those values.

    How to fix: agree one number, using last quarters' CRM data
    (`gtmplan review` measures it), and write it on both sides, or remove it from
    the side that does not own that stage.

    Example:
        Fires (the two values differ by 25%):
            sales:
              assumptions: {mql_to_sql: 0.30}
            marketing:
              assumptions: {mql_to_sql: 0.40}
        Quiet (0.40 and 0.42 differ by 5%, inside the default 10% tolerance):
            sales:
              assumptions: {mql_to_sql: 0.40}
            marketing:
              assumptions: {mql_to_sql: 0.42}
    """

    code, name, severity = "A101", "assumption-mismatch", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.segmented:
            yield from self._per_segment(ctx)
            return
        s, m = ctx.plan.sales.assumptions, ctx.plan.marketing.assumptions
        if s is None or m is None:
            return
        for key in ASSUMPTION_KEYS:
            sv, mv = getattr(s, key), getattr(m, key)
            if sv is None or mv is None:
                continue
            diff = rel_diff(sv, mv)
            if diff <= ctx.tolerance:
                continue
            own = owner(key)
            other = "marketing" if own == "sales" else "sales"
            used = sv if own == "sales" else mv
            yield self.finding(
                ctx, (other, "assumptions", key),
                f"sales assumes {key} {_show(key, sv, ctx)}, marketing {_show(key, mv, ctx)} "
                f"(differ by {pct_beyond(diff, ctx.tolerance)}, tolerance {pct(ctx.tolerance)}); "
                f"the funnel uses {possessive(own)} {_show(key, used, ctx)}",
                related=((own, "assumptions", key),))

    def _per_segment(self, ctx: Context) -> Iterator[Finding]:
        """Each segment's resolved values on the two sides (segment value, else company-wide);
        a difference several segments inherit from the same two company-wide values is said
        once, at those values, as in a plan without segments."""
        said: set[str] = set()
        for seg in _segments_of(ctx.plan):
            for key in ASSUMPTION_KEYS:
                sv, sp = stated(ctx.plan, "sales", key, seg.id)
                mv, mp = stated(ctx.plan, "marketing", key, seg.id)
                if sv is None or mv is None or sp is None or mp is None:  # a stated value has its path
                    continue
                diff = rel_diff(sv, mv)
                if diff <= ctx.tolerance:
                    continue
                own = owner(key)
                paths = {"sales": sp, "marketing": mp}
                other = "marketing" if own == "sales" else "sales"
                used = sv if own == "sales" else mv
                company = sp[1] != "segments" and mp[1] != "segments"
                if company and key in said:
                    continue
                if company:
                    said.add(key)
                differ = (f"(differ by {pct_beyond(diff, ctx.tolerance)}, tolerance {pct(ctx.tolerance)})")
                if company:
                    message = (f"sales assumes {key} {_show(key, sv, ctx)}, marketing {_show(key, mv, ctx)} {differ}; "
                               f"the funnel uses {possessive(own)} {_show(key, used, ctx)}")
                else:
                    message = (f"{seg.id}: sales assumes {key} {_show(key, sv, ctx)} for {seg.id}, marketing "
                               f"{_show(key, mv, ctx)} {differ}; {possessive(seg.id)} funnel uses "
                               f"{possessive(own)} {_show(key, used, ctx)}")
                yield self.finding(ctx, paths[other], message, related=(paths[own],),
                                   segment=None if company else seg.id)


@register
class MqlShortfall(Rule):
    """Marketing's programs create fewer MQLs than sales' targets need.

    Why: the demand waterfall turns each quarter's bookings target into the MQLs
    it needs (target / deal size / win rate / SQL-to-opportunity / MQL-to-SQL), and
    those MQLs must be created a sales cycle earlier. A marketing plan that
    delivers fewer leaves sales without pipeline, whatever the effort. When
    `sales.other_pipeline` says a share of the opportunities comes from elsewhere
    (outbound, partners, existing customers), marketing is asked only for the rest.

    Fires when: for a horizon quarter p, `mqls_planned(p)` is below
    `mqls_demanded(p) * (1 - tolerance)`, where `mqls_demanded(p)` is the MQLs
    needed by the target quarter `lag` quarters later
    (lag = sales_cycle_days / 91, rounded), after taking out the opportunities
    `sales.other_pipeline` brings.

    With `sales.segments`: per segment, with its own target, assumptions,
    lag, other pipeline and share of the programs (`split`, or equally); the
    message starts with the segment's id. A surplus in one segment never covers a
    shortfall in another.

    How to fix: add or grow programs running in p (expected_leads or
    expected_mqls), lower the targets of the later quarter, or revisit the
    conversion assumptions with CRM data. `gtmplan funnel` shows every step.

    Example:
        Fires (sales' 100,000 a quarter at 10,000 a deal, win rate 0.25, 0.5 SQL to
        opportunity and 0.4 MQL to SQL needs 200 MQLs a quarter; the programs bring 150):
            marketing:
              programs:
                - {id: webinars, channel: webinars, quarters: [2027Q1, 2027Q2, 2027Q3, 2027Q4],
                   cost: 10000, expected_mqls: 150}
        Quiet (the programs bring the 200 MQLs):
            marketing:
              programs:
                - {id: webinars, channel: webinars, quarters: [2027Q1, 2027Q2, 2027Q3, 2027Q4],
                   cost: 10000, expected_mqls: 200}
    """

    code, name, severity = "A102", "mql-shortfall", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.segmented:
            for f in ctx.funnels():
                yield from self._segment(ctx, f)
            return
        f = ctx.funnel
        for row in f.rows:
            demanded, planned = row.mqls_demanded, row.mqls_planned
            if demanded is None or planned is None or planned >= demanded * (1 - ctx.tolerance):
                continue
            shown_short = shown_gap(demanded, planned)  # the difference of the two counts as shown
            target_q = row.quarter + cast(int, f.lag)  # a plan without segments always has its lag
            when = "in the same quarter" if f.lag == 0 else "created then"
            other = ""
            t = cast(FunnelRow, f.row(target_q))  # MQLs are demanded only for a target quarter of the horizon
            if ctx.plan.sales.other_pipeline and t.other_opportunities:
                share = ctx.plan.other_share if _fixed_shares(ctx.plan) else t.other_opportunities / cast(float, t.opportunities)
                other = (f"; other sources (sales.other_pipeline) bring {count(t.other_opportunities)} of its "
                         f"{count(t.opportunities)} opportunities ({pct(share)}), marketing the rest")
            yield self.finding(
                ctx, ("marketing", "programs"),
                f"marketing plans {count(planned)} MQLs in {row.quarter}; sales' target for {target_q} "
                f"({ctx.money(ctx.plan.sales.targets[target_q])}) needs {count(demanded)} {when} "
                f"(short by {shown_short:,}, {pct_beyond(1 - planned / demanded, ctx.tolerance)}){other}",
                quarter=row.quarter)

    def _segment(self, ctx: Context, f: Funnel) -> Iterator[Finding]:
        """One segment's MQLs against its own demand: a surplus elsewhere never covers it."""
        seg, lag = _sid(f), _lag(f)
        i, entry = side_segment(ctx.plan, "sales", seg)
        own_items = entry is not None and entry.other_pipeline is not None  # a segment's funnel has its entry
        where = f"sales.segments[{i}].other_pipeline" if own_items else "sales.other_pipeline"
        for row in f.rows:
            demanded, planned = row.mqls_demanded, row.mqls_planned
            if demanded is None or planned is None or planned >= demanded * (1 - ctx.tolerance):
                continue
            shown_short = ceil_count(demanded) - ceil_count(planned)
            target_q = row.quarter + lag
            t = cast(FunnelRow, f.row(target_q))  # MQLs are demanded only for a target quarter of the horizon
            when = "in the same quarter" if f.lag == 0 else "created then"
            other = ""
            if t.other_opportunities and t.opportunities:
                other = (f"; other sources ({where}) bring {count(t.other_opportunities)} of its "
                         f"{count(t.opportunities)} opportunities ({pct(t.other_opportunities / t.opportunities)}), "
                         "marketing the rest")
            yield self.finding(
                ctx, ("marketing", "programs"),
                f"{seg}: marketing plans {count(planned)} MQLs in {row.quarter}; {possessive(seg)} target "
                f"for {target_q} ({ctx.money(t.target)}) needs {count(demanded)} {when} "
                f"(short by {shown_short:,}, {pct_beyond(1 - planned / demanded, ctx.tolerance)}){other}",
                quarter=row.quarter, segment=seg)


@register
class PipelineBeforePlan(Rule):
    """The first quarters' deals come from pipeline created before the plan starts.

    Why: with a long sales cycle, the deals that close early in the horizon were
    sourced before it. No program in this plan can create them, so the plan must
    say what pipeline already exists, or those targets float on nothing.

    Fires when: the sales cycle puts `created_in(q)` before the horizon for one or
    more target quarters q, and `sales.opening_pipeline` is absent, or
    `opening_pipeline * win_rate` is below the sum of those quarters' targets
    times `(1 - tolerance)`.

    With `sales.segments`: per segment that gives its own
    `opening_pipeline` (its early quarters by its own lag and win rate); once for
    the other segments, against `sales.opening_pipeline` and the company-wide win
    rate.

    How to fix: state `sales.opening_pipeline` (the value of open opportunities at
    the start of the horizon), or lower the early quarters' targets to what that
    pipeline can close.

    Example:
        Fires (a 91-day cycle: 2027Q1's deals were created before the plan starts,
        and no opening pipeline is stated):
            sales:
              assumptions: {sales_cycle_days: 91}
        Quiet (the opening pipeline closes 2027Q1's 100,000 at a 0.25 win rate):
            sales:
              assumptions: {sales_cycle_days: 91}
              opening_pipeline: 400000
    """

    code, name, severity = "A103", "pipeline-before-plan", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.segmented:
            yield from self._segmented(ctx)
            return
        f = ctx.funnel
        # a plan without segments: every row has its created_in
        early = [r for r in f.rows if cast(Quarter, r.created_in) < ctx.plan.horizon.start]
        if not early:
            return
        need = sum(r.target for r in early)
        quarters = ", ".join(str(r.quarter) for r in early)
        days = ctx.value("sales_cycle_days")
        cycle = f"a {days:g}-day sales cycle (lag {plural(cast(int, f.lag), 'quarter')})"
        win = ctx.value("win_rate")
        opening = ctx.plan.sales.opening_pipeline
        if opening is None:
            needed = f" (about {ctx.money(need / win)} at a {rate(win)} win rate)" if win else ""
            yield self.finding(
                ctx, ("sales", "opening_pipeline"),
                f"with {cycle}, the targets of {quarters} ({ctx.money(need)}) close from pipeline created "
                f"before {ctx.plan.horizon.start}, and sales.opening_pipeline is not stated{needed}",
                quarter=early[0].quarter)
        elif win and opening * win < need * (1 - ctx.tolerance):
            missing = need / win - opening
            yield self.finding(
                ctx, ("sales", "opening_pipeline"),
                f"with {cycle}, the targets of {quarters} ({ctx.money(need)}) close from the opening pipeline: "
                f"{ctx.money(opening)} at a {rate(win)} win rate closes {ctx.money(opening * win)}; "
                f"{ctx.money(missing)} more pipeline is missing",
                quarter=early[0].quarter)

    def _segmented(self, ctx: Context) -> Iterator[Finding]:
        """Per segment where sales.segments[].opening_pipeline is given; once for the rest,
        the company's opening_pipeline x win_rate against their early quarters' targets
        (early by each segment's own lag)."""
        start = ctx.plan.horizon.start
        rest = []
        for i, seg in enumerate(_segments_of(ctx.plan)):
            f = ctx.funnel.segments[seg.id]
            early = [r for r in f.rows if cast(Quarter, r.created_in) < start]  # a segment's rows have it
            if not early:
                continue
            if seg.opening_pipeline is None:
                rest.append((seg.id, f, early))
                continue
            need = sum(r.target for r in early)
            win: Optional[float] = f.assumptions["win_rate"].value
            own_opening = seg.opening_pipeline
            if win and own_opening * win < need * (1 - ctx.tolerance):
                yield self.finding(
                    ctx, ("sales", "segments", i, "opening_pipeline"),
                    f"{seg.id}: with {_cycle(f)}, the targets of {', '.join(str(r.quarter) for r in early)} "
                    f"({ctx.money(need)}) close from {possessive(seg.id)} opening pipeline: {ctx.money(own_opening)} at a "
                    f"{rate(win)} win rate closes {ctx.money(own_opening * win)}; {ctx.money(need / win - own_opening)} more "
                    "pipeline is missing",
                    quarter=early[0].quarter, segment=seg.id)
        if not rest:
            return
        need = sum(r.target for _, _, early in rest for r in early)
        cycles = "; ".join(f"{sid}: {_cycle(f)}" for sid, f, _ in rest)
        targets = "; ".join(f"{sid} {', '.join(str(r.quarter) for r in early)}" for sid, _, early in rest)
        first = min(r.quarter for _, _, early in rest for r in early)
        win = ctx.value("win_rate")
        opening = ctx.plan.sales.opening_pipeline
        what = f"the targets of {targets} ({ctx.money(need)}) close from pipeline created before {start}"
        if opening is None:
            needed = f" (about {ctx.money(need / win)} at a {rate(win)} win rate)" if win else ""
            yield self.finding(ctx, ("sales", "opening_pipeline"),
                               f"with the sales cycles of {cycles}, {what}, and sales.opening_pipeline is not "
                               f"stated{needed}", quarter=first)
        elif win and opening * win < need * (1 - ctx.tolerance):
            yield self.finding(ctx, ("sales", "opening_pipeline"),
                               f"with the sales cycles of {cycles}, {what}: the opening pipeline of "
                               f"{ctx.money(opening)} at a {rate(win)} win rate closes {ctx.money(opening * win)}; "
                               f"{ctx.money(need / win - opening)} more pipeline is missing", quarter=first)


def _sid(f: Funnel) -> str:
    """A segment's funnel's id (a segment's funnel always has one)."""
    return cast(str, f.segment)


def _lag(f: Funnel) -> int:
    """A funnel's lag in quarters: a segment's, or the company's of a plan without segments (both
    always have one; only a segmented plan's company funnel may have none)."""
    return cast(int, f.lag)


def _segments_of(plan: Plan) -> list[SalesSegment]:
    """``sales.segments`` of a segmented plan (the rules ask only when ``ctx.segmented``)."""
    return plan.sales.segments or []


def _cycle(f: Funnel) -> str:
    days = f.assumptions["sales_cycle_days"].value
    return f"a {days:g}-day sales cycle (lag {plural(_lag(f), 'quarter')})"


@register
class CapacityShortfall(Rule):
    """The sales team cannot carry the quarter's target.

    Why: bookings come from sellers. A target above what the ramped team can
    close, at the attainment sales itself expects, is a plan to miss.

    Fires when: `capacity(q)` is below `sales.targets[q] * (1 - tolerance)`, where
    capacity(q) sums, over the team rows and the three months of q,
    `count * annual_quota / 12 * productivity(month)`, times `expected_attainment`
    (and, with `sales.attrition`, each row's attrition factor
    `1 - annual_rate * (backfill_months + R) / 12`, R the ramp's shortfall in months).
    Productivity counts months m from the month of `start` (m = 0 in the start
    month; nothing before it; full at once when `start` is absent):
    `ramp_months: k` is `(m + 1) / k` for m < k and 1 after (k = 3: 1/3, 2/3, 1;
    k = 0: full at once); `ramp: [r0, r1, ...]` is r_m, and 1 after the list ends;
    nothing from the month after a row's `end`.

    With `sales.segments`: also per segment that has rows of its own
    (`segment: ID`) against its target (the message starts with its id), and the
    shared rows (without `segment:`) against what the segments' targets need
    beyond their own sellers, `sum of max(0, target - own capacity)`; the whole
    team against `sales.targets` as above.

    How to fix: hire earlier (or more), shorten ramp time with enablement, or
    lower the quarter's target.

    Example:
        Fires (four hires from April 2027 carry nothing in 2027Q1, whose target is 100,000):
            sales:
              team:
                - {role: AE, count: 4, annual_quota: 600000, ramp_months: 3, start: 2027-04-01}
            # 4 x 600,000 / 12 = 200,000 a month at full productivity. In 2027Q2
            # (April to June) the hires are at 1/3, 2/3 and 1: 200,000 x 2 = 400,000
            # capacity (x expected_attainment). With ramp: [0, 0.25, 0.5, 0.75]
            # instead, April to June is 0 + 0.25 + 0.5 = 0.75: 150,000, and from
            # August on 200,000 a month.
        Quiet (two sellers already on board carry 120,000 a quarter meanwhile):
            sales:
              team:
                - {role: AE, count: 2, annual_quota: 240000}
                - {role: AE, count: 4, annual_quota: 600000, ramp_months: 3, start: 2027-04-01}
    """

    code, name, severity = "A104", "capacity-shortfall", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.segmented:
            yield from self._segmented(ctx)
        for row in ctx.funnel.rows:
            if row.capacity < row.target * (1 - ctx.tolerance):
                short = round(row.target) - round(row.capacity)  # the difference of the amounts shown
                yield self.finding(
                    ctx, ("sales", "team"),
                    f"sales capacity in {row.quarter} is {ctx.money(row.capacity)} "
                    f"({_team_in(ctx.plan, row.quarter)}, at "
                    f"{pct(ctx.plan.sales.expected_attainment)} attainment{_attrition(ctx.plan)}); the target is "
                    f"{ctx.money(row.target)} (short by {ctx.money(short)}, "
                    f"{pct_beyond(1 - row.capacity / row.target, ctx.tolerance)})",
                    quarter=row.quarter)

    def _segmented(self, ctx: Context) -> Iterator[Finding]:
        """Each segment with dedicated rows against its own target; the shared rows against
        what the segments' targets need beyond their own sellers. (The whole team against
        the company's target follows in check.)"""
        plan, tol = ctx.plan, ctx.tolerance
        team = plan.sales.team
        shared = [r for r in team if r.segment is None]
        att = pct(plan.sales.expected_attainment)
        for i, q in enumerate(r.quarter for r in ctx.funnel.rows):
            beyond = []
            for f in ctx.funnels():
                row = f.rows[i]
                mine = [r for r in team if r.segment == f.segment]
                beyond.append((f.segment, max(0.0, row.target - row.capacity)))
                if mine and row.capacity < row.target * (1 - tol):
                    short = round(row.target) - round(row.capacity)
                    yield self.finding(
                        ctx, ("sales", "team"),
                        f"{f.segment}: the capacity of {possessive(_sid(f))} own sellers (segment: {f.segment}) in "
                        f"{q} is {ctx.money(row.capacity)} ({_team_in(plan, q, mine)}, at {att} attainment); "
                        f"{possessive(_sid(f))} target is {ctx.money(row.target)} (short by {ctx.money(short)}, "
                        f"{pct_beyond(1 - row.capacity / row.target, tol)})",
                        quarter=q, segment=f.segment)
            need = sum(x for _, x in beyond)
            if not shared or need <= 0:
                continue
            have = capacity(plan, q, rows=shared)
            if have < need * (1 - tol):
                parts = ", ".join(f"{sid} {ctx.money(x)}" for sid, x in beyond if x > 0)
                short = round(need) - round(have)
                yield self.finding(
                    ctx, ("sales", "team"),
                    f"the shared sellers' capacity (rows without segment:) in {q} is {ctx.money(have)} "
                    f"({_team_in(plan, q, shared)}, at {att} attainment); the segments' targets beyond their own "
                    f"sellers need {ctx.money(need)} ({parts}) (short by {ctx.money(short)}, "
                    f"{pct_beyond(1 - have / need, tol)})",
                    quarter=q)


def _team_in(plan: Plan, q: Quarter, rows: Optional[Sequence[TeamRow]] = None) -> str:
    """Who carries quarter q: head count, how many join during it, and what that is
    worth in fully ramped sellers (a seller starting mid-quarter is not a whole one)."""
    n = sellers(plan, q, rows)
    joining = sellers_joining(plan, q, rows)
    leaving = sellers_leaving(plan, q, rows)
    worth = ramped_sellers(plan, q, rows)
    if n == 0 and any(getattr(t, "end", None) is not None for t in (plan.sales.team if rows is None else rows)):
        return "no sellers on the team"  # (0.2's wording, "0 sellers, all fully ramped", without `end`)
    if abs(worth - n) < 0.05:
        return f"{plural(n, 'seller')}, all fully ramped"
    during = f", {joining} of them starting during {q}" if joining else ""
    if leaving:
        during += f", {leaving} {'' if joining else 'of them '}leaving during {q}"
    return f"{plural(n, 'seller')}{during}: worth {worth:.1f} fully ramped sellers"


def _attrition(plan: Plan) -> str:
    """The attrition factor capacity used (sales.attrition), as A104 says it; '' without one."""
    a = plan.sales.attrition
    if a is None:
        return ""
    factors = sorted({round(attrition_factor(plan, t), 4) for t in plan.sales.team if t.count})
    if not factors:
        return ""
    shown = f"{factors[0]:g}" if len(factors) == 1 else f"{factors[0]:g} to {factors[-1]:g}"
    return (f" and an attrition factor of {shown} ({pct(a.annual_rate)} a year leave; "
            f"{a.backfill_months:g} months to backfill, plus the ramp)")


def _fixed_shares(plan: Plan) -> bool:
    """Every other_pipeline item is one fixed share (as in 0.2)."""
    return all(s.capacity is None and not isinstance(s.share, dict) for s in plan.sales.other_pipeline or [])


def _other_sources(plan: Plan, row: FunnelRow, shown: int) -> str:
    """What the other sources of a quarter are, for A105: their share when every item is one
    fixed share (0.2's wording), else each item's part of the ``shown`` whole count."""
    if _fixed_shares(plan):
        return f"sales.other_pipeline, {pct(plan.other_share)}"
    items = plan.sales.other_pipeline or []
    parts = row.other_by_source or other_opportunities(plan, items, row.quarter, row.opportunities)
    whole = apportion(shown, [parts.get(s.id) or 0.0 for s in items])
    return "sales.other_pipeline: " + ", ".join(f"{s.name or s.id} {count(n)}" for s, n in zip(items, whole))


@register
class UnworkedLeads(Rule):
    """Marketing plans more opportunities than the sellers can work.

    Why: leads that nobody follows up are money spent twice: on the program,
    and on the reputation of a company that never called back.

    Fires when: `sales.max_opportunities_per_rep` is set and, for a quarter p,
    the opportunities planned, `mqls_planned(p) * mql_to_sql * sql_to_opportunity`
    plus the `other_opportunities(p)` that `sales.other_pipeline` brings, are above
    `sellers(p) * max_opportunities_per_rep * (1 + tolerance)`; sellers(p) counts
    the team whose start is on or before p's last day (and whose `end`, if any, is
    not before p's first day). Other pipeline's opportunities are its shares of the
    quarter's opportunities, or what a motion's team (`capacity`) creates in it.

    With `sales.segments`: once for the company, the opportunities of
    every segment (its MQLs at its own rates, plus its other pipeline) against
    the whole team.

    How to fix: hire (or add sales development capacity) before the programs
    land, move programs to later quarters, or tighten the MQL definition.

    Example:
        Fires (the programs bring about 44 opportunities a quarter; 2 sellers work 30):
            sales:
              team: [{role: AE, count: 2, annual_quota: 240000}]
              max_opportunities_per_rep: 15
        Quiet (2 sellers work 50):
            sales:
              team: [{role: AE, count: 2, annual_quota: 240000}]
              max_opportunities_per_rep: 25
    """

    code, name, severity = "A105", "unworked-leads", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.segmented:
            yield from self._segmented(ctx)
            return
        cap = ctx.plan.sales.max_opportunities_per_rep
        m2s, s2o = ctx.value("mql_to_sql"), ctx.value("sql_to_opportunity")
        if cap is None or m2s is None or s2o is None:
            return
        for row in ctx.funnel.rows:
            opps = planned_opportunities(ctx.funnel, row.quarter)
            if opps is None:
                continue
            n = sellers(ctx.plan, row.quarter)
            if opps > n * cap * (1 + ctx.tolerance):
                marketing = cast(float, row.mqls_planned) * m2s * s2o  # known: opps is
                mqls = f"{count(row.mqls_planned)} MQLs x {rate(m2s)} x {rate(s2o)}"
                if row.other_opportunities:
                    parts = ceil_count(marketing), ceil_count(row.other_opportunities)  # shown parts add up
                    what = (f"{row.quarter} plans about {count(sum(parts))} opportunities: {count(parts[0])} from "
                            f"marketing's programs ({mqls}) and {count(parts[1])} from other sources "
                            f"({_other_sources(ctx.plan, row, parts[1])})")
                else:
                    what = f"marketing's programs in {row.quarter} bring about {count(marketing)} opportunities ({mqls})"
                yield self.finding(
                    ctx, ("sales", "max_opportunities_per_rep"),
                    f"{what}; {plural(n, 'seller')} can work {count(n * cap)} ({n} x {cap})",
                    quarter=row.quarter)

    def _segmented(self, ctx: Context) -> Iterator[Finding]:
        """Once for the company: every segment's planned opportunities against the whole team."""
        cap = ctx.plan.sales.max_opportunities_per_rep
        if cap is None:
            return
        for i, row in enumerate(ctx.funnel.rows):
            q = row.quarter
            parts, other = [], 0.0
            for f in ctx.funnels():
                m2s, s2o = f.assumptions["mql_to_sql"].value, f.assumptions["sql_to_opportunity"].value
                srow = f.rows[i]
                if srow.mqls_planned is None or m2s is None or s2o is None:
                    break
                parts.append((f.segment, srow.mqls_planned, m2s, s2o))
                other += srow.other_opportunities or 0.0
            else:
                marketing = sum(m * a * b for _, m, a, b in parts)
                n = sellers(ctx.plan, q)
                if marketing + other <= n * cap * (1 + ctx.tolerance):
                    continue
                mqls = ", ".join(f"{sid} {count(m)} MQLs x {rate(a)} x {rate(b)}" for sid, m, a, b in parts)
                if other:
                    shown = ceil_count(marketing), ceil_count(other)
                    what = (f"{q} plans about {count(sum(shown))} opportunities: {count(shown[0])} from marketing's "
                            f"programs ({mqls}) and {count(shown[1])} from other sources (other_pipeline)")
                else:
                    what = f"marketing's programs in {q} bring about {count(marketing)} opportunities ({mqls})"
                yield self.finding(ctx, ("sales", "max_opportunities_per_rep"),
                                   f"{what}; {plural(n, 'seller')} can work {count(n * cap)} ({n} x {cap})",
                                   quarter=q)


@register
class MissingAssumption(Rule):
    """The demand waterfall needs an assumption that neither side states.

    Why: without, say, a win rate nobody can say how many opportunities a target
    needs, so the MQL, capacity and pipeline checks cannot run.

    Fires when: `average_deal_size`, `win_rate`, `sql_to_opportunity` or
    `mql_to_sql` is in neither `sales.assumptions` nor `marketing.assumptions`;
    or `lead_to_mql` is missing while a program forecasts only `expected_leads`.

    With `sales.segments`: one finding per key, listing the segments
    whose waterfall misses it (each side's segment value, else its company-wide
    one).

    How to fix: state the value on the side that owns that stage (sales for
    mql_to_sql and later stages, marketing for lead_to_mql), from CRM history if
    you have it.

    Example:
        Fires (neither side states the win rate):
            sales:
              assumptions: {win_rate: null}
        Quiet (marketing states it, so the funnel uses marketing's value):
            sales:
              assumptions: {win_rate: null}
            marketing:
              assumptions: {win_rate: 0.25}
    """

    code, name, severity = "A106", "missing-assumption", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.segmented:
            yield from self._segmented(ctx)
            return
        for key in WATERFALL_NEEDS:
            if ctx.value(key) is None:
                yield self.finding(
                    ctx, ("sales", "assumptions"),
                    f"the demand waterfall needs {key} and neither sales.assumptions nor "
                    f"marketing.assumptions states it: state it in sales.assumptions")
        if ctx.value("lead_to_mql") is None:
            leads_only = [p.id for p in ctx.plan.marketing.programs
                          if p.expected_mqls is None and p.expected_leads is not None]
            if leads_only:
                more = f" and {len(leads_only) - 3} more" if len(leads_only) > 3 else ""
                yield self.finding(
                    ctx, ("marketing", "assumptions"),
                    f"programs {', '.join(leads_only[:3])}{more} forecast leads only, and neither side states "
                    "lead_to_mql to turn them into MQLs: state it in marketing.assumptions")

    def _segmented(self, ctx: Context) -> Iterator[Finding]:
        """One finding per key, listing the segments whose waterfall misses it."""
        funnels = ctx.funnels()
        for key in WATERFALL_NEEDS:
            missing = [_sid(f) for f in funnels if f.assumptions[key].value is None]
            if missing:
                ids = ", ".join(missing)
                yield self.finding(
                    ctx, ("sales", "assumptions"),
                    f"{ids}: the demand waterfall needs {key} and neither side states it for "
                    f"{'this segment' if len(missing) == 1 else 'these segments'} (not in sales.assumptions, "
                    "marketing.assumptions or their segments' entries): state it in sales.assumptions, or per "
                    "segment in sales.segments[].assumptions",
                    segment=missing[0] if len(missing) == 1 else None)
        unknown = [_sid(f) for f in funnels if any(p.mqls is None for p in f.by_quarter.values())]
        if unknown:
            leads_only = [p.id for p in ctx.plan.marketing.programs
                          if p.expected_mqls is None and p.expected_leads is not None]
            more = f" and {len(leads_only) - 3} more" if len(leads_only) > 3 else ""
            ids = ", ".join(unknown)
            yield self.finding(
                ctx, ("marketing", "assumptions"),
                f"{ids}: programs {', '.join(leads_only[:3])}{more} forecast leads only, and neither side states "
                f"lead_to_mql for {'this segment' if len(unknown) == 1 else 'these segments'} to turn them into "
                "MQLs: state it in marketing.assumptions, or per segment in marketing.segments",
                segment=unknown[0] if len(unknown) == 1 else None)


@register
class SegmentWithoutSellers(Rule):
    """A segment has a target in a quarter while no seller can carry it then.

    Why: with `sales.segments`, sellers with `segment: ID` work only that
    segment; sellers without `segment:` work every segment. A segment whose
    target falls in a quarter when neither kind is on the team has nobody to
    sell to it, whatever marketing brings.

    Fires when: the plan has `sales.segments`, and a segment's target is above 0
    in a quarter in which no team row with `segment:` that segment and no
    shared row (without `segment:`) is active (a row is active in a quarter when
    its productivity is above 0 in some month of it). One finding per segment,
    listing the quarters.

    How to fix: give the segment its own sellers (`segment: ID` on a team row)
    from early enough, keep a shared row, or move the segment's target to the
    quarters its sellers work.

    Example:
        Fires (enterprise's sellers start in 2027Q3; its targets of 2027Q1 and
        2027Q2 have nobody to carry them):
            icp:
              segments: [{id: core}, {id: enterprise}]
            sales:
              segments:
                - {id: core, share: 0.5}
                - {id: enterprise, share: 0.5}
              team:
                - {role: AE, count: 2, annual_quota: 240000, segment: core}
                - {role: AE Enterprise, count: 1, annual_quota: 400000, segment: enterprise, start: 2027-07-01}
        Quiet (a shared row works every segment from the start):
            icp:
              segments: [{id: core}, {id: enterprise}]
            sales:
              segments:
                - {id: core, share: 0.5}
                - {id: enterprise, share: 0.5}
              team:
                - {role: AE, count: 2, annual_quota: 240000}
                - {role: AE Enterprise, count: 1, annual_quota: 400000, segment: enterprise, start: 2027-07-01}
    """

    code, name, severity = "A107", "segment-without-sellers", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        plan = ctx.plan
        if not plan.sales.segments:
            return
        team = plan.sales.team
        shared = [r for r in team if r.segment is None]
        cal = plan.calendar

        def active(row: TeamRow, q: Quarter) -> bool:
            return any(productivity(row, y, m) > 0 for y, m in q.months(cal))

        for i, seg in enumerate(plan.sales.segments):
            carriers = [r for r in team if r.segment == seg.id] + shared
            targets = segment_targets(plan, seg)
            bare = [(q, t) for q, t in targets.items() if t > 0 and not any(active(r, q) for r in carriers)]
            if not bare:
                continue
            which = "; ".join(f"{q} ({ctx.money(t)})" for q, t in bare)
            own = [r for r in team if r.segment == seg.id]
            rows = (f"{possessive(seg.id)} own sellers (segment: {seg.id}) are not active then"
                    if own else f"no team row has segment: {seg.id}")
            yield self.finding(
                ctx, ("sales", "segments", i, "id"),
                f"{seg.id}: {plural(len(bare), 'quarter')} with a target and no seller to carry it: {which}; "
                f"{rows}, and no shared row (without segment:) is active in {'it' if len(bare) == 1 else 'them'}",
                quarter=bare[0][0], segment=seg.id)
