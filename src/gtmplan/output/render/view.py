"""The plan document's view model: plain data built from the plan and the computations.

Templates only lay this out. Every number is already formatted for people
(thousands separators, the plan's currency, counts rounded up) and every chart
already has its geometry, so templates do no arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Optional, cast

from gtmplan.engine.capacity import sellers
from gtmplan.engine.funnel import (
    Funnel,
    FunnelRow,
    compute,
    program_leads,
    program_mqls,
    program_split,
    segment_lead_to_mql,
)
from gtmplan.engine.pipeline import (
    is_motion,
    opportunity_sources,
    scope_groups,
    scope_items,
    shown_opportunity_sources,
    source_cost,
)
from gtmplan.errors import InputError
from gtmplan.output import fmt
from gtmplan.output.fmt import day
from gtmplan.output.funnel_report import attrition_text
from gtmplan.output.render.charts import band_chart, bar_chart
from gtmplan.plan.loaded import LoadedPlan
from gtmplan.plan.quarters import FiscalCalendar, Quarter
from gtmplan.plan.vocabulary import SIDES, STAGES
from gtmplan.rules import Finding

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Criteria, Goal, OtherSource, Plan, Program, TeamRow

# Deferred imports: the forecast's sentences (and numpy through them: 35 ms) and the chart only when a plan has a forecast section.

Money = Callable[[Optional[float]], str]  # an amount in the plan's currency, as people read it


def _join(items: Optional[Sequence[str]], empty: str = "any") -> str:
    return ", ".join(items) if items else empty


def _both(sides: Iterable[str]) -> bool:
    return set(SIDES) <= set(sides)


def closing_and_next(reviews: list, quarter: Quarter, cal: FiscalCalendar) -> tuple[Optional[int], Optional[int]]:
    """Indexes into ``reviews`` (sorted by date) of the last review dated in ``quarter`` (the one
    that closes it) and of the first review after it; None where there is none."""
    inside = [i for i, r in enumerate(reviews) if Quarter.of(r.date, cal) == quarter]
    after = [i for i, r in enumerate(reviews) if r.date > quarter.last_day(cal)]
    return (inside[-1] if inside else None), (after[0] if after else None)


def _goal_target(goal: Goal, currency: str) -> str:
    if goal.metric in ("new_bookings", "pipeline"):
        return fmt.money(goal.target, currency)
    if goal.metric in ("win_rate", "market_share"):
        return fmt.pct(goal.target, 1 if (goal.target * 100) % 1 else 0)
    if goal.metric in ("mqls", "sqls", "opportunities"):
        return fmt.count(goal.target)
    return fmt.number(goal.target)


def build_view(loaded: LoadedPlan, findings: list[Finding], quarter: Optional[Quarter] = None,
               funnel: Optional[Funnel] = None) -> dict:
    """The document's data; ``funnel`` is the one the checks computed (computed here if not given)."""
    plan = loaded.plan
    f = funnel if funnel is not None else compute(plan)
    cur = plan.currency
    fy = plan.calendar
    start, end = plan.horizon.start, plan.horizon.end
    m = lambda x: fmt.money(x, cur)  # noqa: E731

    period = f"{start}–{end} ({day(start.first_day(fy))} to {day(end.last_day(fy))})"
    fiscal_note = fy.describe()
    edition = str(quarter) if quarter else None
    title = f"{plan.company} go-to-market plan"

    return {
        "title": title,
        "company": plan.company,
        "edition": edition,
        "period": period,
        "fiscal_note": fiscal_note,
        "currency": cur,
        "primary_objective": {"revenue": "Revenue", "market_share": "Market share"}.get(
            plan.primary_objective or "", "not set"),
        "goals": [{
            "id": g.id, "description": g.description or "", "metric": g.metric.replace("_", " "),
            "target": _goal_target(g, cur), "period": "whole plan" if g.period == "FY" else str(g.period),
            "owners": " and ".join(g.owners) or "nobody", "shared": _both(g.owners),
        } for g in plan.goals or []],
        "segments": [{
            "id": s.id, "name": s.name or s.id, "industries": _join(s.industries), "employees": fmt.employees(s.employees),
            "regions": _join(s.regions), "buyer_roles": _join(s.buyer_roles, "–"), "pains": _join(s.pains, "–"),
        } for s in plan.icp.segments],
        "lead_definition": _lead_definition(plan),
        "waterfall": _waterfall(f, quarter, m),
        "pipeline": _pipeline_by_source(plan, f, quarter),
        "capacity": _capacity(plan, f, quarter, m),
        "programs": _programs(plan, f, quarter, m),
        "by_segment": _segment_sections(plan, f, quarter, m),
        "content": _content(plan),
        "feedback": _feedback(plan),
        "reviews": _reviews(plan, quarter),
        "actuals": _plan_vs_actual(loaded, f, m),
        "forecast": _forecast(loaded, m),
        "issues": _issues(findings, quarter),
    }


