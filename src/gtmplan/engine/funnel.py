"""The demand waterfall and sales capacity: pure functions of a plan (rules.md).

Everything that needs a funnel number (the A-rules, ``gtmplan funnel``,
``gtmplan render``, ``gtmplan review``) takes it from here, so there is one
computation. Numbers are exact floats; rounding is for display only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Optional

from gtmplan.plan.modelparts import ASSUMPTION_KEYS, MARKETING_OWNS
from gtmplan.plan.quarters import Quarter, month_index, quarter_range

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan, Program, TeamRow

WATERFALL_NEEDS = ("average_deal_size", "win_rate", "sql_to_opportunity", "mql_to_sql")


@dataclass(frozen=True)
class Assumption:
    key: str
    value: Optional[float]
    side: Optional[str]  # the side whose value is used: "sales", "marketing" or None


def owner(key: str) -> str:
    return "marketing" if key in MARKETING_OWNS else "sales"


def effective_assumptions(plan: Plan) -> dict[str, Assumption]:
    """One value per assumption: the owning side's, else the other side's (plan-format.md)."""
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


def productivity(row: TeamRow, year: int, month: int) -> float:
    """Share of full productivity a seller of this row has in that calendar month.

    Month m counts from the month of ``start`` (m = 0 in the start month). With
    ``ramp: [r0, r1, ...]`` it is r_m, and 1 after the list ends; with
    ``ramp_months: k`` it is ``min(1, (m + 1) / k)``, so k = 3 gives 1/3, 2/3, 1.
    Nothing before the start month; full at once without ``start``.
    """
    if row.start is None:
        return 1.0
    k = month_index(year, month) - month_index(row.start.year, row.start.month)
    if k < 0:
        return 0.0
    if row.ramp is not None:
        return row.ramp[k] if k < len(row.ramp) else 1.0
    if row.ramp_months == 0:
        return 1.0
    return min(1.0, (k + 1) / row.ramp_months)


def capacity(plan: Plan, q: Quarter) -> float:
    months = q.months(plan.calendar)
    total = 0.0
    for row in plan.sales.team:
        ramped = sum(productivity(row, y, m) for y, m in months)
        total += row.count * row.annual_quota / 12 * ramped
    return total * plan.sales.expected_attainment


def sellers(plan: Plan, q: Quarter) -> int:
    """Head count whose start is on or before the quarter's last day."""
    last = q.last_day(plan.calendar)
    return sum(r.count for r in plan.sales.team if r.start is None or r.start <= last)


def sellers_joining(plan: Plan, q: Quarter) -> int:
    """Head count whose start falls inside the quarter (after its first day)."""
    first, last = q.first_day(plan.calendar), q.last_day(plan.calendar)
    return sum(r.count for r in plan.sales.team if r.start is not None and first < r.start <= last)


def ramped_sellers(plan: Plan, q: Quarter) -> float:
    """The quarter's team in fully productive sellers: each seller's ramped share of
    the quarter's three months (a seller who starts in its last month counts 1/3 at
    most). ``capacity`` is this, weighted by each row's quota."""
    months = q.months(plan.calendar)
    return sum(row.count * sum(productivity(row, y, m) for y, m in months) / len(months)
               for row in plan.sales.team)


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

    def as_dict(self) -> dict:
        d = asdict(self)
        d["quarter"] = str(self.quarter)
        d["created_in"] = str(self.created_in)
        return d


@dataclass
class Funnel:
    lag: int
    currency: str
    assumptions: dict[str, Assumption]
    rows: list[FunnelRow]
    by_quarter: dict[Quarter, QuarterPrograms]

    def row(self, q: Quarter) -> Optional[FunnelRow]:
        i = q - self.rows[0].quarter if self.rows else -1
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def as_dict(self) -> dict:
        return {"lag_quarters": self.lag, "currency": self.currency,
                "quarters": [r.as_dict() for r in self.rows]}


