"""Pipeline sources other than marketing (``sales.other_pipeline``): their part of a
quarter's opportunities, what they cost, and whole counts by source as every output
shows them.

An item brings either a ``share`` of the opportunities a quarter's target needs (one
fraction, or a map quarter -> fraction where a quarter not listed has share 0), or the
opportunities its ``capacity`` team creates (an outbound motion: SDRs, partner
managers): ``count × ramp(month) × opportunities_per_month`` summed over the quarter's
months and the team's rows, with ``start``, ``ramp`` and ``end`` read as for sellers
(docs/reference/plan-format.md, "Pipeline sources as capacity, shares per quarter").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from gtmplan.engine.capacity import productivity
from gtmplan.output.fmt import ceil_count

if TYPE_CHECKING:
    from gtmplan.engine.funnel import FunnelRow
    from gtmplan.plan.model import MotionCapacity, OtherSource, Plan
    from gtmplan.plan.quarters import Quarter


def share_in(item: OtherSource, q: Quarter) -> float:
    """The item's share of q's opportunities: its one ``share``, or q's entry of its map
    (0 for a quarter not listed, and for a capacity item)."""
    share = item.share
    if share is None:
        return 0.0
    if isinstance(share, dict):
        return float(share.get(q, 0.0))
    return float(share)


def motion_opportunities(plan: Plan, capacity: MotionCapacity, q: Quarter) -> float:
    """Opportunities a motion's team creates in quarter q: over its rows and q's months,
    ``count × productivity(month) × opportunities_per_month``. No attrition: the factor
    of ``sales.attrition`` is for sales.team rows only."""
    months = q.months(plan.calendar)
    ramped = sum(row.count * sum(productivity(row, y, m) for y, m in months) for row in capacity.team)
    return ramped * capacity.opportunities_per_month


def other_opportunities(plan: Plan, items: Optional[list[OtherSource]], q: Quarter,
                        opportunities: Optional[float]) -> dict[str, Optional[float]]:
    """Each other-pipeline item's opportunities for target quarter ``q`` (by item id),
    given the ``opportunities`` the quarter's target needs (None when unknown).

    The one computation of other pipeline, called per scope (the company, or one
    segment with its own items): a ``share`` item brings ``share(q) x opportunities``
    (None when those are unknown); a ``capacity`` item brings what its team creates in
    q, whatever the target needs (not capped: marketing's part is
    ``max(0, opportunities − their sum)``)."""
    out: dict[str, Optional[float]] = {}
    for s in items or []:
        if s.capacity is not None:
            out[s.id] = motion_opportunities(plan, s.capacity, q)
        else:
            out[s.id] = None if opportunities is None else opportunities * share_in(s, q)
    return out


def source_cost(item: OtherSource, q: Quarter) -> float:
    """What an item costs in horizon quarter q: its one ``cost`` (charged in every horizon
    quarter), q's entry of its map (0 when not listed), 0 without ``cost``."""
    cost = item.cost
    if cost is None:
        return 0.0
    if isinstance(cost, dict):
        return float(cost.get(q, 0.0))
    return float(cost)


def other_pipeline_cost(plan: Plan, items: Optional[list[OtherSource]], q: Quarter) -> float:
    """What the items cost in q together (not marketing's budget)."""
    return sum(source_cost(s, q) for s in items or [])


def is_motion(item: OtherSource) -> bool:
    """An item shown as a motion of its own (with its opportunities, head count and cost):
    one with a capacity team or a cost."""
    return item.capacity is not None or item.cost is not None


def _parts(plan: Plan, row: FunnelRow) -> dict[str, Optional[float]]:
    parts = getattr(row, "other_by_source", None)
    if parts is None:
        parts = other_opportunities(plan, plan.sales.other_pipeline, row.quarter, row.opportunities)
    return parts


def scope_items(plan: Plan, segment: Optional[str] = None, company_of_segments: bool = False) -> list[OtherSource]:
    """The other-pipeline items of one scope: a segment's own ``other_pipeline`` (else the
    company-wide items it inherits); with ``company_of_segments`` the company row of a
    segmented plan: every segment's items, once per id (in the segments' order), so that
    the company's figures include the pipeline each segment sources; otherwise
    ``sales.other_pipeline``."""
    if segment is not None:
        seg = next((s for s in plan.sales.segments or [] if s.id == segment), None)
        if seg is not None and seg.other_pipeline is not None:
            return list(seg.other_pipeline)
        return list(plan.sales.other_pipeline or [])
    if company_of_segments and plan.sales.segments:
        seen: dict[str, OtherSource] = {}
        for seg in plan.sales.segments:
            for item in scope_items(plan, seg.id):
                seen.setdefault(item.id, item)
        return list(seen.values())
    return list(plan.sales.other_pipeline or [])


def scope_groups(plan: Plan, item_id: str, company_of_segments: bool,
                 segment: Optional[str] = None) -> list[OtherSource]:
    """The items with id ``item_id`` one scope counts: the one item of a segment or of a
    plan without segments; on a segmented plan's company row, that id's item in every
    segment that has it (their costs and head counts add up)."""
    if company_of_segments and plan.sales.segments:
        return [i for seg in plan.sales.segments for i in scope_items(plan, seg.id) if i.id == item_id]
    return [i for i in scope_items(plan, segment) if i.id == item_id]


def opportunity_sources(plan: Plan, row: FunnelRow,
                        items: Optional[list[OtherSource]] = None) -> list[tuple[str, Optional[float]]]:
    """The opportunities a quarter's target needs, by source: marketing's MQLs, then each
    other-pipeline source (name or id, its part): ``items`` (default
    ``sales.other_pipeline``). Marketing's part is never below 0 (a motion may bring more
    than the target needs)."""
    opps = row.opportunities
    parts = _parts(plan, row)
    items = plan.sales.other_pipeline if items is None else items
    sources = [(s.name or s.id, parts.get(s.id)) for s in items or []]
    marketing = None if opps is None or row.other_opportunities is None else max(0.0, opps - row.other_opportunities)
    return [("marketing's MQLs", marketing), *sources]


def shown_opportunity_sources(plan: Plan, row: FunnelRow,
                              items: Optional[list[OtherSource]] = None) -> Optional[list[int]]:
    """Whole opportunities by source as every output shows them (funnel's "Other opps",
    render's pipeline by source): they add up to the rounded-up total; marketing's part is
    rounded up, as the SQLs and MQLs computed from it are; the rest goes to the other
    sources (largest remainders). When the other sources bring the whole total or more
    (a motion's team), marketing's part is 0 and theirs add up to their own sum rounded
    up, above the total. None when the quarter's opportunities are unknown."""
    sources = opportunity_sources(plan, row, items)
    known = [x for _, x in sources if x is not None]
    if row.opportunities is None or len(known) < len(sources):
        return None
    others = known[1:]
    other_sum = sum(others)
    if others and other_sum >= row.opportunities:
        return [0, *apportion(_whole(other_sum), others)]
    total = _whole(row.opportunities)
    marketing = min(_whole(max(known[0], 0.0)), total)
    return [marketing, *apportion(total - marketing, others)]


def _whole(x: float) -> int:
    """A known count rounded up, as people see it (fmt.ceil_count)."""
    n = ceil_count(x)
    assert n is not None
    return n


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