def _plan_vs_actual(loaded: LoadedPlan, f: Funnel, m: Money) -> Optional[dict]:
    """docs/reference/cli.md 0.2: for each recorded quarter (actuals/) the plan and actual leads, MQLs,
    won deals and bookings; a chart of bookings target against actual (recorded
    quarters and the horizon's). None when the plan has no actuals."""
    track = loaded.actuals
    if not track:
        return None
    l2m = f.assumptions["lead_to_mql"].value
    progs = loaded.plan.marketing.programs
    tol = loaded.plan.check.tolerance

    def planned(q: Quarter) -> dict:
        r = f.row(q)
        if r is None:
            return {"leads": None, "mqls": None, "won": None, "bookings": None}
        per = [program_leads(progs[i], l2m) for i in (f.by_quarter[q].programs if q in f.by_quarter else [])]
        return {"leads": None if any(x is None for x in per) else sum(per), "mqls": r.mqls_planned,
                "won": r.deals, "bookings": r.target}

    def cell(key: str, x: Optional[float]) -> str:
        if x is None:
            return "–"
        return m(x) if key == "bookings" else fmt.count(x)

    rows = []
    for rq in track.quarters:
        a = rq.actuals.metrics
        p = planned(rq.quarter)
        row = {"quarter": str(rq.quarter), "in_horizon": f.row(rq.quarter) is not None,
               "recorded_on": day(rq.actuals.recorded_on) if rq.actuals.recorded_on else "–"}
        for key in ("leads", "mqls", "won", "bookings"):
            actual = getattr(a, key)
            row[key] = {"plan": cell(key, p[key]), "actual": cell(key, actual),
                        "short": actual is not None and bool(p[key]) and actual < p[key] * (1 - tol)}
        rows.append(row)
    recorded = {rq.quarter: rq.actuals.metrics.bookings for rq in track.quarters}
    labels = sorted(set(recorded) | {r.quarter for r in f.rows})
    targets = {r.quarter: r.target for r in f.rows}
    chart = bar_chart([str(q) for q in labels],
                      [("Bookings target", [targets.get(q) for q in labels]),
                       ("Bookings actual", [recorded.get(q) for q in labels])],
                      m, title="Bookings target vs actual: the recorded quarters and the plan's",
                      tick_formatter=lambda x: fmt.compact(x, loaded.plan.currency))
    before = sum(1 for r in rows if not r["in_horizon"])
    return {"rows": rows, "chart": chart, "count": len(rows), "before_horizon": before}


