"""The parts of the plan models that don't need pydantic.

:mod:`gtmplan.plan.model` (pydantic) is the one definition of the plan format. What it
shares with the compiled records of :mod:`gtmplan.plan.compiled` (the fast loading path,
which never imports pydantic) lives here: the vocabulary constants, the scalar
parsers the core schema calls, and model behaviour (properties) as mixins that both
the pydantic models and the records inherit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, Union

from gtmplan.plan.quarters import FiscalCalendar, Quarter

ASSUMPTION_KEYS = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate",
                   "average_deal_size", "sales_cycle_days", "cost_per_lead")
SALES_OWNS = frozenset(("mql_to_sql", "sql_to_opportunity", "win_rate", "average_deal_size", "sales_cycle_days"))
MARKETING_OWNS = frozenset(("lead_to_mql", "cost_per_lead"))


# -- scalar parsers (called by the validator, pydantic's or the compiled one) ----------

def parse_quarter(value: object) -> Quarter:
    if isinstance(value, Quarter):
        return value
    if value is None or value == "":
        raise ValueError("no quarter given: write it as YYYYQn, e.g. 2027Q3")
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a quarter: write it as YYYYQn, e.g. 2027Q3")
    return Quarter.parse(value)


def parse_period(value: object) -> Union[Quarter, Literal["FY"]]:
    if value == "FY":
        return "FY"
    try:
        return parse_quarter(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a period: write FY (the whole horizon) or a quarter such as 2027Q3") from None


def one_or_many(value: object) -> object:
    """One name written alone reads as a list of one (docs/reference/plan-format.md 0.2)."""
    return value if isinstance(value, (list, dict)) or value is None else [value]


# -- behaviour (a model's properties and methods go in a mixin here) -------------------

class PlanBehaviour:
    """Behaviour of :class:`gtmplan.plan.model.Plan` (no annotations here: pydantic would read them)."""

    if TYPE_CHECKING:  # what it reads of the plan, for type checkers only (never at run time)
        fiscal_year_start_month: int
        fiscal_year_named_by: Literal["start", "end"]
        sales: Any  # gtmplan.plan.model.Sales (which imports this module)

    @property
    def calendar(self) -> FiscalCalendar:
        """The plan's fiscal calendar: turns its quarters into dates and back."""
        return FiscalCalendar(self.fiscal_year_start_month, self.fiscal_year_named_by)

    @property
    def other_share(self) -> float:
        """Share of each quarter's opportunities that other_pipeline's fixed shares bring (0
        without one; shares per quarter and capacity items are not in it: see
        :func:`gtmplan.engine.pipeline.other_opportunities`)."""
        return sum((float(s.share) for s in self.sales.other_pipeline or []
                    if isinstance(s.share, (int, float))), 0.0)


def clock_time(value: str) -> str:
    """A review's start time: HH:MM on a 24-hour clock, or all-day."""
    if value != "all-day" and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        raise ValueError(f"{value!r} is not a time of day: write HH:MM on a 24-hour clock (e.g. \"14:30\"), "
                         "or all-day")
    return value


def time_zone(value: str) -> str:
    """An IANA time zone name that this system knows."""
    import zoneinfo  # here: 2 ms of import (python -X importtime) that a plan without a review time zone never pays

    try:
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ValueError(f"{value!r} is not a time zone: use an IANA name such as Europe/Berlin or "
                         "America/New_York") from None
    return value
