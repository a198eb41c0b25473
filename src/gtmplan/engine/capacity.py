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
    import datetime as dt

    from gtmplan.plan.model import MotionRow, Plan, TeamRow


def _rows(plan: Plan, rows: Optional[Iterable[TeamRow]]) -> Iterable[TeamRow]:
    return plan.sales.team if rows is None else rows


def productivity(row: TeamRow | MotionRow, year: int, month: int) -> float:
    """Share of full productivity a seller of this row has in that calendar month.

    Month m counts from the month of ``start`` (m = 0 in the start month). With
    ``ramp: [r0, r1, ...]`` it is r_m, and 1 after the list ends; with
    ``ramp_months: k`` it is ``min(1, (m + 1) / k)``, so k = 3 gives 1/3, 2/3, 1.
    Nothing before the start month; full at once without ``start``. With ``end``
    (they leave after that day), nothing from the month after the end month.
    The rows may also be a pipeline motion's team (``other_pipeline[].capacity.team``).
    """
    end = getattr(row, "end", None)
    if end is not None and month_index(year, month) > month_index(end.year, end.month):
        return 0.0
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


def ramp_shortfall(row: TeamRow) -> float:
    """Months of full productivity a hire's ramp costs (R in the attrition factor):
    ``Σ (1 − ramp(m))`` over a curve; ``(k − 1) / 2`` for ``ramp_months: k`` (the curve
    (m + 1) / k), 0 for ``ramp_months: 0``. Taken from the row's curve whether or not
    it has a ``start``: a backfill ramps too."""
    if row.ramp is not None:
        return sum(1.0 - r for r in row.ramp)
    return max(0.0, (row.ramp_months - 1) / 2) if row.ramp_months else 0.0


def attrition_factor(plan: Plan, row: TeamRow) -> float:
    """What expected turnover (``sales.attrition``) leaves of a team row's ramped capacity:
    ``1 − annual_rate × (backfill_months + R) / 12``, R the row's ramp shortfall, clamped
    at 0. 1 without ``sales.attrition``. For ``sales.team`` rows only, never for a
    pipeline motion's team."""
    a = plan.sales.attrition
    if a is None:
        return 1.0
    return max(0.0, 1.0 - a.annual_rate * (a.backfill_months + ramp_shortfall(row)) / 12)


def capacity(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> float:
    """Bookings the rows (sales.team rows) can close in q: each row's ``count × annual_quota / 12``
    times its productivity summed over q's months, times its attrition factor, times
    ``expected_attainment``."""
    months = q.months(plan.calendar)
    total = 0.0
    for row in _rows(plan, rows):
        ramped = sum(productivity(row, y, m) for y, m in months)
        monthly = row.count * row.annual_quota / 12 * ramped
        total += monthly if plan.sales.attrition is None else monthly * attrition_factor(plan, row)
    return total * plan.sales.expected_attainment


def _present(row: TeamRow | MotionRow, first: dt.date, last: dt.date) -> bool:
    """On the team on some day of [first, last]: started by ``last``, not gone before ``first``."""
    end = getattr(row, "end", None)
    return (row.start is None or row.start <= last) and (end is None or end >= first)


def sellers(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> int:
    """Head count on the team during the quarter: whose start is on or before its last day
    and who have not left (``end``) before its first day."""
    first, last = q.first_day(plan.calendar), q.last_day(plan.calendar)
    return sum(r.count for r in _rows(plan, rows) if _present(r, first, last))


def sellers_joining(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> int:
    """Head count whose start falls inside the quarter (after its first day)."""
    first, last = q.first_day(plan.calendar), q.last_day(plan.calendar)
    return sum(r.count for r in _rows(plan, rows) if r.start is not None and first < r.start <= last)


def sellers_leaving(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> int:
    """Head count who leave during the quarter (their ``end`` before its last day)."""
    first, last = q.first_day(plan.calendar), q.last_day(plan.calendar)
    return sum((r.count for r in _rows(plan, rows)
                if (end := getattr(r, "end", None)) is not None and first <= end < last and _present(r, first, last)),
               0)


def ramped_sellers(plan: Plan, q: Quarter, rows: Optional[Iterable[TeamRow]] = None) -> float:
    """The quarter's team in fully productive sellers: each seller's ramped share of
    the quarter's three months (a seller who starts in its last month counts 1/3 at
    most, one who leaves after its first month 1/3). ``capacity`` is this, weighted by
    each row's quota (and attrition factor)."""
    months = q.months(plan.calendar)
    return sum(row.count * sum(productivity(row, y, m) for y, m in months) / len(months)
               for row in _rows(plan, rows))
