"""What to change in the plan after a review: concrete, with the numbers, and never
more certain than the data (docs/reference/cli.md 0.2, "Statistics"; docs/reference/rules.md E701).

- A rate's assumption is questioned only with n >= 30 rows and the stated value
  outside the 95% Wilson interval; below that, or inside it, the text says how
  many more rows it would take to tell.
- The average deal size and the sales cycle are questioned only from at least
  10 won deals.
- A program is "weak" by :func:`result.is_weak`, the same test the report uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from gtmplan.commands.review.figures import OTHER_SOURCES
from gtmplan.commands.review.result import MIN_RATE_ROWS, MIN_WON_DEALS, ProgramRow, Rate, ReviewResult
from gtmplan.engine.funnel import lag_quarters
from gtmplan.engine.stats import plan_value, wilson
from gtmplan.output.fmt import count, money, pct, plural, possessive, rate, rel_diff

if TYPE_CHECKING:  # the model module imports pydantic: plans may be compiled records
    from gtmplan.plan.loaded import LoadedPlan
    from gtmplan.plan.model import Plan

MAX_ROWS_TO_TELL = 10_000_000
FAR_MORE = 100  # more than this many times the rows measured: not worth a number


def rows_to_tell(r: Rate, stated: float) -> Optional[int]:
    """How many rows in all, if the measured rate held, before its 95% interval would
    exclude ``stated`` (at least MIN_RATE_ROWS); None when it never would."""
    if r.actual is None or r.n is None:  # n is set whenever the rate is measured
        return None
    p = r.actual

    def excludes(n: int) -> bool:
        lo, hi = wilson(round(p * n), n)
        return not lo <= stated <= hi

    n = max(r.n, MIN_RATE_ROWS)
    if excludes(n):
        return n
    top = n
    while not excludes(top):
        top *= 2
        if top > MAX_ROWS_TO_TELL:
            return None
    low = top // 2
    while low + 1 < top:
        mid = (low + top) // 2
        if excludes(mid):
            top = mid
        else:
            low = mid
    return top


def _interval(r: Rate) -> str:
    return f"{pct(r.actual, 1)}, {r.k:,} of {r.n:,}; 95% interval {pct(r.low, 1)} to {pct(r.high, 1)}"


def rate_suggestions(key: str, r: Rate, q: str) -> list[str]:
    """What a measured rate says of the values the plan states for it (none when it was not measured)."""
    if r.actual is None or r.low is None or r.high is None or r.n is None:  # all set when measured
        return []
    stated = r.stated()
    if not stated:
        if r.enough:
            return [f"State {key} in the plan: {q} measured {_interval(r)}."]
        return [f"{key}: {q} measured {_interval(r)}; it takes {MIN_RATE_ROWS} rows to suggest a value "
                f"({MIN_RATE_ROWS - r.n} more)."]
    off = [side for side in stated if r.fits(side) is False]
    if r.enough and off:
        where = " and ".join(f"{side}.assumptions" for side in off)
        said = "; ".join(f"{side} assumed {rate(v)}, {'inside' if r.fits(side) else 'outside'} the interval"
                         for side, v in stated.items())
        return [f"Update {key} to {rate(plan_value(r.actual, r.low, r.high))} in {where}: {q} measured "
                f"{_interval(r)} ({said})."]
    if not r.enough:
        told = [f"{possessive(side)} {rate(v)}{_rows_in_all(rows_to_tell(r, v))}" for side, v in stated.items()]
        return [f"{key}: {q} measured {_interval(r)}: too few rows to judge "
                f"{' or '.join(told)}; it takes at least {MIN_RATE_ROWS} ({MIN_RATE_ROWS - r.n} more)."]
    # enough rows, every stated value inside the interval: the data cannot tell them apart
    parts = [f"{possessive(side)} {rate(v)} lies inside it{_rows_more(rows_to_tell(r, v), r.n)}"
             for side, v in stated.items()]
    return [f"{key}: {q} measured {_interval(r)}; {'; '.join(parts)}: no change suggested."]


def _rows_in_all(need: Optional[int]) -> str:
    """How many rows would tell a stated value from the measured rate, when more than the minimum."""
    return f" (about {need:,} rows in all, if the rate held)" if need and need > MIN_RATE_ROWS else ""


def _rows_more(need: Optional[int], measured: int) -> str:
    """How many more rows than those measured would tell a stated value inside the interval from the rate."""
    if need and need > FAR_MORE * measured:  # "about 675,685 more rows" reads as a plan; it means "as good as equal"
        return f" (so close to the measured rate that it would take over {FAR_MORE} times as many rows to tell)"
    return f" (it would take about {need - measured:,} more rows to tell, if the rate held)" if need else ""


@dataclass(frozen=True)
class Review:
    """What every suggestion reads: the review, the plan's terms, and which exports cover the whole
    quarter (no suggestion from an export that covers only part of it, docs/reference/cli.md 0.3)."""

    plan: Plan
    result: ReviewResult
    used: dict[str, Optional[float]]  # the assumptions the funnel used
    q: str
    tol: float
    cur: str
    deals_ok: bool
    leads_ok: bool


def suggestions(loaded: LoadedPlan, result: ReviewResult, used: dict[str, Optional[float]]) -> list[str]:
    """What to change in the plan, one kind of suggestion after another (SUGGESTERS)."""
    plan = loaded.plan
    r = Review(plan, result, used, str(result.quarter), plan.check.tolerance, plan.currency,
               deals_ok="deals" not in result.partial_inputs, leads_ok="leads" not in result.partial_inputs)
    return [tip for suggester in SUGGESTERS for tip in suggester(r)]


def _rate_tips(r: Review) -> list[str]:
    out: list[str] = []
    for key, rate_ in r.result.rates.items():
        # a segmented plan's company has no rates of its own: where its segments state values that
        # differ, the per-segment comparisons carry the rate, and nothing is suggested from the company's
        if not rate_.stated() and any(s.rates[key].stated() for s in r.result.segments.values()):
            continue
        if (r.deals_ok if key == "win_rate" else r.leads_ok):
            out += rate_suggestions(key, rate_, r.q)
    return out


def _deal_size_tip(r: Review) -> list[str]:
    size, priced, cur = r.result.metrics["average_deal_size"], r.result.won_priced or 0, r.cur
    if not (r.deals_ok and not r.result.amounts_unclear and size.actual is not None and size.plan
            and rel_diff(size.actual, size.plan) > r.tol):
        return []
    if priced >= MIN_WON_DEALS:
        return [f"Update average_deal_size to {money(size.actual, cur)}: the {priced:,} deals won in {r.q} "
                f"averaged that, against {money(size.plan, cur)} in the plan."]
    return [f"average_deal_size: the {plural(priced, 'deal')} won in {r.q} averaged "
            f"{money(size.actual, cur)} (plan: {money(size.plan, cur)}); it takes {MIN_WON_DEALS} won "
            f"deals to suggest a change ({MIN_WON_DEALS - priced} more)."]


def _cycle_tip(r: Review) -> list[str]:
    days, won = r.result.metrics["days_to_close"], r.result.metrics["won"].actual
    if not (r.deals_ok and days.actual is not None and days.plan is not None
            and rel_diff(days.actual, days.plan) > r.tol):
        return []
    if won is not None and won >= MIN_WON_DEALS:
        new_lag, old_lag = lag_quarters(days.actual), lag_quarters(days.plan)
        lag = f"; the MQL lag becomes {plural(new_lag, 'quarter')}" if new_lag != old_lag else ""
        return [f"Update sales_cycle_days to {days.actual:g}: the median of the {won:,} deals won in {r.q} "
                f"took that long (plan: {days.plan:g}){lag}."]
    return [f"sales_cycle_days: the median deal won in {r.q} took {days.actual:g} days (plan: "
            f"{days.plan:g}) over {plural(int(won or 0), 'deal')}; it takes {MIN_WON_DEALS} won deals "
            f"to suggest a change ({MIN_WON_DEALS - int(won or 0)} more)."]


def _bookings_tip(r: Review) -> list[str]:
    book = r.result.metrics["bookings"]
    if not (r.deals_ok and not r.result.amounts_unclear and "bookings" not in r.result.partial
            and book.actual is not None and book.plan and book.actual < book.plan * (1 - r.tol)):
        return []
    return [f"Bookings of {money(book.actual, r.cur)} missed the {r.q} target of {money(book.plan, r.cur)} "
            f"by {pct(1 - book.actual / book.plan)}: revisit the next quarters' targets or pipeline."]


def _judged_programs(r: Review) -> list[ProgramRow]:
    """The programs whose leads the exports counted over the whole quarter."""
    if "leads" in r.result.partial or not r.leads_ok:
        return []
    return [p for p in r.result.programs if p.leads is not None]


def _program_tips(r: Review) -> list[str]:
    out = []
    cpl_plan, cur = r.used.get("cost_per_lead"), r.cur
    programs = _judged_programs(r)
    for p in programs:
        if not p.weak or p.leads is None:  # leads: counted for every program judged
            continue
        if p.leads == 0:
            sources = ", ".join(p.crm_sources) or "none listed"
            out.append(f"Cut or fix program {p.id}: no leads in {r.q} from its CRM sources ({sources}) "
                       f"for {money(p.cost, cur)}.")
        else:
            out.append(f"Cut or rework program {p.id}: {plural(p.leads, 'lead')} against "
                       f"{count(p.expected_leads)} forecast, {money(p.cost_per_lead, cur)} a lead"
                       + (f" (plan: {money(cpl_plan, cur)})." if cpl_plan else "."))
    winners = [p for p in programs if p.leads and p.expected_leads and p.leads >= p.expected_leads]
    if winners:
        best = min(winners, key=lambda p: p.cost_per_lead or 0.0)  # a winner has leads: its cost per lead is set
        out.append(f"Grow program {best.id}: {plural(best.leads or 0, 'lead')} against {count(best.expected_leads)} "
                   f"forecast at {money(best.cost_per_lead, cur)} a lead, the cheapest on target.")
    return out


def _unlisted_sources_tip(r: Review) -> list[str]:
    claimed = {s.strip().casefold() for p in r.plan.marketing.programs for s in (p.crm_sources or [])}
    leads_total = r.result.metrics["leads"].actual
    if not (r.leads_ok and leads_total and claimed):
        return []
    unlisted = _unlisted(r.result, claimed)
    unclaimed = r.result.unclaimed_leads
    if unclaimed is None:
        unclaimed = sum(n for _, n in unlisted)
    if not (unclaimed > leads_total * r.tol and unlisted):
        return []
    named = ", ".join(f"{source!r} ({count(n)})" for source, n in unlisted[:5])
    folded = any(s.source == OTHER_SOURCES and s.leads for s in r.result.sources)
    several = len(unlisted) > 1 or folded
    return [f"{count(unclaimed)} of {plural(leads_total, 'lead')} in {r.q} came from "
            f"{'sources' if several else 'a source'} no program lists in crm_sources: "
            f"{named}{_more_sources(len(unlisted) - 5, folded)}. Add {'them' if several else 'it'} to the "
            "programs' crm_sources, or the portfolio cannot be judged."]


def _unlisted(result: ReviewResult, claimed: set[str]) -> list[tuple[str, int]]:
    """(source, leads) of the sources in the table that no program lists, the most leads first."""
    return sorted(((s.source, s.leads) for s in result.sources
                   if s.leads and s.source.casefold() not in claimed and s.source not in ("(none)", OTHER_SOURCES)),
                  key=lambda sl: (-sl[1], sl[0]))


def _more_sources(rest: int, folded: bool) -> str:
    """What the five sources named leave out: more unlisted sources, the folded smaller ones."""
    more = f" and {plural(rest, 'more source')}" if rest > 0 else ""
    return more + (f" and the smaller sources in '{OTHER_SOURCES}'" if folded else "")


def _loss_tip(r: Review) -> list[str]:
    losses = r.result.loss_reasons
    if not (losses and r.deals_ok):
        return []
    lost = sum(x.count for x in losses)
    named = [x for x in losses if x.reason != "unspecified"]
    if named:
        top = named[0]
        return [f"Share the win-loss record with marketing: the most frequent loss reason in {r.q} was "
                f"{top.reason!r} ({top.count} of {plural(lost, 'lost deal')})."]
    return [f"Record a loss reason on lost deals: none of the {plural(lost, 'deal')} lost in {r.q} has one."]


def _bad_rows_tip(r: Review) -> list[str]:
    if not r.result.bad_rows_total:
        return []
    return [f"Fix the {plural(r.result.bad_rows_total, 'unreadable row')} in the exports (listed above); "
            "they are left out of every figure."]


# The suggestions, in the order they are shown.
SUGGESTERS: tuple[Callable[[Review], list[str]], ...] = (
    _rate_tips, _deal_size_tip, _cycle_tip, _bookings_tip, _program_tips, _unlisted_sources_tip, _loss_tip,
    _bad_rows_tip)