def _forecast(loaded: LoadedPlan, m: Money) -> Optional[dict]:
    """docs/reference/cli.md 0.3: "Chance of making the plan", when the plan has recorded actuals or a
    ``forecast:`` section: per quarter the target, the chance of reaching it and the
    10–90% band, a chart of the band against the target, the drivers (numpy is imported
    only here)."""
    plan = loaded.plan
    if not loaded.actuals and getattr(plan, "forecast", None) is None:
        return None
    from gtmplan.output import forecast_words as words

    try:
        result = words.simulate(loaded)
    except InputError as e:  # a funnel that cannot be simulated: said in the section, not a failed render
        return {"error": "; ".join(p.message for p in e.problems)}
    d = result.as_dict()
    d["quarters"] = [r for r in d["quarters"] if r["segment"] is None]  # the company's rows (sums of the segments)
    rows = [{"quarter": r["quarter"], "target": m(r["target"]), "chance": words.chance(r["p_target"]),
             "p10": m(r["p10"]), "median": m(r["median"]), "p90": m(r["p90"]),
             "short": r["p_target"] is not None and r["p_target"] < 0.5} for r in d["quarters"]]
    h = d["horizon"]
    horizon = {"quarter": f"Whole plan ({words.span(h['quarters'])})", "target": m(h["target"]),
               "chance": words.chance(h["p_target"]), "p10": m(h["p10"]), "median": m(h["median"]),
               "p90": m(h["p90"]), "short": h["p_target"] is not None and h["p_target"] < 0.5}
    chart = band_chart([r["quarter"] for r in d["quarters"]], [r["target"] for r in d["quarters"]],
                       [None if r["p_target"] is None else (r["p10"], r["median"], r["p90"]) for r in d["quarters"]],
                       m, title="Bookings: the 10–90% range of the simulated runs against the target, by quarter",
                       tick_formatter=lambda x: fmt.compact(x, plan.currency))
    s = result.settings
    return {"error": None, "rows": rows, "horizon": horizon, "chart": chart,
            "runs": f"{s.runs:,}", "seed": s.seed, "drivers": words.driver_lines(result),
            "notes": words.notes(result, plan.currency)}


def _lead_definition(plan: Plan) -> dict:
    ld = plan.lead_definition

    def firmo(c: Criteria, key: str) -> str:
        fi = c.firmographics
        if fi is None:
            return "any"
        return fmt.employees(fi.employees) if key == "employees" else _join(getattr(fi, key))

    rows = [{"criterion": label, "mql": firmo(ld.mql, key), "sql": firmo(ld.sql, key)}
            for label, key in (("Industries", "industries"), ("Employees", "employees"), ("Regions", "regions"))]
    rows.append({"criterion": "Minimum lead score",
                 "mql": "–" if ld.mql.min_score is None else fmt.number(ld.mql.min_score),
                 "sql": "–" if ld.sql.min_score is None else fmt.number(ld.sql.min_score)})
    rows.append({"criterion": "Must be confirmed", "mql": _join(ld.mql.qualification, "–"),
                 "sql": _join(ld.sql.qualification, "–")})
    agreed = " and ".join(ld.agreed_by) if ld.agreed_by else "nobody"
    return {
        "rows": rows,
        "follow_up": (f"Sales contacts every new MQL within {fmt.number(ld.follow_up_hours)} hours."
                      if ld.follow_up_hours else "No follow-up time agreed."),
        "agreed": f"Agreed by {agreed}" + (f" on {day(ld.agreed_on)}." if ld.agreed_on else "."),
        "both_agreed": _both(ld.agreed_by),
    }


def _segments_short(f: Funnel, q: Quarter) -> tuple[str, bool]:
    """The gap column of a segmented plan's company row: the segments short of MQLs created in q,
    each by its own gap (a surplus in one segment never covers another's shortfall), "covered"
    when every segment with a demand is covered, "–" when none has one."""
    short, known = [], False
    for sid, sf in f.segments.items():
        r = sf.row(q)
        status, is_short = fmt.shortfall(r.mqls_planned, r.mqls_demanded) if r is not None else ("–", False)
        known = known or status != "–"
        if is_short:
            short.append(f"{sid} {status}")
    if short:
        return "; ".join(short), True
    return ("covered" if known else "–"), False


