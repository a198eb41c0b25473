"""The plan format (docs/reference/plan-format.md, version 1) as pydantic models.

One source of truth: these models validate plans and generate the JSON Schema that
``gtmplan schema`` prints. Types are strict (a number is not text, text is not a
number), unknown keys are rejected, rates are bounded. Checks that span several
sections (ids unique, references resolved, every horizon quarter present) live in
:mod:`gtmplan.plan.integrity`, which can point at the offending values.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, TypeVar, Union

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer,
                      PlainValidator, WithJsonSchema)

from gtmplan.plan.modelparts import (ASSUMPTION_KEYS, clock_time, time_zone, MARKETING_OWNS, SALES_OWNS, PlanBehaviour, one_or_many, parse_period,
                         parse_quarter)
from gtmplan.plan.quarters import QUARTER_PATTERN, Quarter
from gtmplan.plan.vocabulary import SLUG_PATTERN, Severity, Side, Stage

# -- scalar types -------------------------------------------------------------------


_quarter = parse_quarter  # the scalar parsers live in modelparts (no pydantic there)
_period = parse_period


QuarterT = Annotated[
    Quarter,
    PlainValidator(_quarter),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": QUARTER_PATTERN, "description": "a fiscal quarter, e.g. 2027Q3"}),
]
PeriodT = Annotated[
    Union[Quarter, Literal["FY"]],
    PlainValidator(_period),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^(FY|[0-9]{4}Q[1-4])$",
                    "description": "FY (the whole horizon) or a fiscal quarter"}),
]
_one_or_many = one_or_many


class _OneOrManySchema:
    """JSON Schema of a list that also accepts its item alone: anyOf [item, list]."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict:
        schema = handler(core_schema)
        return {"anyOf": [copy.deepcopy(schema.get("items", {})), schema]}


T = TypeVar("T")
# "list of string", "list of sales | marketing", "list of segment id", "list of quarter":
# `shared_with: marketing` means `shared_with: [marketing]`.
NameList = Annotated[list[T], BeforeValidator(_one_or_many), _OneOrManySchema()]

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1)]
Money = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Rate = Annotated[float, Field(gt=0, le=1)]
Count = Annotated[int, Field(ge=0)]
Cadence = Literal["weekly", "monthly", "quarterly"]
MAX_RAMP_MONTHS = 120
"""A ramp (ramp_months, or the entries of ramp) covers at most ten years: longer is a typo."""
Metric = Literal["new_bookings", "pipeline", "mqls", "sqls", "opportunities", "win_rate", "market_share", "custom"]

if TYPE_CHECKING:
    class _Model:
        """What type checkers see of a model: its fields (as attributes) and the keys the plan
        wrote, which is all a compiled record has (:class:`gtmplan.plan.compiled.Record`: what
        every command gets from validation). A record is not a pydantic model: no model_dump(),
        no model_validate(); for the class itself use gtmplan.plan.compiled.model_class."""

        @property
        def model_fields_set(self) -> set[str]: ...
else:
    class _Model(BaseModel):
        # Field descriptions are given explicitly: use_attribute_docstrings would parse
        # this file's source at every start-up (measured: about a third of the model build).
        model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, validate_default=False)


# -- shared sections ------------------------------------------------------------------

class Horizon(_Model):
    start: QuarterT = Field(description="First quarter the plan covers.")
    end: QuarterT = Field(description="Last quarter the plan covers (inclusive).")


class Goal(_Model):
    id: Slug
    description: Optional[str] = None
    metric: Metric
    target: Annotated[float, Field(ge=0)] = Field(description="Money for new_bookings/pipeline; a count for mqls/sqls/opportunities; a fraction 0-1 for win_rate/market_share.")
    period: PeriodT = Field("FY", description="FY (the whole horizon) or one quarter.")
    owners: NameList[Side] = Field(description="Who answers for the goal: sales, marketing or both.")


class EmployeeRange(_Model):
    min: Optional[Count] = None
    max: Optional[Count] = None


class Segment(_Model):
    id: Slug
    name: Optional[str] = None
    industries: Optional[NameList[Text]] = Field(None, description="Lower-case industry names.")
    employees: Optional[EmployeeRange] = None
    regions: Optional[NameList[Text]] = None
    buyer_roles: Optional[NameList[Text]] = None
    pains: Optional[NameList[Text]] = None


class ICP(_Model):
    segments: Annotated[list[Segment], Field(min_length=1)]


