"""Sales capacity: what the team can close per quarter, from its rows' quotas and ramps.

Pure functions of plan rows. Every function takes the rows it counts (``rows``;
all of ``sales.team`` when omitted) so that a part of the team (a segment's
dedicated sellers, the shared rows) is counted by the same code as the whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Optional

from gtmplan.plan.quarters import Quarter, month_index

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan, TeamRow


def _rows(plan: Plan, rows: Optional[Iterable[TeamRow]]) -> Iterable[TeamRow]:
    return plan.sales.team if rows is None else rows


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


def capacity(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> float:
    months = q.months(plan.calendar)
    total = 0.0
    for row in _rows(plan, rows):
        ramped = sum(productivity(row, y, m) for y, m in months)
        total += row.count * row.annual_quota / 12 * ramped
    return total * plan.sales.expected_attainment


def sellers(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> int:
    """Head count whose start is on or before the quarter's last day."""
    last = q.last_day(plan.calendar)
    return sum(r.count for r in _rows(plan, rows) if r.start is None or r.start <= last)


def sellers_joining(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> int:
    """Head count whose start falls inside the quarter (after its first day)."""
    first, last = q.first_day(plan.calendar), q.last_day(plan.calendar)
    return sum(r.count for r in _rows(plan, rows) if r.start is not None and first < r.start <= last)


def ramped_sellers(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> float:
    """The quarter's team in fully productive sellers: each seller's ramped share of
    the quarter's three months (a seller who starts in its last month counts 1/3 at
    most). ``capacity`` is this, weighted by each row's quota."""
    months = q.months(plan.calendar)
    return sum(row.count * sum(productivity(row, y, m) for y, m in months) / len(months)
               for row in _rows(plan, rows))
