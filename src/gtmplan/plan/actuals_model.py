"""The model of an actuals file (docs/reference/plan-format.md, "Actual results"): ``actuals/QUARTER.yaml``.

Read by :mod:`gtmplan.read.actuals` through the same validation as plans, so every
problem is located and worded the same way. Kept apart from :mod:`gtmplan.plan.model`
so that a plan without actuals does not pay for building these models at start-up.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

from pydantic import Field

from gtmplan.plan.model import Fraction, QuarterT, Slug, Text, _Model

MAX_COUNT = 1_000_000_000
"""A quarter's leads, deals or rows above a billion are a typo (and beyond what floats show exactly)."""
MAX_MONEY = 1_000_000_000_000
"""Bookings or a cost above a trillion are a typo; the bound keeps every shown digit exact."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY)]


class SourceFile(_Model):
    file: Text = Field(description="The export the figures came from, as given to review.")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(description="SHA-256 of the file's bytes.")
    rows: Count = Field(description="Data rows in the file (the header not counted).")


class ActualMetrics(_Model):
    leads: Optional[Count] = Field(None, description="Leads created in the quarter.")
    mqls: Optional[Count] = Field(None, description="Leads that became MQLs in the quarter.")
    sqls: Optional[Count] = Field(None, description="Leads that became SQLs in the quarter.")
    opportunities: Optional[Count] = Field(None, description="Opportunities (deals) created in the quarter.")
    won: Optional[Count] = Field(None, description="Deals won, closed in the quarter.")
    lost: Optional[Count] = Field(None, description="Deals lost, closed in the quarter.")
    bookings: Optional[Money] = Field(None, description="Sum of the amounts of the deals won in the quarter.")
    days_to_close: Optional[Annotated[float, Field(ge=0, le=36_500)]] = Field(
        None, description="Median days from created to closed over the deals won in the quarter.")


class MeasuredRate(_Model):
    actual: Fraction = Field(description="The rate measured.")
    n: Annotated[int, Field(ge=1, le=MAX_COUNT)] = Field(description="The number of rows the rate was measured on.")


class ActualRates(_Model):
    lead_to_mql: Optional[MeasuredRate] = None
    mql_to_sql: Optional[MeasuredRate] = None
    sql_to_opportunity: Optional[MeasuredRate] = None
    win_rate: Optional[MeasuredRate] = None


class ProgramActual(_Model):
    id: Slug
    leads: Count = Field(description="The program's leads in the quarter (from its crm_sources).")
    cost: Optional[Money] = Field(None, description="What the program cost in the quarter.")


class SegmentActuals(_Model):
    """One segment's figures in a recorded quarter (docs/reference/plan-format.md, 'Actuals by segment')."""

    metrics: ActualMetrics
    rates: Optional[ActualRates] = None


class Actuals(_Model):
    """One recorded quarter: what happened, for the plan to be checked against."""

    quarter: QuarterT = Field(description="The fiscal quarter; must equal the file name.")
    recorded_on: Optional[dt.date] = Field(None, description="When the figures were taken.")
    sources: Optional[list[SourceFile]] = Field(None, description="The exports the figures came from.")
    metrics: ActualMetrics
    rates: Optional[ActualRates] = None
    programs: Optional[list[ProgramActual]] = None
    segments: Optional[dict[Slug, SegmentActuals]] = Field(
        None, description="Each segment's metrics and rates in the quarter, by sales.segments id (same keys as the "
                          "company's).")