def _waterfall(f: Funnel, quarter: Optional[Quarter], m: Money) -> dict:
    rows = []
    for r in f.rows:
        status, short = _segments_short(f, r.quarter) if f.segments else fmt.shortfall(r.mqls_planned, r.mqls_demanded)
        rows.append({
            "quarter": str(r.quarter), "target": m(r.target), "deals": fmt.count(r.deals),
            "opportunities": fmt.count(r.opportunities), "sqls": fmt.count(r.sqls),
            "mqls_needed": fmt.count(r.mqls_needed), "leads_needed": fmt.count(r.leads_needed),
            "created_in": "–" if r.created_in is None else str(r.created_in),  # None: a segmented plan's total
            "mqls_planned": fmt.count(r.mqls_planned),
            "mqls_demanded": fmt.count(r.mqls_demanded), "status": status, "short": short,
            "for_target": ("past the plan" if r.mqls_demanded is None
                           else "–" if f.segments or f.lag is None  # a sum over segments with their own lags
                           else str(r.quarter + f.lag)),
            "focus": quarter is not None and r.quarter == quarter,
        })
    lag = f.lag
    total = lambda attr: sum(getattr(r, attr) or 0 for r in f.rows)  # noqa: E731
    chart = bar_chart(
        [str(r.quarter) for r in f.rows],
        [("MQLs demanded", [r.mqls_demanded for r in f.rows]), ("MQLs planned", [r.mqls_planned for r in f.rows])],
        fmt.count, title=("MQLs demanded by sales' targets vs MQLs marketing plans, by quarter created"
                          + (f", {f.segment}" if f.segment else "")),
        tick_formatter=fmt.compact)
    return {
        "rows": rows,
        "detail": [r for r in rows if r["focus"]],
        "lag": "each segment's own" if lag is None else fmt.plural(lag, "quarter"),
        "created": ("by each segment's own sales cycle" if lag is None
                    else "in the quarter they close (a sales cycle under half a quarter)" if lag == 0
                    else f"{fmt.plural(lag, 'quarter')} earlier (the sales cycle)"),
        "lag_quarters": lag,
        "totals": {"target": m(total("target")), "mqls_needed": fmt.count(total("mqls_needed")),
                   "mqls_planned": fmt.count(total("mqls_planned"))},
        "assumptions": [{"key": k, "value": fmt.assumption(k, a.value, f.currency, percent=True),
                         "side": (a.side or "nobody") + (f", {a.segment}'s own" if a.segment else "")}
                        for k, a in f.assumptions.items()],
        "chart": chart,
    }


def _ramp(t: TeamRow) -> str:
    if t.ramp is not None:
        return ", ".join(fmt.pct(r) for r in t.ramp) + " of full, then full"
    return fmt.plural(t.ramp_months, "month") if t.ramp_months else "none"


def _pipeline_by_source(plan: Plan, f: Funnel, quarter: Optional[Quarter]) -> Optional[dict]:
    """Opportunities each quarter's target needs, by source (only with other pipeline): the
    company's (a segmented plan's: every segment's items, summed) or, for a segment's
    funnel, the segment's own items (or the company-wide ones it inherits)."""
    company = bool(f.segments)
    items = scope_items(plan, f.segment, company_of_segments=company)
    if not items:
        return None
    names = [name for name, _ in opportunity_sources(plan, f.rows[0], items)] if f.rows else []
    rows = []
    for r in f.rows:
        sources = opportunity_sources(plan, r, items)
        shown = shown_opportunity_sources(plan, r, items)
        counts = ["–"] * len(sources) if shown is None else [f"{n:,}" for n in shown]
        rows.append({"quarter": str(r.quarter), "opportunities": fmt.count(r.opportunities), "counts": counts,
                     "focus": quarter is not None and r.quarter == quarter})
    if company and not plan.sales.other_pipeline:  # only the segments' own items
        where = ", ".join(sf.segment or "" for sf in f.segments.values()
                          if plan_segment_items(plan, sf.segment))
        note = (f"The sums of the segments' other sources ({where}: see each segment's section); "
                "marketing's MQLs are planned for the rest.")
    elif all(s.capacity is None and not isinstance(s.share, dict) for s in items):  # fixed shares, as in 0.2
        fixed = [(s, float(s.share)) for s in items if isinstance(s.share, (int, float))]
        shares = [f"{s.name or s.id} {fmt.share(x)}" for s, x in fixed]
        total_share = sum((x for _, x in fixed), 0.0)
        note = (f"Sales expects {fmt.share(total_share)} of each quarter's opportunities from other sources "
                f"({', '.join(shares)}); marketing's MQLs are planned for the rest.")
    else:
        note = (f"Sales expects opportunities from other sources ({'; '.join(_source_text(s) for s in items)}); "
                "marketing's MQLs are planned for the rest (none when the other sources bring enough).")
    return {"sources": names, "rows": rows, "detail": [r for r in rows if r["focus"]], "note": note,
            "motions": (_motions(plan, f, quarter, items)
                        if any(is_motion(g) for s in items
                               for g in scope_groups(plan, s.id, company, f.segment)) else None)}


