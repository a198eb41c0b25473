"""The demand waterfall and sales capacity: pure functions of a plan (docs/reference/rules.md).

Everything that needs a funnel number (the A-rules, ``gtmplan funnel``,
``gtmplan render``, ``gtmplan review``) takes it from here, so there is one
computation. Numbers are exact floats; rounding is for display only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Optional

from gtmplan.engine.capacity import attrition_factor, capacity
from gtmplan.engine.pipeline import other_opportunities, other_pipeline_cost
from gtmplan.plan.modelparts import ASSUMPTION_KEYS, MARKETING_OWNS
from gtmplan.plan.quarters import Quarter, quarter_range

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan, Program

WATERFALL_NEEDS = ("average_deal_size", "win_rate", "sql_to_opportunity", "mql_to_sql")


@dataclass(frozen=True)
class Assumption:
    key: str
    value: Optional[float]
    side: Optional[str]  # the side whose value is used: "sales", "marketing" or None


def owner(key: str) -> str:
    return "marketing" if key in MARKETING_OWNS else "sales"


def effective_assumptions(plan: Plan) -> dict[str, Assumption]:
    """One value per assumption: the owning side's, else the other side's (docs/reference/plan-format.md)."""
    sides = {"sales": plan.sales.assumptions, "marketing": plan.marketing.assumptions}
    out = {}
    for key in ASSUMPTION_KEYS:
        first = owner(key)
        second = "sales" if first == "marketing" else "marketing"
        chosen = Assumption(key, None, None)
        for side in (first, second):
            a = sides[side]
            value = getattr(a, key) if a is not None else None
            if value is not None:
                chosen = Assumption(key, float(value), side)
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
    created_in: Quarter
    mqls_planned: Optional[float]
    mqls_demanded: Optional[float]
    capacity: float
    program_cost: float
    budget: float
    # with sales.other_pipeline only (None without one, and left out of the JSON):
    other_by_source: Optional[dict[str, Optional[float]]] = None  # each item's opportunities, by id
    other_pipeline_cost: Optional[float] = None  # what the items cost in the quarter (not marketing's budget)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["quarter"] = str(self.quarter)
        d["created_in"] = str(self.created_in)
        if self.other_by_source is None:
            del d["other_by_source"], d["other_pipeline_cost"]
        return d


@dataclass
class Funnel:
    lag: int
    currency: str
    assumptions: dict[str, Assumption]
    rows: list[FunnelRow]
    by_quarter: dict[Quarter, QuarterPrograms]
    attrition_factors: Optional[list[float]] = None  # per sales.team row, with sales.attrition only

    def row(self, q: Quarter) -> Optional[FunnelRow]:
        i = q - self.rows[0].quarter if self.rows else -1
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def as_dict(self) -> dict:
        d = {"lag_quarters": self.lag, "currency": self.currency,
             "quarters": [r.as_dict() for r in self.rows]}
        if self.attrition_factors is not None:
            d["attrition_factors"] = self.attrition_factors
        return d


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
    """The waterfall, MQLs planned and demanded, capacity and spend for each horizon quarter."""
    a = effective_assumptions(plan)
    v = {k: x.value for k, x in a.items()}
    lag = lag_quarters(v["sales_cycle_days"])
    by_q = programs_by_quarter(plan, v["lead_to_mql"])
    horizon = list(quarter_range(plan.horizon.start, plan.horizon.end))
    items = plan.sales.other_pipeline
    needed: dict[Quarter, Optional[float]] = {}
    rows = []
    for q in horizon:
        target = float(plan.sales.targets[q])
        parts: dict[str, Optional[float]] = {}

        def other_of(opps: Optional[float], q: Quarter = q, parts: dict = parts) -> Optional[float]:
            parts.update(other_opportunities(plan, items, q, opps))
            return None if any(x is None for x in parts.values()) else sum(parts.values())  # type: ignore[misc]

        deals, opps, other, sqls, mqls, leads = needs(target, v, other=other_of)
        needed[q] = mqls
        agg = by_q.get(q, QuarterPrograms())
        rows.append(FunnelRow(
            quarter=q, target=target, deals=deals, opportunities=opps, other_opportunities=other, sqls=sqls,
            mqls_needed=mqls, leads_needed=leads, created_in=q - lag,
            mqls_planned=agg.mqls, mqls_demanded=None,
            capacity=capacity(plan, q), program_cost=agg.cost, budget=float(plan.marketing.budget[q]),
            other_by_source=parts if items else None,
            other_pipeline_cost=other_pipeline_cost(plan, items, q) if items else None,
        ))
    for row in rows:
        row.mqls_demanded = needed.get(row.quarter + lag)
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
