"""Pipeline sources other than marketing (``sales.other_pipeline``): their part of a
quarter's opportunities, and whole counts by source as every output shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from gtmplan.output.fmt import ceil_count

if TYPE_CHECKING:
    from gtmplan.engine.funnel import FunnelRow
    from gtmplan.plan.model import OtherSource, Plan
    from gtmplan.plan.quarters import Quarter


def other_opportunities(plan: Plan, items: Optional[list[OtherSource]], q: Quarter,
                        opportunities: Optional[float]) -> dict[str, Optional[float]]:
    """Each other-pipeline item's opportunities for target quarter ``q`` (by item id),
    given the ``opportunities`` the quarter's target needs (None when unknown).

    The one computation of other pipeline, called per scope (the company, or one
    segment with its own items): a ``share`` item brings ``share x opportunities``."""
    return {s.id: None if opportunities is None else opportunities * s.share for s in items or []}


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