def plan_segment_items(plan: Plan, sid: Optional[str]) -> bool:
    """Whether segment ``sid`` states other-pipeline items of its own."""
    seg = next((s for s in plan.sales.segments or [] if s.id == sid), None)
    return seg is not None and bool(seg.other_pipeline)


def _source_text(s: OtherSource) -> str:
    """One other-pipeline item in words: its share(s), or its team and what each person creates."""
    name = s.name or s.id
    if s.capacity is not None:
        heads = sum(r.count for r in s.capacity.team)
        roles = ", ".join(dict.fromkeys(r.role for r in s.capacity.team))
        return (f"{name}: a team of {heads} ({roles}), each creating {fmt.number(s.capacity.opportunities_per_month)} "
                f"{'opportunity' if s.capacity.opportunities_per_month == 1 else 'opportunities'} a month "
                "when fully ramped")
    if isinstance(s.share, dict):
        listed = ", ".join(f"{fmt.share(v)} in {q}" for q, v in sorted(s.share.items()))
        return f"{name}: a share of the opportunities per quarter ({listed or 'none'}; none in the others)"
    return f"{name}: {fmt.share(s.share)} of each quarter's opportunities"


def _motions(plan: Plan, f: Funnel, quarter: Optional[Quarter], items: list[OtherSource]) -> dict:
    """Each quarter's sources of opportunities side by side: marketing's programs (the
    opportunities their planned MQLs become, their cost), then each other-pipeline item
    that is a motion (a capacity team or a cost): its opportunities, head count, cost and
    cost per opportunity. On a segmented plan's company row an item id's cost and head
    count are summed over the segments that have it, and the programs' opportunities over
    the segments (each at its own rates)."""
    cur = plan.currency
    company = bool(f.segments)

    def programs_opps(ff: Funnel, r: FunnelRow) -> Optional[float]:
        m2s, s2o = ff.assumptions["mql_to_sql"].value, ff.assumptions["sql_to_opportunity"].value
        return None if r.mqls_planned is None or m2s is None or s2o is None else r.mqls_planned * m2s * s2o

    quarters = []
    for r in f.rows:
        shown = shown_opportunity_sources(plan, r, items)
        parts = r.other_by_source or {}
        if company:
            per = [programs_opps(sf, cast(FunnelRow, sf.row(r.quarter))) for sf in f.segments.values() if sf.row(r.quarter)]
            opps: Optional[float] = None if any(x is None for x in per) else sum((x or 0.0 for x in per), 0.0)
        else:
            opps = programs_opps(f, r)
        lines = [{"source": "Marketing's programs (MQLs planned)", "opportunities": fmt.count(opps),
                  "heads": "–", "cost": fmt.money(r.program_cost, cur),
                  "per_opportunity": fmt.money(r.program_cost / opps, cur) if opps else "–"}]
        for i, s in enumerate(items):
            group = scope_groups(plan, s.id, company, f.segment)
            if not any(is_motion(g) for g in group):
                continue
            exact = parts.get(s.id)
            cost = sum(source_cost(g, r.quarter) for g in group)
            teams = [row for g in group if g.capacity is not None for row in g.capacity.team]
            lines.append({
                "source": s.name or s.id,
                "opportunities": "–" if shown is None else f"{shown[i + 1]:,}",
                # a motion's rows count heads like sellers' (count, start, end)
                "heads": f"{sellers(plan, r.quarter, teams):,}" if teams else "–",  # type: ignore[arg-type]
                "cost": fmt.money(cost, cur),
                "per_opportunity": fmt.money(cost / exact, cur) if exact else "–"})
        quarters.append({"quarter": str(r.quarter), "lines": lines,
                         "focus": quarter is None or r.quarter == quarter})
    return {"quarters": quarters}