class Firmographics(_Model):
    industries: Optional[NameList[Text]] = None
    employees: Optional[EmployeeRange] = None
    regions: Optional[NameList[Text]] = None


class Criteria(_Model):
    firmographics: Optional[Firmographics] = None
    min_score: Optional[float] = None
    qualification: Optional[NameList[Text]] = None


class LeadDefinition(_Model):
    agreed_by: NameList[Side] = Field(description="Who signed the definition off.")
    agreed_on: Optional[dt.date] = None
    mql: Criteria
    sql: Criteria
    follow_up_hours: Optional[Annotated[float, Field(gt=0)]] = Field(None, description="Service level: sales contacts a new MQL within this many hours.")


ClockTime = Annotated[str, AfterValidator(clock_time),
                      Field(json_schema_extra={"pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|all-day)$"})]


class Review(_Model):
    date: dt.date
    attendees: NameList[Text] = Field(description="Functions present: sales, marketing, and any others.")
    agenda: Optional[NameList[Text]] = Field(None, description="e.g. win-loss, lead-quality, content-feedback, competitive-intel, next-quarter.")
    time: Optional[ClockTime] = Field(None, description="Start time, HH:MM, or all-day (default: invitations.time).")
    duration_minutes: Optional[Annotated[int, Field(ge=5, le=1440)]] = Field(
        None, description="Length of the meeting (default: invitations.duration_minutes).")


class Invitations(_Model):
    """How `gtmplan render --format ics` turns reviews into invitations."""

    time: ClockTime = Field("10:00", description="Start time of a review, HH:MM, or all-day.")
    duration_minutes: Annotated[int, Field(ge=5, le=1440)] = Field(90, description="Length of a review.")
    timezone: Optional[Annotated[str, AfterValidator(time_zone)]] = Field(
        None, description="IANA time zone of the times (e.g. Europe/Berlin); without one, each attendee's local time.")


class WinLoss(_Model):
    cadence: Cadence
    owner: Side


class CompetitiveIntel(_Model):
    owner: Text
    shared_with: Optional[NameList[Text]] = None


class ContentFeedback(_Model):
    cadence: Cadence
    panel: Optional[NameList[Text]] = None


class Feedback(_Model):
    lead_source_question: Optional[Text] = None
    win_loss: Optional[WinLoss] = None
    competitive_intel: Optional[CompetitiveIntel] = None
    content_feedback: Optional[ContentFeedback] = None


class CheckSettings(_Model):
    tolerance: Fraction = Field(0.10, description="Relative difference tolerated before two numbers don't match.")
    max_channel_share: Fraction = Field(0.5, description="Largest share of planned MQLs one channel may bring (rule B403).")
    ignore: NameList[Annotated[str, Field(pattern=r"^[A-Za-z][0-9]{0,3}$")]] = Field([], description="Rule codes (or prefixes such as A or A10) not run.")
    severity: dict[Annotated[str, Field(pattern=r"^[A-Za-z][0-9]{3}$")], Severity] = Field({}, description="Rule code -> error, warning or info.")
    evidence_quarters: Annotated[int, Field(ge=1)] = Field(4, description="How many of the most recent recorded quarters (actuals/) rules E701 and E702 and calibrate pool.")


# -- the two sides ---------------------------------------------------------------------

class Assumptions(_Model):
    lead_to_mql: Optional[Rate] = Field(None, description="Share of new leads that become MQLs.")
    mql_to_sql: Optional[Rate] = Field(None, description="Share of MQLs that sales accepts as SQLs.")
    sql_to_opportunity: Optional[Rate] = Field(None, description="Share of SQLs that become opportunities.")
    win_rate: Optional[Rate] = Field(None, description="Share of opportunities won.")
    average_deal_size: Optional[Annotated[float, Field(gt=0)]] = Field(None, description="First-year bookings of a won deal.")
    sales_cycle_days: Optional[Count] = Field(None, description="Days from MQL to closed deal.")
    cost_per_lead: Optional[Money] = Field(None, description="What marketing expects a new lead to cost.")


