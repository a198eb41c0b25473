"""G — shared goals: do both sides answer for the same numbers?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from gtmplan.engine.funnel import segment_targets
from gtmplan.output.fmt import count, pct_beyond, rel_diff
from gtmplan.plan.vocabulary import SIDES
from gtmplan.rules.base import Context, Finding, Rule, register

REVENUE_METRICS = ("new_bookings", "pipeline")


@register
class OneSidedGoal(Rule):
    """A shared goal that only one side answers for.

    Why: a goal owned by one function becomes that function's goal, and the
    other plans around it. Shared goals (bookings, pipeline, MQL volume) are the
    point where sales and marketing are measured together.

    Fires when: a goal's `owners` lack `sales` or `marketing`.

    How to fix: add the other side to `owners`, or move the goal into that team's
    own working documents if it really is one-sided.

    Example:
        Fires (marketing does not answer for the bookings goal):
            goals:
              - {id: bookings, metric: new_bookings, target: 400000, owners: [sales]}
        Quiet:
            goals:
              - {id: bookings, metric: new_bookings, target: 400000, owners: [sales, marketing]}
    """

    code, name, severity = "G301", "one-sided-goal", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for i, goal in enumerate(ctx.plan.goals or []):
            missing = [s for s in SIDES if s not in goal.owners]
            if missing:
                has = " and ".join(goal.owners) or "nobody"
                yield self.finding(ctx, ("goals", i, "owners"),
                                   f"goal {goal.id!r} is owned by {has} only: add {' and '.join(missing)} "
                                   "so that both sides answer for it")


@register
class NoPrimaryObjective(Rule):
    """Revenue and market-share goals without saying which one wins.

    Why: revenue and market share pull apart (discounts win share and cost
    revenue). When the plan has both, each side will pick the one that suits it
    unless the plan says which comes first.

    Fires when: goals include a revenue-type metric (`new_bookings`, `pipeline`)
    and `market_share`, and `primary_objective` is absent.

    How to fix: set `primary_objective: revenue` or `primary_objective: market_share`.

    Example:
        Fires (a revenue goal and a market-share goal, and no word on which wins):
            primary_objective: null
            goals:
              - {id: bookings, metric: new_bookings, target: 400000, owners: [sales, marketing]}
              - {id: share, metric: market_share, target: 0.2, owners: [sales, marketing]}
        Quiet:
            primary_objective: revenue
            goals:
              - {id: bookings, metric: new_bookings, target: 400000, owners: [sales, marketing]}
              - {id: share, metric: market_share, target: 0.2, owners: [sales, marketing]}
    """

    code, name, severity = "G302", "no-primary-objective", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        goals = ctx.plan.goals or []
        metrics = {g.metric for g in goals}
        if ctx.plan.primary_objective is None and metrics & set(REVENUE_METRICS) and "market_share" in metrics:
            revenue = ", ".join(sorted(metrics & set(REVENUE_METRICS)))
            yield self.finding(ctx, ("goals",),
                               f"goals include revenue ({revenue}) and market_share, and primary_objective is not "
                               "set: say which one wins when they conflict")


@register
class GoalTargetMismatch(Rule):
    """A shared goal that the detailed plan does not add up to.

    Why: the goal is what leadership reads; the quarterly targets and programs are
    what the teams execute. When they disagree, one of them is fiction.

    Fires when: a `new_bookings` goal differs by more than the tolerance from the
    sum of `sales.targets` over its period; or an `mqls` goal differs from the sum
    of MQLs planned by marketing's programs over its period.

    How to fix: make the goal the sum of the quarters (or change the quarters).

    Example:
        Fires (the quarterly targets add up to 400,000; the goal says 500,000):
            goals:
              - {id: bookings, metric: new_bookings, target: 500000, owners: [sales, marketing]}
        Quiet:
            goals:
              - {id: bookings, metric: new_bookings, target: 400000, owners: [sales, marketing]}
    """

    code, name, severity = "G303", "goal-target-mismatch", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        f = ctx.funnel
        for i, goal in enumerate(ctx.plan.goals or []):
            rows = f.rows if goal.period == "FY" else [r for r in f.rows if r.quarter == goal.period]
            period = "the horizon" if goal.period == "FY" else str(goal.period)
            if goal.metric == "new_bookings":
                total = sum(r.target for r in rows)
                if rel_diff(goal.target, total) > ctx.tolerance:
                    yield self.finding(ctx, ("goals", i, "target"),
                                       f"goal {goal.id!r} is {ctx.money(goal.target)} of new bookings, but "
                                       f"sales.targets add up to {ctx.money(total)} over {period} "
                                       f"(differ by {pct_beyond(rel_diff(goal.target, total), ctx.tolerance)})",
                                       quarter=None if goal.period == "FY" else goal.period)
            elif goal.metric == "mqls":
                if any(r.mqls_planned is None for r in rows):
                    continue
                total = sum(cast(float, r.mqls_planned) for r in rows)  # none is None (above)
                if rel_diff(goal.target, total) > ctx.tolerance:
                    yield self.finding(ctx, ("goals", i, "target"),
                                       f"goal {goal.id!r} is {count(goal.target)} MQLs, but marketing's programs "
                                       f"plan {count(total)} over {period} "
                                       f"(differ by {pct_beyond(rel_diff(goal.target, total), ctx.tolerance)})",
                                       quarter=None if goal.period == "FY" else goal.period)


@register
class NoSharedGoals(Rule):
    """The plan has no shared goals.

    Why: without goals both sides sign, each team optimises its own numbers:
    marketing MQL volume, sales closed deals. Shared goals are what makes one plan.

    Fires when: `goals` is absent or empty.

    How to fix: add at least a new-bookings goal owned by both sides.

    Example:
        Fires:
            goals: []
        Quiet:
            goals:
              - {id: bookings, metric: new_bookings, target: 400000, owners: [sales, marketing]}
    """

    code, name, severity = "G304", "no-shared-goals", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.plan.goals:
            yield self.finding(ctx, ("goals",), "the plan has no shared goals: add at least a new_bookings goal "
                                                "owned by sales and marketing")


def _exact_money(x: float, ctx: Context) -> str:
    """Money to the cent when it is not whole (1.01 must not read as 1)."""
    if abs(x - round(x)) < 0.005:
        return ctx.money(x)
    sign = ctx.money(0).rstrip("0")  # the currency sign as money() writes it: "$", "CHF "
    return f"{'-' if x < 0 else ''}{sign}{abs(x):,.2f}"


@register
class SegmentTargetsMismatch(Rule):
    """The segments' targets do not add up to the company's target.

    Why: with `sales.segments`, each segment's waterfall runs on its own target,
    and the company's row is their sum. When the segments' targets add up to
    more or less than `sales.targets`, the per-segment plan and the company
    number that everyone quotes describe two different plans.

    Fires when: the plan has `sales.segments` and, in some quarter, the
    segments' targets (their `targets`, or `share x sales.targets`) differ from
    `sales.targets` by more than one currency unit. One finding per quarter,
    with the sum, the company's target and each segment's part.

    How to fix: make the segments' shares add up to 1, or their targets to the
    company's target; or correct `sales.targets`.

    Example:
        Fires (the shares add up to 0.9: 90,000 of 100,000 each quarter):
            icp:
              segments: [{id: core}, {id: enterprise}]
            sales:
              segments:
                - {id: core, share: 0.5}
                - {id: enterprise, share: 0.4}
        Quiet (0.5 + 0.5):
            icp:
              segments: [{id: core}, {id: enterprise}]
            sales:
              segments:
                - {id: core, share: 0.5}
                - {id: enterprise, share: 0.5}
    """

    code, name, severity = "G305", "segment-targets-mismatch", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        plan = ctx.plan
        segs = plan.sales.segments
        if not segs:
            return
        parts = {s.id: segment_targets(plan, s) for s in segs}
        for q, company in plan.sales.targets.items():
            if q not in next(iter(parts.values())):
                continue  # outside the horizon (a located error before any rule runs)
            total = sum(p[q] for p in parts.values())
            if abs(total - company) <= 1:
                continue
            each = []
            for s in segs:
                amount = _exact_money(parts[s.id][q], ctx)
                each.append(f"{s.id} {amount}" if s.targets is not None
                            else f"{s.id} {s.share:g} x {ctx.money(company)} = {amount}")
            yield self.finding(
                ctx, ("sales", "targets", str(q)),
                f"in {q} the segments' targets add up to {_exact_money(total, ctx)} ({', '.join(each)}); "
                f"sales.targets says {_exact_money(company, ctx)} (differ by {_exact_money(abs(total - company), ctx)})",
                quarter=q)