def _capacity(plan: Plan, f: Funnel, quarter: Optional[Quarter], m: Money) -> dict:
    rows = []
    for r in f.rows:
        rows.append({"quarter": str(r.quarter), "target": m(r.target), "capacity": m(r.capacity),
                     "sellers": sellers(plan, r.quarter),
                     "coverage": fmt.pct(r.capacity / r.target) if r.target else "–",
                     "short": r.capacity < r.target, "focus": quarter is not None and r.quarter == quarter})
    team = [{"role": t.role, "count": t.count, "quota": m(t.annual_quota),
             "start": day(t.start) if t.start else "already on board",
             "ramp": _ramp(t), "end": day(t.end) if t.end else "–", "segment": t.segment or "shared"}
            for t in plan.sales.team]
    chart = bar_chart([str(r.quarter) for r in f.rows],
                      [("Target", [r.target for r in f.rows]), ("Capacity", [r.capacity for r in f.rows])],
                      m, title="Bookings target vs ramped sales capacity, by quarter",
                      tick_formatter=lambda x: fmt.compact(x, plan.currency))
    return {"rows": rows, "detail": [r for r in rows if r["focus"]], "team": team, "segmented": bool(f.segments),
            "attainment": fmt.pct(plan.sales.expected_attainment), "chart": chart,
            "max_opportunities": plan.sales.max_opportunities_per_rep,
            "leaving": any(t.end is not None for t in plan.sales.team),
            "attrition": attrition_text(plan, f.attrition_factors) or None,
            "opening_pipeline": m(plan.sales.opening_pipeline) if plan.sales.opening_pipeline is not None else None}


def quarters_text(quarters: Iterable[Quarter]) -> str:
    """The quarters a program runs in, in order: three or more in a row as a range
    (``2027Q1–2027Q4``), others listed (``2027Q1, 2027Q3``)."""
    runs: list[list[Quarter]] = []
    for q in sorted(set(quarters)):
        if runs and q - runs[-1][-1] == 1:
            runs[-1].append(q)
        else:
            runs.append([q])
    parts = []
    for run in runs:
        parts.extend([f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(q) for q in run])
    return ", ".join(parts)


def _segment_parts(plan: Plan, program: Program, l2m: dict) -> dict[str, dict]:
    """A program's part in each of its segments (docs/reference/plan-format.md, 'Segments'): the
    split, and the cost, leads and MQLs per quarter it runs that the split gives the segment
    (leads become MQLs at that segment's lead_to_mql). None where a rate is unknown."""
    out = {}
    for seg, frac in program_split(plan, program).items():
        leads, mqls = program_leads(program, l2m.get(seg)), program_mqls(program, l2m.get(seg))
        out[seg] = {"split": frac, "cost": program.cost * frac,
                    "leads": None if leads is None else leads * frac, "mqls": None if mqls is None else mqls * frac}
    return out


def _total(values: Iterable[Optional[float]]) -> Optional[float]:
    listed = list(values)
    return None if any(v is None for v in listed) else sum(cast(list[float], listed))


