"""E — evidence: the plan against its recorded actuals (``actuals/``).

Both rules read the recorded quarters (:mod:`gtmplan.read.actuals`); a plan without
``actuals/`` gets no E finding. Pooled figures use the most recent
``check.evidence_quarters`` (default 4) recorded quarters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional

from gtmplan.engine.funnel import program_leads
from gtmplan.output.fmt import count, pct, rate, rel_diff
from gtmplan.plan.sourcemap import Location
from gtmplan.plan.vocabulary import SIDES
from gtmplan.read.actuals import MIN_RATE_N, MIN_WON_DEALS, RATE_KEYS, RATE_UNITS, RecordedQuarter, quarters_phrase
from gtmplan.rules.base import Context, Finding, Rule, register

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Assumptions


@register
class AssumptionContradicted(Rule):
    """A stated assumption lies outside what the recorded quarters measured.

    Why: an assumption the last year of data contradicts makes every figure
    computed from it wrong (MQLs needed, pipeline, capacity), and passes every
    other rule. The quarterly review exists to feed what happened back into the
    plan.

    Fires when: a rate a side states (`lead_to_mql`, `mql_to_sql`,
    `sql_to_opportunity`, `win_rate`) lies outside the 95% Wilson interval of the
    rate pooled over the most recent `check.evidence_quarters` recorded quarters
    (k = sum of round(actual * n), n = sum of n), measured on at least 30 rows;
    or a stated `average_deal_size` differs from the pooled bookings / won deals
    (at least 10 won deals) by more than `check.tolerance`. One finding per side
    and key, at the stated value. With segments, a value stated in a side's
    `segments[s]` is held against s's recorded figures (`segments:` in the
    actuals files; no finding while s has none; its deal size is its bookings /
    won), a company-wide value against the company's.

    How to fix: state what the track record measured (`gtmplan calibrate`
    proposes the values), or, if something changed (a new price, a new sales
    process), say so in a comment and suppress the finding on that line with
    `# gtmplan: ignore[E701]`.

    Example:
        Fires (16 of 100 closed deals won in the last recorded quarter: 95% range
        10.1–24.4%, and sales assumes 0.25):
            sales:
              assumptions: {win_rate: 0.25}
            actuals/2026Q4.yaml:
              rates: {win_rate: {actual: 0.16, n: 100}}
        Quiet (17 of 100: 95% range 10.9–25.6% holds 0.25):
            sales:
              assumptions: {win_rate: 0.25}
            actuals/2026Q4.yaml:
              rates: {win_rate: {actual: 0.17, n: 100}}
    """

    code, name, severity = "E701", "assumption-contradicted", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.actuals:
            return
        plan = ctx.plan
        # each stated value against the actuals of its own scope (docs/reference/plan-format.md,
        # 'Resolutions (0.3)', actuals by segment): company-wide values against the company's figures,
        # a value in side.segments[s] against s's (no finding while s has none recorded)
        scopes: list[tuple] = [(side, None, getattr(plan, side).assumptions, (side, "assumptions"))
                               for side in SIDES]
        for side in SIDES:
            for i, entry in enumerate(getattr(plan, side).segments or []):
                if entry.assumptions is not None:
                    scopes.append((side, entry.id, entry.assumptions, (side, "segments", i, "assumptions")))
        for side, segment, a, base in scopes:
            if a is not None:
                yield from self._scope(ctx, side, segment, a, base)

    def _scope(self, ctx: Context, side: str, segment: Optional[str], a: Assumptions,
               base: tuple) -> Iterator[Finding]:
        last = ctx.evidence_quarters
        who = f"{segment}: {side} assumes" if segment else f"{side} assumes"
        scoped = f" for {segment}" if segment else ""
        measured = f"{segment}'s figures in " if segment else ""
        for key in RATE_KEYS:
            stated = getattr(a, key)
            if stated is None:
                continue
            pooled = ctx.actuals.pooled_rate(key, last, segment)
            if pooled is None or pooled.n < MIN_RATE_N or not pooled.contradicts(stated):
                continue
            where = "above" if stated > pooled.high else "below"
            yield self.finding(
                ctx, (*base, key),
                f"{who} {key} {rate(stated)}{scoped}; {measured}{quarters_phrase(pooled.quarters, pooled.window)} "
                f"measured {pct(pooled.actual, 1)} (95% range {pct(pooled.low, 1)[:-1]}–{pct(pooled.high, 1)}, "
                f"{count(pooled.n)} {RATE_UNITS[key]}): the stated value is {where} that range", segment=segment)
        stated = a.average_deal_size
        if stated is None:
            return
        deal = ctx.actuals.pooled_deal_size(last, segment)
        if deal is None or deal.won < MIN_WON_DEALS:
            return
        diff = rel_diff(stated, deal.actual)
        if diff > ctx.tolerance:
            yield self.finding(
                ctx, (*base, "average_deal_size"),
                f"{who} average_deal_size {ctx.money(stated)}{scoped}; {measured}"
                f"{quarters_phrase(deal.quarters, deal.window)} "
                f"measured {ctx.money(deal.actual)} ({ctx.money(deal.bookings)} booked on "
                f"{count(deal.won)} won deals; differ by {pct(diff)}, more than the "
                f"{pct(ctx.tolerance)} tolerance)", segment=segment)


@register
class WeakProgram(Rule):
    """A program still planned fell short of its lead forecast in its last two recorded quarters.

    Why: the program portfolio is managed like a portfolio: the weak are replaced
    by new ones. A program that missed its forecast twice in a row and is still
    in the plan, at the same forecast, carries the plan's MQLs on hope.

    Fires when: a program runs in a horizon quarter after the latest recorded
    quarter, and its recorded `leads` were below `expected_leads * (1 -
    tolerance)` in each of the last two recorded quarters in which it ran (a
    recorded quarter lists it under `programs`), among the most recent
    `check.evidence_quarters` recorded quarters (older records are not
    evidence about the program today). A program no longer planned after the
    latest recorded quarter is not flagged.

    How to fix: replace the program with a new one, rework it (and lower its
    `expected_leads` to what it brings), or move its budget to a program that
    meets its forecast (`gtmplan review` lists them, weakest first).

    Example:
        Fires (seo expects 400 leads a quarter, at least 360 within the 10% tolerance,
        and brought 300, then 350):
            marketing:
              programs:
                - {id: seo, channel: seo, quarters: [2027Q1, 2027Q2], cost: 8000, expected_leads: 400}
            actuals/2026Q3.yaml:
              programs: [{id: seo, leads: 300, cost: 8000}]
            actuals/2026Q4.yaml:
              programs: [{id: seo, leads: 350, cost: 8000}]
        Quiet (one weak quarter, then 380):
            marketing:
              programs:
                - {id: seo, channel: seo, quarters: [2027Q1, 2027Q2], cost: 8000, expected_leads: 400}
            actuals/2026Q3.yaml:
              programs: [{id: seo, leads: 300, cost: 8000}]
            actuals/2026Q4.yaml:
              programs: [{id: seo, leads: 380, cost: 8000}]
    """

    code, name, severity = "E702", "weak-program", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.actuals:
            return
        plan = ctx.plan
        latest = ctx.actuals.quarters[-1].quarter
        h = plan.horizon
        l2m = ctx.value("lead_to_mql")
        floor_share = 1 - ctx.tolerance
        for i, p in enumerate(plan.marketing.programs):
            ahead = sorted(q for q in set(p.quarters) if h.start <= q <= h.end and q > latest)
            if not ahead:
                continue
            expected = program_leads(p, l2m)
            if not expected:
                continue
            ran = [(rq, found) for rq in ctx.actuals.latest(ctx.evidence_quarters)
                   if (found := rq.program(p.id)) is not None][-2:]
            if len(ran) < 2:
                continue
            floor = expected * floor_share
            if not all(found[1].leads < floor for _, found in ran):
                continue
            (q1, (j1, a1)), (q2, (j2, a2)) = ran
            related = [_at(rq, j) for rq, (j, _) in ran]
            span = str(ahead[0]) if len(ahead) == 1 else f"{ahead[0]}-{ahead[-1]}"
            f = self.finding(
                ctx, ("marketing", "programs", i, "id"),
                f"program {p.id!r} brought {count(a1.leads)} leads in {q1.quarter} and {count(a2.leads)} in "
                f"{q2.quarter} against {count(expected)} expected per quarter (at least {count(floor)} within "
                f"tolerance); it is still planned for {span}: replace or rework it",
                quarter=ahead[0])
            f.related = related
            yield f


def _at(rq: RecordedQuarter, j: int) -> Location:
    return rq.source.locate(("programs", j, "leads"))
