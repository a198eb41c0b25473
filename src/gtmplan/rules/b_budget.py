"""B — budget and the program portfolio."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from gtmplan.engine.funnel import program_mqls, program_mqls_in_segments, segment_lead_to_mql
from gtmplan.output.fmt import count, pct, pct_beyond, plural
from gtmplan.rules.base import Context, Finding, Rule, register


@register
class OverBudget(Rule):
    """The programs running in a quarter cost more than that quarter's budget.

    Why: a marketing plan that spends more than it has will be cut mid-quarter,
    usually by dropping whatever is easiest to stop, not what works least.

    Fires when: the sum of `cost` of the programs running in a horizon quarter is
    above `marketing.budget` for that quarter. (Cost is per quarter a program
    runs.)

    How to fix: drop or shrink the weakest programs of that quarter (see
    `gtmplan review`), move one to another quarter, or raise the budget.

    Example:
        Fires (the programs running in 2027Q2 cost 20,000):
            marketing:
              budget: {2027Q2: 15000}
        Quiet:
            marketing:
              budget: {2027Q2: 20000}
    """

    code, name, severity = "B401", "over-budget", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for row in ctx.funnel.rows:
            budget = cast(float, row.budget)  # the company's rows always have their quarter's budget
            over = row.program_cost - budget
            if over > 0.005:
                n = len(ctx.funnel.by_quarter[row.quarter].programs)
                share = f", {pct_beyond(over / budget, 0)}" if budget else ""
                shown = round(row.program_cost) - round(budget)  # the difference of the amounts shown
                yield self.finding(ctx, ("marketing", "budget", str(row.quarter)),
                                   f"the {plural(n, 'program')} running in {row.quarter} cost {ctx.money(row.program_cost)}; "
                                   f"the budget is {ctx.money(row.budget)} (over by {ctx.money(shown)}{share})",
                                   quarter=row.quarter)


@register
class ChannelConcentration(Rule):
    """One channel brings most of the planned MQLs.

    Why: a portfolio that depends on one channel breaks when that channel does (an
    ad platform's prices, an events season, a search update). Diversified demand
    is what lets the weak programs be replaced without missing the number.

    Fires when: one channel brings more than `check.max_channel_share` (default
    0.5) of all MQLs planned over the horizon.

    How to fix: shift budget into a second and third channel, or, if the
    concentration is deliberate, raise `check.max_channel_share`.

    Example:
        Fires (webinars bring 600 of 800 MQLs, 75%):
            marketing:
              programs:
                - {id: webinars, channel: webinars, quarters: [2027Q1, 2027Q2], cost: 10000, expected_mqls: 300}
                - {id: events, channel: events, quarters: [2027Q1, 2027Q2], cost: 2000, expected_mqls: 100}
        Quiet (each channel brings half):
            marketing:
              programs:
                - {id: webinars, channel: webinars, quarters: [2027Q1, 2027Q2], cost: 10000, expected_mqls: 200}
                - {id: events, channel: events, quarters: [2027Q1, 2027Q2], cost: 2000, expected_mqls: 200}
    """

    code, name, severity = "B403", "channel-concentration", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        plan = ctx.plan
        l2m = ctx.value("lead_to_mql")
        start, end = plan.horizon.start, plan.horizon.end
        by_channel: dict[str, float] = {}
        biggest: dict[str, tuple[float, int]] = {}
        by_segment = segment_lead_to_mql(plan) if ctx.segmented else None
        for i, p in enumerate(plan.marketing.programs):
            # with segments, a program's MQLs are its parts at each segment's lead_to_mql
            per_q = program_mqls(p, l2m) if by_segment is None else program_mqls_in_segments(plan, p, by_segment)
            if per_q is None:
                return  # A106 says why the MQLs cannot be counted
            total = per_q * sum(1 for q in set(p.quarters) if start <= q <= end)
            by_channel[p.channel] = by_channel.get(p.channel, 0.0) + total
            if total > biggest.get(p.channel, (-1.0, 0))[0]:
                biggest[p.channel] = (total, i)
        all_mqls = sum(by_channel.values())
        if all_mqls <= 0:
            return
        for channel, mqls in sorted(by_channel.items(), key=lambda kv: -kv[1]):
            share = mqls / all_mqls
            if share > ctx.max_channel_share:
                yield self.finding(ctx, ("marketing", "programs", biggest[channel][1], "channel"),
                                   f"channel {channel!r} brings {count(mqls)} of {count(all_mqls)} MQLs planned over "
                                   f"the horizon ({pct_beyond(share, ctx.max_channel_share)}; at most {pct(ctx.max_channel_share)} allowed)")


@register
class ProgramWithoutForecast(Rule):
    """A program with no lead or MQL forecast.

    Why: a program that forecasts nothing cannot be judged at the quarterly
    review, so it can never be cut for under-performing, and it adds nothing to
    the waterfall.

    Fires when: a program has neither `expected_leads` nor `expected_mqls`.

    How to fix: write what the program should bring per quarter it runs, even as
    a rough first estimate; the review will correct it.

    Example:
        Fires:
            marketing:
              programs:
                - {id: trade-show, channel: events, quarters: [2027Q2], cost: 4000}
        Quiet:
            marketing:
              programs:
                - {id: trade-show, channel: events, quarters: [2027Q2], cost: 4000, expected_leads: 300}
    """

    code, name, severity = "B404", "program-without-forecast", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for i, p in enumerate(ctx.plan.marketing.programs):
            if p.expected_leads is None and p.expected_mqls is None:
                yield self.finding(ctx, ("marketing", "programs", i, "id"),
                                   f"program {p.id!r} ({ctx.money(p.cost)} per quarter) forecasts neither "
                                   "expected_leads nor expected_mqls: it cannot be judged at review")


@register
class ProgramOutsideHorizon(Rule):
    """A program none of whose quarters lies in the plan's horizon.

    Why: such a program is in no figure: no MQLs planned, no cost against the
    budget, nothing to review. It is almost always a typo in the year
    (`2026Q3` for `2027Q3`), and without this check the plan still passes
    `check --strict` while the program silently disappears.

    Fires when: none of a program's `quarters` is between `horizon.start` and
    `horizon.end` (inclusive).

    How to fix: correct the quarters (usually the year), extend the horizon, or
    remove the program if it belongs to another plan.

    Example:
        Fires (the horizon is 2027Q1-2027Q4; 2026Q3 is probably a typo for 2027Q3):
            horizon: {start: 2027Q1, end: 2027Q4}
            marketing:
              programs:
                - {id: trade-show, channel: events, quarters: [2026Q3], cost: 4000, expected_leads: 300}
        Quiet:
            horizon: {start: 2027Q1, end: 2027Q4}
            marketing:
              programs:
                - {id: trade-show, channel: events, quarters: [2027Q3], cost: 4000, expected_leads: 300}
    """

    code, name, severity = "B405", "program-outside-horizon", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        start, end = ctx.plan.horizon.start, ctx.plan.horizon.end
        for i, p in enumerate(ctx.plan.marketing.programs):
            if any(start <= q <= end for q in p.quarters):
                continue
            quarters = ", ".join(str(q) for q in sorted(set(p.quarters)))
            cost = ctx.money(p.cost * len(set(p.quarters)))
            yield self.finding(ctx, ("marketing", "programs", i, "quarters"),
                               f"program {p.id!r} runs only in {quarters}, outside the horizon {start}-{end}: "
                               f"its {cost} of spend and its leads are in no figure (a typo in the year?)")