def _programs(plan: Plan, f: Funnel, quarter: Optional[Quarter], m: Money) -> dict:
    """The budget per quarter (what the programs running in it cost against it), then each
    program once, with the quarters it runs in (issue 20: not one table per quarter)."""
    progs = plan.marketing.programs
    l2m = f.assumptions["lead_to_mql"].value
    seg_l2m = segment_lead_to_mql(plan) if f.segments else None
    quarters = []
    for r in f.rows:
        running = f.by_quarter.get(r.quarter)
        count = len(running.programs) if running else 0
        budget = r.budget if r.budget is not None else 0.0  # the company's rows always have the plan's budget
        quarters.append({"quarter": str(r.quarter), "budget": m(budget), "cost": m(r.program_cost),
                         "left": m(budget - r.program_cost), "over": r.program_cost > budget,
                         "over_by": m(r.program_cost - budget),
                         "count": count, "count_text": fmt.plural(count, "program"),
                         "focus": quarter is None or r.quarter == quarter})
    items = []
    for p in progs:
        if quarter is not None and quarter not in p.quarters:
            continue
        if seg_l2m is None:
            leads, mqls = program_leads(p, l2m), program_mqls(p, l2m)
        else:
            parts = _segment_parts(plan, p, seg_l2m).values()
            leads, mqls = _total(x["leads"] for x in parts), _total(x["mqls"] for x in parts)
        items.append({"id": p.id, "name": p.name or p.id, "channel": p.channel, "stage": p.stage or "–",
                      "cost": m(p.cost), "leads": fmt.count(leads), "mqls": fmt.count(mqls),
                      "segments": _split_text(plan, p) if seg_l2m is not None else _join(p.segments, "none"),
                      "quarters": quarters_text(p.quarters), "runs": len(set(p.quarters)),
                      "total_cost": m(p.cost * len(set(p.quarters)))})
    return {"quarters": quarters, "entries": items, "count": len(items)}


def _split_text(plan: Plan, p: Program) -> str:
    """A program's segments with its split, as people read it: ``smb 70%, enterprise 30%``."""
    split = program_split(plan, p)
    return ", ".join(f"{seg} {fmt.share(frac)}" for seg, frac in split.items()) or "none"


def _segment_sections(plan: Plan, f: Funnel, quarter: Optional[Quarter], m: Money) -> list[dict]:
    """A section per segment of ``sales.segments`` (docs/reference/cli.md, 'Segments in every
    command'): its waterfall with its own lag, its own sellers' capacity, and its programs
    with their split part. Empty for a plan without segments."""
    if not f.segments:
        return []
    names = {s.id: s.name or s.id for s in plan.icp.segments}
    seg_l2m = segment_lead_to_mql(plan)
    out = []
    for sid, sf in f.segments.items():
        wf = _segment_waterfall(plan, sid, sf, quarter, m)
        shown = wf["detail"] if quarter is not None else wf["rows"]
        out.append({
            "pipeline": _pipeline_by_source(plan, sf, quarter),
            "id": sid, "name": names.get(sid, sid), "waterfall": wf,
            "capacity": _segment_capacity(plan, sid, sf, quarter, m),
            "programs": _segment_programs(plan, sid, quarter, m, seg_l2m),
            "short": any(r["short"] for r in shown),
            "known": any(r["status"] != "–" for r in shown),
        })
    return out


def _segment_waterfall(plan: Plan, sid: str, sf: Funnel, quarter: Optional[Quarter], m: Money) -> dict:
    """A segment's waterfall, with the column "Other opps": the segment's other pipeline."""
    wf = _waterfall(sf, quarter, m)
    items = scope_items(plan, sid)
    wf["other"] = bool(items)
    for row, r in zip(wf["rows"], sf.rows):
        shown = shown_opportunity_sources(plan, r, items) if items else None
        row["other"] = "–" if shown is None else f"{sum(shown[1:]):,}"
    return wf