def _div(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return None if a is None or not b else a / b


def needs(target: float, v: dict[str, Optional[float]], other_share: float = 0.0) -> tuple[Optional[float], ...]:
    """The waterfall of one bookings target: (deals, opportunities, of those the ones
    sales sources itself (``other_share``, sales.other_pipeline), SQLs, MQLs, leads)
    it needs, from the assumption values ``v`` (None where one is missing)."""
    deals = _div(target, v.get("average_deal_size"))
    opps = _div(deals, v.get("win_rate"))
    other = None if opps is None else opps * other_share
    sqls = _div(None if opps is None else opps - other, v.get("sql_to_opportunity"))
    mqls = _div(sqls, v.get("mql_to_sql"))
    return deals, opps, other, sqls, mqls, _div(mqls, v.get("lead_to_mql"))


def compute(plan: Plan) -> Funnel:
    """The waterfall, MQLs planned and demanded, capacity and spend for each horizon quarter."""
    a = effective_assumptions(plan)
    v = {k: x.value for k, x in a.items()}
    lag = lag_quarters(v["sales_cycle_days"])
    by_q = programs_by_quarter(plan, v["lead_to_mql"])
    horizon = list(quarter_range(plan.horizon.start, plan.horizon.end))
    other_share = plan.other_share
    needed: dict[Quarter, Optional[float]] = {}
    rows = []
    for q in horizon:
        target = float(plan.sales.targets[q])
        deals, opps, other, sqls, mqls, leads = needs(target, v, other_share)
        needed[q] = mqls
        agg = by_q.get(q, QuarterPrograms())
        rows.append(FunnelRow(
            quarter=q, target=target, deals=deals, opportunities=opps, other_opportunities=other, sqls=sqls,
            mqls_needed=mqls, leads_needed=leads, created_in=q - lag,
            mqls_planned=agg.mqls, mqls_demanded=None,
            capacity=capacity(plan, q), program_cost=agg.cost, budget=float(plan.marketing.budget[q]),
        ))
    for row in rows:
        row.mqls_demanded = needed.get(row.quarter + lag)
    return Funnel(lag, plan.currency, a, rows, by_q)


def planned_opportunities(f: Funnel, q: Quarter) -> Optional[float]:
    """Opportunities the plan expects in horizon quarter q: those from the MQLs marketing
    plans in q (``mqls_planned * mql_to_sql * sql_to_opportunity``) plus those
    ``sales.other_pipeline`` brings for q (``other_opportunities``). None when unknown."""
    row = f.row(q)
    m2s, s2o = f.assumptions["mql_to_sql"].value, f.assumptions["sql_to_opportunity"].value
    if row is None or row.mqls_planned is None or m2s is None or s2o is None:
        return None
    return row.mqls_planned * m2s * s2o + (row.other_opportunities or 0.0)


def opportunity_sources(plan: Plan, row: FunnelRow) -> list[tuple[str, Optional[float]]]:
    """The opportunities a quarter's target needs, by source: marketing's MQLs, then each
    ``sales.other_pipeline`` source (name or id, share x opportunities)."""
    opps = row.opportunities
    sources = [(s.name or s.id, None if opps is None else opps * s.share) for s in plan.sales.other_pipeline or []]
    marketing = None if opps is None else opps - (row.other_opportunities or 0.0)
    return [("marketing's MQLs", marketing), *sources]


def shown_opportunity_sources(plan: Plan, row: FunnelRow) -> Optional[list[int]]:
    """Whole opportunities by source as every output shows them (funnel's "Other opps",
    render's pipeline by source): they add up to the rounded-up total; marketing's part is
    rounded up, as the SQLs and MQLs computed from it are; the rest goes to the other
    sources (largest remainders). None when the quarter's opportunities are unknown."""
    from gtmplan.output.fmt import ceil_count

    sources = opportunity_sources(plan, row)
    if row.opportunities is None:
        return None
    total = ceil_count(row.opportunities)
    marketing = min(ceil_count(max(sources[0][1], 0.0)), total)
    others = [x for _, x in sources[1:]]
    return [marketing, *apportion(total - marketing, others)]


def apportion(total: int, parts: list[float]) -> list[int]:
    """Whole counts in proportion to ``parts`` that add up to ``total`` (largest remainders)."""
    if not parts:
        return []
    whole = sum(parts)
    scaled = [total * x / whole if whole else total / len(parts) for x in parts]
    floors = [int(x) for x in scaled]
    order = sorted(range(len(scaled)), key=lambda i: floors[i] - scaled[i])
    for i in order[:max(0, total - sum(floors))]:
        floors[i] += 1
    return floors

