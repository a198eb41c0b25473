"""The review's result, typed like the funnel's: dataclasses with ``as_dict()``.

``ReviewResult.as_dict()`` is the JSON of docs/reference/cli.md (``quarter``, ``metrics``,
``rates``, ``sources``, ``programs``, ``loss_reasons``, ``bad_rows``) plus
``bad_rows_total``, ``notes``, ``suggestions``, ``plan_bases``, ``inputs`` and
``currency``. Quarters are :class:`Quarter` values here and strings only in
``as_dict()``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from gtmplan.plan.quarters import Quarter

METRICS = ("leads", "mqls", "sqls", "opportunities", "won", "bookings", "win_rate", "average_deal_size",
           "days_to_close")
RATES = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate")
MIN_RATE_ROWS = 30  # docs/reference/rules.md E701: a rate says something about an assumption from n >= 30
MIN_WON_DEALS = 10  # docs/reference/rules.md E701: the average deal size from at least 10 won deals


@dataclass(frozen=True)
class Metric:
    plan: Optional[float]
    actual: Optional[float]

    def as_dict(self) -> dict:
        return {"plan": self.plan, "actual": self.actual}


@dataclass(frozen=True)
class Rate:
    """A conversion rate measured on the quarter's cohort: k of n, with its 95% Wilson interval."""

    actual: Optional[float]
    n: Optional[int]  # None: the exports cannot measure it
    k: int
    low: Optional[float]
    high: Optional[float]
    sales: Optional[float]
    marketing: Optional[float]
    closer: Optional[str]
    sales_fits: Optional[bool]
    marketing_fits: Optional[bool]

    def stated(self) -> dict[str, float]:
        return {side: v for side, v in (("sales", self.sales), ("marketing", self.marketing)) if v is not None}

    def fits(self, side: str) -> Optional[bool]:
        return self.sales_fits if side == "sales" else self.marketing_fits

    @property
    def enough(self) -> bool:
        return (self.n or 0) >= MIN_RATE_ROWS

    def as_dict(self) -> dict:
        d = asdict(self)
        del d["k"]
        return d


@dataclass(frozen=True)
class SourceRow:
    source: str
    leads: Optional[int]
    mqls: Optional[int]
    won: Optional[int]
    bookings: Optional[float]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ProgramRow:
    id: str
    name: str
    channel: str
    leads: Optional[int]
    expected_leads: Optional[float]
    cost: float
    cost_per_lead: Optional[float]
    crm_sources: tuple[str, ...]
    weak: bool

    def as_dict(self) -> dict:
        d = asdict(self)
        d["crm_sources"] = list(self.crm_sources)
        return d


def is_weak(leads: Optional[int], expected: Optional[float], tolerance: float) -> bool:
    """The one definition of a weak program, for the report and the suggestions: it
    brought no lead, or fewer than its forecast less the plan's tolerance."""
    if leads is None:
        return False
    if leads == 0:
        return True
    return expected is not None and leads < expected * (1 - tolerance)


@dataclass(frozen=True)
class LossReason:
    reason: str
    count: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BadRow:
    file: str
    row: int
    error: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class InputFile:
    """One export read: what it was recognised as and how many rows it had."""

    kind: str  # "leads" or "deals"
    file: str
    shape: str
    rows: int
    usable: int
    first: Optional[str]
    last: Optional[str]
    encoding: str
    delimiter: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SegmentResult:
    """One segment's figures in the review (docs/reference/cli.md, 'Segments in every command'): the
    company's ``metrics`` and ``rates`` shapes. ``(outside the ICP)`` and ``(unknown segment)`` have
    no plan figures and are never recorded."""

    metrics: dict[str, Metric]
    rates: dict[str, Rate]
    partial: tuple[str, ...] = ()  # metrics counted on part of the segment's deals (another currency)

    def as_dict(self) -> dict:
        return {"metrics": {k: m.as_dict() for k, m in self.metrics.items()},
                "rates": {k: r.as_dict() for k, r in self.rates.items()}, "partial": list(self.partial)}


@dataclass
class ReviewResult:
    quarter: Quarter
    currency: str
    metrics: dict[str, Metric]
    rates: dict[str, Rate]
    sources: list[SourceRow]
    programs: list[ProgramRow]
    loss_reasons: list[LossReason]
    bad_rows: list[BadRow]
    bad_rows_total: int
    notes: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    plan_bases: dict[str, str] = field(default_factory=dict)
    inputs: list[InputFile] = field(default_factory=list)
    won_priced: Optional[int] = None  # won deals whose amount is in bookings (others: another currency)
    unclaimed_leads: Optional[int] = None  # leads from a source no program lists (exact, not from the table)
    partial: tuple[str, ...] = ()  # metrics counted on an export that covers only part of the quarter
    partial_inputs: tuple[str, ...] = ()  # "leads"/"deals": exports that cover only part of the quarter
    amounts_unclear: bool = False  # the amounts' decimal mark could not be told: no suggestion built on them
    # export read from a pipe -> (SHA-256, records after the header), for --record (a pipe is read once)
    streamed: dict[str, tuple[str, int]] = field(default_factory=dict)
    opened: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # regular exports as read
    # a plan with sales.segments: each segment's figures, then (outside the ICP) and (unknown segment)
    # when rows went there; empty without segments (and then not in the JSON)
    segments: dict[str, SegmentResult] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = self._as_dict()
        if self.segments:
            d["segments"] = {k: v.as_dict() for k, v in self.segments.items()}
        return d

    def _as_dict(self) -> dict:
        return {
            "quarter": str(self.quarter),
            "currency": self.currency,
            "metrics": {k: m.as_dict() for k, m in self.metrics.items()},
            "rates": {k: r.as_dict() for k, r in self.rates.items()},
            "sources": [s.as_dict() for s in self.sources],
            "programs": [p.as_dict() for p in self.programs],
            "loss_reasons": [r.as_dict() for r in self.loss_reasons],
            "bad_rows": [b.as_dict() for b in self.bad_rows],
            "bad_rows_total": self.bad_rows_total,
            "notes": list(self.notes),
            "suggestions": list(self.suggestions),
            "plan_bases": dict(self.plan_bases),
            "inputs": [i.as_dict() for i in self.inputs],
            "partial": list(self.partial),
        }