class TeamRow(_Model):
    # ramp and ramp_months together is an error (integrity.py says where; the schema agrees).
    model_config = ConfigDict(json_schema_extra={"not": {"required": ["ramp", "ramp_months"]}})

    role: Text
    count: Count
    annual_quota: Money
    ramp_months: Annotated[int, Field(ge=0, le=MAX_RAMP_MONTHS)] = Field(
        0, description="Ramp over k months: month m after start (m = 0 in the start month) "
                       "at (m + 1) / k of full productivity, full from month k - 1. At most 120.")
    ramp: Optional[Annotated[list[Fraction], Field(min_length=1, max_length=MAX_RAMP_MONTHS)]] = Field(
        None, description="Share of full productivity in month 0 (the start month), 1, 2 ... after start; "
                          "1 after the list ends. Instead of ramp_months. At most 120 entries.")
    start: Optional[dt.date] = Field(None, description="Start date; absent means before the horizon, fully ramped.")
    end: Optional[dt.date] = Field(None, description="The sellers leave after this day: capacity and head count stop "
                                                     "from the next month.")
    segment: Optional[Slug] = Field(None, description="The segment (a sales.segments id) these sellers work; "
                                                      "absent: they work every segment (shared).")


class MotionRow(_Model):
    """A row of an outbound team (SDRs, partner managers): head count that creates
    opportunities, without a quota."""

    model_config = ConfigDict(json_schema_extra={"not": {"required": ["ramp", "ramp_months"]}})

    role: Text
    count: Count
    ramp_months: Annotated[int, Field(ge=0, le=MAX_RAMP_MONTHS)] = Field(
        0, description="Ramp over k months, as for sellers: month m after start at (m + 1) / k. At most 120.")
    ramp: Optional[Annotated[list[Fraction], Field(min_length=1, max_length=MAX_RAMP_MONTHS)]] = Field(
        None, description="Share of full productivity in month 0 (the start month), 1, 2 ... after start; "
                          "1 after the list ends. Instead of ramp_months.")
    start: Optional[dt.date] = Field(None, description="Start date; absent means before the horizon, fully ramped.")
    end: Optional[dt.date] = Field(None, description="They leave after this day: no opportunities from the next month.")


class MotionCapacity(_Model):
    team: Annotated[list[MotionRow], Field(min_length=1)] = Field(
        description="The team whose ramped head count creates the opportunities.")
    opportunities_per_month: Annotated[float, Field(ge=0)] = Field(
        description="Opportunities one fully ramped person creates in a month.")


QuarterShares = dict[QuarterT, Fraction]
QuarterMoney = dict[QuarterT, Money]


class OtherSource(_Model):
    # share or capacity, exactly one (integrity.py says where; the schema agrees)
    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["share"]}, {"required": ["capacity"]}]})

    id: Slug
    name: Optional[str] = None
    share: Optional[Union[Fraction, QuarterShares]] = Field(
        None, description="Share of each quarter's opportunities expected from this source, or a map "
                          "quarter -> share (a quarter not listed has share 0). Instead of capacity.")
    capacity: Optional[MotionCapacity] = Field(
        None, description="An outbound team whose ramped head count creates opportunities. Instead of share.")
    cost: Optional[Union[Money, QuarterMoney]] = Field(
        None, description="What the motion costs per quarter (charged in every horizon quarter), or a map "
                          "quarter -> money. Shown beside the programs' cost; not marketing's budget.")


class Attrition(_Model):
    annual_rate: Fraction = Field(description="Share of the sales team expected to leave in a year.")
    backfill_months: Annotated[float, Field(ge=0, le=MAX_RAMP_MONTHS)] = Field(
        description="Months a leaver's seat stays empty before the replacement starts.")


class SalesSegment(_Model):
    """A segment's part of sales' plan (sales.segments[]): its own target, assumptions and pipeline."""

    id: Slug = Field(description="An icp.segments id.")
    targets: Optional[dict[QuarterT, Money]] = Field(
        None, description="The segment's new bookings per quarter; every horizon quarter present. Instead of share.")
    share: Optional[Fraction] = Field(
        None, description="The segment's fraction of sales.targets in every quarter. Instead of targets.")
    assumptions: Optional[Assumptions] = Field(
        None, description="Sales' funnel assumptions for this segment; a key not stated here is sales.assumptions'.")
    other_pipeline: Optional[list[OtherSource]] = Field(
        None, description="The segment's sources of opportunities other than marketing; absent: "
                          "sales.other_pipeline applies.")
    opening_pipeline: Optional[Money] = Field(
        None, description="Value of the segment's open opportunities at the start of the horizon.")


