"""The demand waterfall and sales capacity: pure functions of a plan (docs/reference/rules.md).

Everything that needs a funnel number (the A-rules, ``gtmplan funnel``,
``gtmplan render``, ``gtmplan review``) takes it from here, so there is one
computation. Numbers are exact floats; rounding is for display only.

Segments (docs/reference/plan-format.md, 'Segments'). ``compute(plan)`` returns the
company's :class:`Funnel`; with ``sales.segments`` it also holds one funnel per segment:

- ``Funnel.segments: dict[str, Funnel]``, by segment id in ``sales.segments`` order
  (empty without segments). A segment's funnel has its own ``lag``, its own resolved
  ``assumptions`` (:func:`effective_assumptions` with ``segment=``), its own
  ``by_quarter`` (its programs' MQLs and cost x split) and rows whose ``segment`` is
  its id, ``capacity`` its dedicated rows' (``segment: ID``) and ``budget`` None.
- ``Funnel.rows`` are always the company's rows (``segment`` None). With segments,
  their counts and money are the exact sums of the segments' (None when a segment's
  is unknown), ``target`` is ``sales.targets[q]``, ``capacity`` the whole team's,
  ``budget`` the plan's, ``mqls_demanded`` the sum of the segments' demands that
  exist (None when none), ``created_in`` None; ``lag`` is the lag of the
  company-wide ``sales_cycle_days`` (None when the cycle is stated per segment only)
  and ``assumptions`` are the company-wide values.
- ``Funnel.segment`` is the segment's id on a segment's funnel, None on the company's.
- ``Funnel.all_rows()``: every segment's rows, then the company's (what
  ``funnel --format json`` lists).

A plan without ``sales.segments`` computes exactly as before (rows' ``segment`` None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.engine.capacity import attrition_factor, capacity
from gtmplan.engine.pipeline import other_opportunities, other_pipeline_cost
from gtmplan.plan.modelparts import ASSUMPTION_KEYS, MARKETING_OWNS
from gtmplan.plan.quarters import Quarter, quarter_range

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan, Program, SalesSegment

WATERFALL_NEEDS = ("average_deal_size", "win_rate", "sql_to_opportunity", "mql_to_sql")


@dataclass(frozen=True)
class Assumption:
    key: str
    value: Optional[float]
    side: Optional[str]  # the side whose value is used: "sales", "marketing" or None
    segment: Optional[str] = None  # the segment whose entry states it (None: the side's company-wide value)


def owner(key: str) -> str:
    return "marketing" if key in MARKETING_OWNS else "sales"


def side_segment(plan: Plan, side: str, segment: str) -> tuple[Optional[int], Optional[Any]]:
    """(index, entry) of ``segment`` in ``side.segments`` ((None, None) when that side has no entry)."""
    for i, entry in enumerate(getattr(plan, side).segments or []):
        if entry.id == segment:
            return i, entry
    return None, None


def stated(plan: Plan, side: str, key: str, segment: Optional[str] = None) -> tuple[Optional[float], Optional[tuple]]:
    """``side``'s value of an assumption for ``segment`` and the path it is written at: the
    segment's entry's value, else the side's company-wide value (side first, plan-format.md
    'Segments'); (None, None) when the side states none."""
    if segment is not None:
        i, entry = side_segment(plan, side, segment)
        a = entry.assumptions if entry is not None else None
        value = getattr(a, key) if a is not None else None
        if value is not None:
            return float(value), (side, "segments", i, "assumptions", key)
    a = getattr(plan, side).assumptions
    value = getattr(a, key) if a is not None else None
    return (None, None) if value is None else (float(value), (side, "assumptions", key))


def effective_assumptions(plan: Plan, segment: Optional[str] = None) -> dict[str, Assumption]:
    """One value per assumption: the owning side's, else the other side's (plan-format.md).
    With ``segment``, each side's value is first that side's segment value, else its
    company-wide value; then the owner rule chooses between the sides."""
    out = {}
    for key in ASSUMPTION_KEYS:
        first = owner(key)
        second = "sales" if first == "marketing" else "marketing"
        chosen = Assumption(key, None, None)
        for side in (first, second):
            value, path = stated(plan, side, key, segment)
            if value is not None:
                chosen = Assumption(key, value, side, segment if path and path[1] == "segments" else None)
                break
        out[key] = chosen
    return out


def lag_quarters(sales_cycle_days: Optional[float]) -> int:
    """floor(days / 91 + 1/2), in integers so that 45 days is 0 and 46 is 1."""
    if sales_cycle_days is None:
        return 0
    return int((2 * sales_cycle_days + 91) // 182)


def program_mqls(program: Program, lead_to_mql: Optional[float]) -> Optional[float]:
    """MQLs one program brings per quarter it runs; None when that needs an unknown rate."""
    if program.expected_mqls is not None:
        return float(program.expected_mqls)
    if program.expected_leads is not None:
        return None if lead_to_mql is None else program.expected_leads * lead_to_mql
    return 0.0


def program_leads(program: Program, lead_to_mql: Optional[float]) -> Optional[float]:
    """New leads one program brings per quarter it runs (expected_mqls / lead_to_mql if no leads given)."""
    if program.expected_leads is not None:
        return float(program.expected_leads)
    if program.expected_mqls is not None:
        return None if not lead_to_mql else program.expected_mqls / lead_to_mql
    return 0.0


@dataclass
class QuarterPrograms:
    mqls: Optional[float] = 0.0  # None: a running program needs lead_to_mql, which no side states
    cost: float = 0.0
    programs: list[int] = field(default_factory=list)  # indexes into marketing.programs


def programs_by_quarter(plan: Plan, lead_to_mql: Optional[float]) -> dict[Quarter, QuarterPrograms]:
    """One pass over the programs: MQLs planned and cost, per quarter they run in."""
    out: dict[Quarter, QuarterPrograms] = {}
    for i, p in enumerate(plan.marketing.programs):
        mqls = program_mqls(p, lead_to_mql)
        for q in set(p.quarters):
            agg = out.get(q)
            if agg is None:
                agg = out[q] = QuarterPrograms()
            agg.cost += p.cost
            agg.programs.append(i)
            agg.mqls = None if mqls is None or agg.mqls is None else agg.mqls + mqls
    return out


@dataclass
class FunnelRow:
    quarter: Quarter
    target: float
    deals: Optional[float]
    opportunities: Optional[float]
    other_opportunities: Optional[float]  # from sales.other_pipeline (0 without one)
    sqls: Optional[float]
    mqls_needed: Optional[float]
    leads_needed: Optional[float]
    created_in: Optional[Quarter]  # None on a segmented plan's company rows
    mqls_planned: Optional[float]
    mqls_demanded: Optional[float]
    capacity: float
    program_cost: float
    budget: Optional[float]  # None on a segment's rows (the budget is the plan's)
    segment: Optional[str] = None  # the segment's id; None on the company's rows
    # with sales.other_pipeline only (None without one, and left out of the JSON):
    other_by_source: Optional[dict[str, Optional[float]]] = None  # each item's opportunities, by id
    other_pipeline_cost: Optional[float] = None  # what the items cost in the quarter (not marketing's budget)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["quarter"] = str(self.quarter)
        d["created_in"] = None if self.created_in is None else str(self.created_in)
        if self.other_by_source is None:
            del d["other_by_source"], d["other_pipeline_cost"]
        return d


@dataclass
class Funnel:
    lag: Optional[int]  # None: a segmented plan whose sales cycle is stated per segment only
    currency: str
    assumptions: dict[str, Assumption]
    rows: list[FunnelRow]
    by_quarter: dict[Quarter, QuarterPrograms]
    attrition_factors: Optional[list[float]] = None  # per sales.team row, with sales.attrition only
    segments: dict[str, Funnel] = field(default_factory=dict)  # by segment id (sales.segments order)
    segment: Optional[str] = None  # this funnel's segment; None: the company's

    def row(self, q: Quarter) -> Optional[FunnelRow]:
        i = q - self.rows[0].quarter if self.rows else -1
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def all_rows(self) -> list[FunnelRow]:
        """Every segment's rows (segment by segment), then the company's."""
        return [*(r for f in self.segments.values() for r in f.rows), *self.rows]

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"lag_quarters": self.lag}
        if self.segments:
            out["lags"] = {k: f.lag for k, f in self.segments.items()}
        out["currency"] = self.currency
        out["quarters"] = [r.as_dict() for r in self.all_rows()]
        if self.attrition_factors is not None:
            out["attrition_factors"] = self.attrition_factors
        return out


def _div(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return None if a is None or not b else a / b


def needs(target: float, v: dict[str, Optional[float]], other_share: float = 0.0,
          other: Optional[Callable[[Optional[float]], Optional[float]]] = None) -> tuple[Optional[float], ...]:
    """The waterfall of one bookings target: (deals, opportunities, of those the ones
    sales sources itself (``other_share`` of them, or ``other(opportunities)``:
    sales.other_pipeline), SQLs, MQLs, leads) it needs, from the assumption values
    ``v`` (None where one is missing)."""
    deals = _div(target, v.get("average_deal_size"))
    opps = _div(deals, v.get("win_rate"))
    if other is not None:
        sourced = other(opps)
    else:
        sourced = None if opps is None else opps * other_share
    # marketing is asked for the rest, never for a negative number (a motion may bring more)
    sqls = _div(None if opps is None or sourced is None else max(0.0, opps - sourced), v.get("sql_to_opportunity"))
    mqls = _div(sqls, v.get("mql_to_sql"))
    return deals, opps, sourced, sqls, mqls, _div(mqls, v.get("lead_to_mql"))


def compute(plan: Plan) -> Funnel:
    """The waterfall, MQLs planned and demanded, capacity and spend for each horizon quarter
    (per segment too when the plan has ``sales.segments``: see the module's docstring)."""
    if plan.sales.segments:
        return _compute_segmented(plan)
    a = effective_assumptions(plan)
    v = {k: x.value for k, x in a.items()}
    lag = lag_quarters(v["sales_cycle_days"])
    by_q = programs_by_quarter(plan, v["lead_to_mql"])
    targets = {q: float(plan.sales.targets[q]) for q in quarter_range(plan.horizon.start, plan.horizon.end)}
    rows = _scope_rows(plan, targets, v, lag, plan.sales.other_pipeline, by_q, None, None)
    factors = [attrition_factor(plan, t) for t in plan.sales.team] if plan.sales.attrition is not None else None
    return Funnel(lag, plan.currency, a, rows, by_q, factors)


def planned_opportunities(f: Funnel, q: Quarter) -> Optional[float]:
    """Opportunities the plan expects in horizon quarter q: those from the MQLs marketing
    plans in q (``mqls_planned * mql_to_sql * sql_to_opportunity``) plus those
    ``sales.other_pipeline`` brings for q (``other_opportunities``). None when unknown."""
    row = f.row(q)
    m2s, s2o = f.assumptions["mql_to_sql"].value, f.assumptions["sql_to_opportunity"].value
    if row is None or row.mqls_planned is None or m2s is None or s2o is None:
        return None
    return row.mqls_planned * m2s * s2o + (row.other_opportunities or 0.0)


# -- segments (docs/reference/plan-format.md, 'Segments') --------------------------------

def segment_targets(plan: Plan, seg: SalesSegment) -> dict[Quarter, float]:
    """A segment's target per horizon quarter: its ``targets``, or ``share x sales.targets``."""
    horizon = quarter_range(plan.horizon.start, plan.horizon.end)
    if seg.targets is not None:
        return {q: float(seg.targets[q]) for q in horizon}
    share = seg.share or 0.0
    return {q: share * float(plan.sales.targets[q]) for q in horizon}


def program_split(plan: Plan, program: Program) -> dict[str, float]:
    """How a program's leads and MQLs divide among segments: its ``split``, else equally among
    its ``segments``, else (no segment named) equally among all of ``sales.segments``."""
    if program.split:
        return dict(program.split)
    names = list(dict.fromkeys(program.segments or [])) or [s.id for s in plan.sales.segments or []]
    return {n: 1 / len(names) for n in names} if names else {}


def program_mqls_in_segments(plan: Plan, program: Program, lead_to_mql: dict[str, Optional[float]]) -> Optional[float]:
    """MQLs one program brings per quarter it runs in a plan with segments: the sum over its
    segments of its part (stated MQLs x split, or leads x split x the segment's lead_to_mql)."""
    total = 0.0
    for seg, frac in program_split(plan, program).items():
        part = program_mqls(program, lead_to_mql.get(seg))
        if part is None:
            return None
        total += part * frac
    return total


def segment_lead_to_mql(plan: Plan) -> dict[str, Optional[float]]:
    return {s.id: effective_assumptions(plan, s.id)["lead_to_mql"].value for s in plan.sales.segments or []}


def programs_by_segment(plan: Plan, lead_to_mql: dict[str, Optional[float]]
                        ) -> tuple[dict[str, dict[Quarter, QuarterPrograms]], dict[Quarter, QuarterPrograms]]:
    """One pass over the programs: each segment's MQLs planned (stated ``expected_mqls`` x split,
    or ``expected_leads`` x split x the segment's lead_to_mql) and cost (x split), per quarter;
    and the company's cost and programs per quarter (its MQLs, the segments' sum, are left to
    the caller)."""
    # per quarter (year, n), per segment: [mqls (None: unknown), cost, program indexes]; the
    # company's QuarterPrograms under None. 5,000 programs stay cheap.
    per_q: dict[tuple[int, int], dict] = {}
    for i, p in enumerate(plan.marketing.programs):
        parts = []
        for seg, frac in program_split(plan, p).items():
            if seg not in lead_to_mql:  # not a sales.segments id: the plan is invalid (integrity says so)
                continue
            if p.expected_mqls is not None:
                mqls: Optional[float] = p.expected_mqls * frac
            elif p.expected_leads is not None:
                l2m = lead_to_mql[seg]
                mqls = None if l2m is None else p.expected_leads * frac * l2m
            else:
                mqls = 0.0
            parts.append((seg, mqls, p.cost * frac))
        for key in {(q.year, q.n) for q in p.quarters}:  # tuples of ints hash far faster than Quarters
            bucket = per_q.get(key)
            if bucket is None:
                bucket = per_q[key] = {None: QuarterPrograms()}
            company = bucket[None]
            company.cost += p.cost
            company.programs.append(i)
            for seg, mqls, cost in parts:
                acc = bucket.get(seg)
                if acc is None:
                    acc = bucket[seg] = [0.0, 0.0, []]
                acc[0] = None if mqls is None or acc[0] is None else acc[0] + mqls
                acc[1] += cost
                acc[2].append(i)
    out: dict[str, dict[Quarter, QuarterPrograms]] = {s: {} for s in lead_to_mql}
    whole: dict[Quarter, QuarterPrograms] = {}
    for (year, n), bucket in per_q.items():
        q = Quarter(year, n)
        whole[q] = bucket.pop(None)
        for seg, (mqls, cost, programs) in bucket.items():
            out[seg][q] = QuarterPrograms(mqls, cost, programs)
    return out, whole


def _sum(values: list[Optional[float]]) -> Optional[float]:
    known = [v for v in values if v is not None]
    return None if len(known) < len(values) else sum(known)


def _scope_rows(plan: Plan, targets: dict[Quarter, float], v: dict[str, Optional[float]], lag: int,
                items: Optional[list], by_q: dict[Quarter, QuarterPrograms], team: Optional[list],
                segment: Optional[str]) -> list[FunnelRow]:
    """One scope's waterfall rows (the company of a plan without segments, or one segment):
    its targets worked back with its assumption values ``v``, its other pipeline ``items``,
    the capacity of ``team`` (every row when None) and MQLs demanded ``lag`` quarters ahead.
    A segment's rows have no budget (the budget is the plan's)."""
    needed: dict[Quarter, Optional[float]] = {}
    rows = []
    for q, target in targets.items():
        parts: dict[str, Optional[float]] = {}

        def other_of(opps: Optional[float], q: Quarter = q, parts: dict = parts) -> Optional[float]:
            parts.update(other_opportunities(plan, items, q, opps))
            return _sum(list(parts.values()))

        deals, opps, other, sqls, mqls, leads = needs(target, v, other=other_of)
        needed[q] = mqls
        agg = by_q.get(q, QuarterPrograms())
        rows.append(FunnelRow(
            quarter=q, target=target, deals=deals, opportunities=opps, other_opportunities=other, sqls=sqls,
            mqls_needed=mqls, leads_needed=leads, created_in=q - lag,
            mqls_planned=agg.mqls, mqls_demanded=None,
            capacity=capacity(plan, q, rows=team), program_cost=agg.cost,
            budget=None if segment is not None else float(plan.marketing.budget[q]), segment=segment,
            other_by_source=parts if items else None,
            other_pipeline_cost=other_pipeline_cost(plan, items, q) if items else None,
        ))
    for row in rows:
        row.mqls_demanded = needed.get(row.quarter + lag)
    return rows


def _segment_funnel(plan: Plan, seg: SalesSegment, by_q: dict[Quarter, QuarterPrograms]) -> Funnel:
    a = effective_assumptions(plan, seg.id)
    v = {k: x.value for k, x in a.items()}
    lag = lag_quarters(v["sales_cycle_days"])
    items = seg.other_pipeline if seg.other_pipeline is not None else plan.sales.other_pipeline
    targets = segment_targets(plan, seg)
    dedicated = [r for r in plan.sales.team if r.segment == seg.id]
    rows = _scope_rows(plan, targets, v, lag, items, by_q, dedicated, seg.id)
    return Funnel(lag, plan.currency, a, rows, by_q, segment=seg.id)


def _compute_segmented(plan: Plan) -> Funnel:
    a = effective_assumptions(plan)
    segs = plan.sales.segments or []
    by_seg, by_q = programs_by_segment(plan, segment_lead_to_mql(plan))  # by_q: the company's cost and programs
    funnels = {s.id: _segment_funnel(plan, s, by_seg[s.id]) for s in segs}
    company_cycle = a["sales_cycle_days"]
    per_segment_only = company_cycle.value is None and any(
        f.assumptions["sales_cycle_days"].value is not None for f in funnels.values())
    lag = None if per_segment_only else lag_quarters(company_cycle.value)
    rows = []
    parts = [f.rows for f in funnels.values()]
    for i, q in enumerate(quarter_range(plan.horizon.start, plan.horizon.end)):
        seg_rows = [p[i] for p in parts]

        def total(attr: str, seg_rows: list[FunnelRow] = seg_rows) -> Optional[float]:
            return _sum([getattr(r, attr) for r in seg_rows])

        demanded = [r.mqls_demanded for r in seg_rows if r.mqls_demanded is not None]
        agg = by_q.get(q, QuarterPrograms())
        sourced = [r for r in seg_rows if r.other_by_source is not None]
        by_source: Optional[dict[str, Optional[float]]] = None
        if sourced:  # each item's opportunities summed over the segments that have it
            by_source = {}
            for r in sourced:
                for k, x in (r.other_by_source or {}).items():
                    before = by_source.get(k, 0.0)
                    by_source[k] = None if x is None or before is None else before + x
        rows.append(FunnelRow(
            quarter=q, target=float(plan.sales.targets[q]), deals=total("deals"), opportunities=total("opportunities"),
            other_opportunities=total("other_opportunities"), sqls=total("sqls"), mqls_needed=total("mqls_needed"),
            leads_needed=total("leads_needed"), created_in=None, mqls_planned=total("mqls_planned"),
            mqls_demanded=sum(demanded) if demanded else None, capacity=capacity(plan, q),
            program_cost=agg.cost, budget=float(plan.marketing.budget[q]),
            other_by_source=by_source,
            other_pipeline_cost=sum(r.other_pipeline_cost or 0.0 for r in sourced) if sourced else None,
        ))
    for q, agg in by_q.items():  # the company's MQLs planned are the segments' sum
        agg.mqls = _sum([f.by_quarter[q].mqls if q in f.by_quarter else 0.0 for f in funnels.values()])
    factors = [attrition_factor(plan, t) for t in plan.sales.team] if plan.sales.attrition is not None else None
    return Funnel(lag, plan.currency, a, rows, by_q, factors, segments=funnels)