def _segment_capacity(plan: Plan, sid: str, sf: Funnel, quarter: Optional[Quarter], m: Money) -> dict:
    """A segment's own sellers' capacity by quarter ("–" without team rows of its own)."""
    own = [t for t in plan.sales.team if t.segment == sid]
    cap = []
    for r in sf.rows:
        cap.append({"quarter": str(r.quarter), "target": m(r.target),
                    "capacity": m(r.capacity) if own else "–",
                    "coverage": fmt.pct(r.capacity / r.target) if own and r.target else "–",
                    "sellers": sellers(plan, r.quarter, own) if own else "–",
                    "short": bool(own) and r.capacity < r.target,
                    "focus": quarter is not None and r.quarter == quarter})
    return {"rows": cap, "detail": [c for c in cap if c["focus"]],
            "team": [{"role": t.role, "count": t.count, "quota": m(t.annual_quota),
                      "start": day(t.start) if t.start else "already on board"} for t in own],
            "note": (f"Own sellers: the team rows with segment: {sid}, at the expected attainment; "
                     "shared sellers (rows without a segment) are counted in the company's capacity."
                     if own else f"No team row has segment: {sid}: the shared sellers carry its target "
                                 "(see Sales capacity).")}


def _segment_programs(plan: Plan, sid: str, quarter: Optional[Quarter], m: Money,
                      seg_l2m: dict[str, Optional[float]]) -> list[dict]:
    """The programs with a part in segment ``sid`` (running in ``quarter``, when given): their split part."""
    programs = []
    for p in plan.marketing.programs:
        part = _segment_parts(plan, p, seg_l2m).get(sid)
        if part is None or (quarter is not None and quarter not in p.quarters):
            continue
        programs.append({"name": p.name or p.id, "channel": p.channel, "quarters": quarters_text(p.quarters),
                         "split": fmt.share(part["split"]), "cost": m(part["cost"]),
                         "leads": fmt.count(part["leads"]), "mqls": fmt.count(part["mqls"])})
    return programs


def _content(plan: Plan) -> dict:
    content = plan.marketing.content or []
    stages = []
    for stage in STAGES:
        assets = [c for c in content if c.stage == stage]
        used = sum(1 for c in assets if c.used_by_sales)
        stages.append({
            "stage": stage.capitalize(),
            "assets": [{"name": c.name or c.id, "segments": _join(c.segments, "all"),
                        "used": {True: "yes", False: "no", None: "not known"}[c.used_by_sales]} for c in assets],
            "summary": f"{used} of {len(assets)} used by sales" if assets else "no content for this stage",
        })
    return {"stages": stages, "any": bool(content)}


def _feedback(plan: Plan) -> list[dict]:
    fb = plan.feedback
    rows = []
    q = fb.lead_source_question if fb else None
    rows.append({"loop": "Lead-source question", "how": f"Sales asks every new lead: “{q}”" if q else "not set"})
    wl = fb.win_loss if fb else None
    rows.append({"loop": "Win-loss reporting",
                 "how": f"{wl.cadence.capitalize()}, owned by {wl.owner}" if wl else "not set"})
    ci = fb.competitive_intel if fb else None
    rows.append({"loop": "Competitive intelligence",
                 "how": (f"Kept by {ci.owner}, read by {_join(ci.shared_with, 'nobody')}" if ci else "not set")})
    cf = fb.content_feedback if fb else None
    rows.append({"loop": "Content feedback",
                 "how": (f"{cf.cadence.capitalize()}, from {_join(cf.panel, 'sales')}" if cf else "not set")})
    return rows


def _reviews(plan: Plan, quarter: Optional[Quarter]) -> dict:
    fy = plan.calendar
    reviews = sorted(plan.reviews or [], key=lambda r: r.date)
    items = [{"date": day(r.date), "iso": r.date.isoformat(), "quarter": str(Quarter.of(r.date, fy)),
              "attendees": _join(r.attendees, "–"), "agenda": _join(r.agenda, "–"),
              "both": _both(r.attendees)} for r in reviews]
    closing = upcoming = None
    if quarter is not None:
        i, j = closing_and_next(reviews, quarter, fy)
        closing = None if i is None else items[i]
        upcoming = None if j is None else items[j]
    return {"entries": items, "closing": closing, "next": upcoming}


def _issues(findings: list[Finding], quarter: Optional[Quarter]) -> list[dict]:
    out = []
    for f in findings:
        if quarter is not None and f.quarter not in (None, quarter):
            continue
        out.append({"code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
                    "where": f"{f.location.file}:{f.location.line}", "quarter": str(f.quarter or "")})
    return out