class Sales(_Model):
    targets: dict[QuarterT, Money] = Field(description="New bookings sales commits to, per quarter; every horizon quarter present.")
    assumptions: Optional[Assumptions] = None
    team: list[TeamRow]
    expected_attainment: Annotated[float, Field(gt=0, le=1)] = Field(1.0, description="Share of quota the average ramped seller reaches.")
    max_opportunities_per_rep: Optional[Annotated[int, Field(gt=0)]] = Field(None, description="Open opportunities one seller can work in a quarter.")
    opening_pipeline: Optional[Money] = Field(None, description="Value of the open opportunities at the start of the horizon.")
    other_pipeline: Optional[list[OtherSource]] = Field(
        None, description="Sources of opportunities other than marketing's MQLs (outbound, partners, existing "
                          "customers); the shares sum to less than 1.")
    attrition: Optional[Attrition] = Field(
        None, description="Expected turnover: each team row's ramped capacity is multiplied by "
                          "1 - annual_rate x (backfill_months + ramp shortfall in months) / 12.")
    segments: Optional[list[SalesSegment]] = Field(
        None, description="One funnel per segment: each ICP segment sales plans for, with its own targets (or "
                          "share), assumptions and other pipeline.")


class Program(_Model):
    id: Slug
    name: Optional[str] = None
    channel: Text
    segments: Optional[NameList[Slug]] = None
    # NameList[QuarterT] with its bound inside, so that the core schema checks it itself
    # (outside, pydantic adds a function of its own that `check` would have to import)
    quarters: Annotated[list[QuarterT], Field(min_length=1), BeforeValidator(_one_or_many), _OneOrManySchema()]
    cost: Money = Field(description="Spend per quarter it runs.")
    expected_leads: Optional[Count] = Field(None, description="New leads per quarter it runs.")
    expected_mqls: Optional[Count] = Field(None, description="MQLs per quarter it runs; when absent, expected_leads x lead_to_mql.")
    stage: Optional[Stage] = None
    crm_sources: Optional[NameList[Text]] = Field(None, description="The CRM's lead-source values that count as this program's leads.")
    split: Optional[dict[Slug, Fraction]] = Field(
        None, description="How the program's leads and MQLs divide among its segments (segment id -> fraction, "
                          "summing to 1); absent: equally.")


class ContentAsset(_Model):
    id: Slug
    name: Optional[str] = None
    stage: Stage
    segments: Optional[NameList[Slug]] = None
    used_by_sales: Optional[bool] = None


class MarketingSegment(_Model):
    """Marketing's assumptions for one segment (marketing.segments[])."""

    id: Slug = Field(description="A sales.segments id.")
    assumptions: Assumptions = Field(
        description="Marketing's funnel assumptions for this segment; a key not stated here is marketing.assumptions'.")


class Marketing(_Model):
    budget: dict[QuarterT, Money] = Field(description="Program spend available per quarter; every horizon quarter present.")
    assumptions: Optional[Assumptions] = None
    programs: list[Program]
    content: Optional[list[ContentAsset]] = None
    segments: Optional[list[MarketingSegment]] = Field(
        None, description="Marketing's assumptions per segment (ids from sales.segments).")


class ForecastSettings(_Model):
    """Settings of `gtmplan forecast` (and render's "Chance of making the plan")."""

    prior_n: Annotated[float, Field(gt=0)] = Field(
        50, description="Weight of each stated rate, in observations: a rate p is drawn from Beta(p x prior_n, "
                        "(1 - p) x prior_n), updated by the recorded actuals.")
    deal_size_cv: Annotated[float, Field(ge=0)] = Field(
        0.5, description="Coefficient of variation of a won deal's size (0: every deal is average_deal_size).")
    runs: Optional[Annotated[int, Field(ge=1, le=1_000_000)]] = Field(
        None, description="Simulated runs (default 10,000; --runs overrides).")
    seed: Optional[Annotated[int, Field(ge=0, le=2**63 - 1)]] = Field(
        None, description="Random seed (default 0; --seed overrides): same plan, runs and seed, same output.")


class Plan(_Model, PlanBehaviour):
    """A go-to-market plan: what sales and marketing agreed, and what each side owns."""

    version: Literal[1]
    company: Text
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = 1
    fiscal_year_named_by: Literal["start", "end"] = Field(
        "start", description="start: fiscal year N starts in calendar year N; end: it ends in calendar year N.")
    horizon: Horizon
    primary_objective: Optional[Literal["revenue", "market_share"]] = None
    goals: Optional[list[Goal]] = None
    icp: ICP
    lead_definition: LeadDefinition
    reviews: Optional[list[Review]] = None
    invitations: Invitations = Invitations()
    feedback: Optional[Feedback] = None
    check: CheckSettings = CheckSettings()
    sales: Sales
    marketing: Marketing
    forecast: Optional[ForecastSettings] = None
