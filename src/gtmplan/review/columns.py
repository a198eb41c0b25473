"""Which export a CSV is, and which of its columns mean what.

Recognised from the header row (case and surrounding spaces ignored): HubSpot
contacts and deals exports, Salesforce lead and opportunity reports, and
gtmplan's canonical columns. Any other export is described by a mapping file
(``--mapping FILE.yaml``)::

    leads:
      columns: {id: Contact ID, created: Created On, source: Channel,
                mql_date: MQL Date, sql_date: SQL Date, opportunity_date: Opp Date}
    deals:
      columns: {id: Deal No, created: Opened, closed: Closed On, stage: Status,
                amount: Value, source: Channel, loss_reason: Why Lost}
      stages: {won: [Won, Signed], lost: [Lost, No Decision]}   # anything else is open
    date_format: "%d.%m.%Y"     # optional; same as --date-format
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from ..fmt import plural

LEAD_FIELDS = ("id", "created", "source", "mql_date", "sql_date", "opportunity_date")
DEAL_FIELDS = ("id", "created", "closed", "stage", "amount", "source", "loss_reason")
LEAD_REQUIRED = ("created",)
DEAL_REQUIRED = ("created", "closed", "stage", "amount")


@dataclass(frozen=True)
class Shape:
    name: str  # for people: "HubSpot contacts export"
    kind: str  # "leads" or "deals"
    columns: dict[str, str]  # canonical field -> header in the export
    required: tuple[str, ...]
    signature: tuple[str, ...]  # headers that identify the export
    won: frozenset[str] = frozenset()
    lost: frozenset[str] = frozenset()
    strict_stages: bool = False  # canonical: a stage other than won/lost/open is a bad row
    salesforce_lead: bool = False  # Converted / Converted Date stand for SQL and opportunity


def _norm(h: str) -> str:
    return " ".join(h.strip().lower().split())


SHAPES = (
    Shape("gtmplan canonical leads", "leads",
          {f: f for f in LEAD_FIELDS}, ("id", "created"), ("id", "created")),
    Shape("HubSpot contacts export", "leads",
          {"id": "Record ID", "created": "Create Date", "source": "Original Source",
           "mql_date": "Became a Marketing Qualified Lead Date", "sql_date": "Became a Sales Qualified Lead Date",
           "opportunity_date": "Became an Opportunity Date"},
          ("id", "created"), ("Record ID", "Create Date")),
    Shape("Salesforce lead report", "leads",
          {"id": "Lead ID", "created": "Created Date", "source": "Lead Source", "converted": "Converted",
           "converted_date": "Converted Date"},
          ("id", "created"), ("Lead ID", "Created Date"), salesforce_lead=True),
    Shape("gtmplan canonical deals", "deals",
          {f: f for f in DEAL_FIELDS}, ("id", "created", "closed", "stage", "amount"), ("id", "created", "stage"),
          won=frozenset({"won"}), lost=frozenset({"lost"}), strict_stages=True),
    Shape("HubSpot deals export", "deals",
          {"id": "Record ID", "created": "Create Date", "closed": "Close Date", "stage": "Deal Stage",
           "amount": "Amount", "source": "Original Source", "loss_reason": "Closed Lost Reason"},
          ("id", "created", "closed", "stage", "amount"), ("Record ID", "Deal Stage"),
          won=frozenset({"closedwon", "closed won"}), lost=frozenset({"closedlost", "closed lost"})),
    Shape("Salesforce opportunity report", "deals",
          {"id": "Opportunity ID", "created": "Created Date", "closed": "Close Date", "stage": "Stage",
           "amount": "Amount", "source": "Lead Source", "loss_reason": "Loss Reason"},
          ("id", "created", "closed", "stage", "amount"), ("Opportunity ID", "Stage"),
          won=frozenset({"closed won"}), lost=frozenset({"closed lost"})),
)


@dataclass
class Layout:
    """The recognised export: which cell index holds each canonical field."""

    shape: Shape
    index: dict[str, int] = field(default_factory=dict)
    width: int = 0


def recognise(header: list[str], kind: str, display: str, mapping: Optional[Shape] = None) -> Layout:
    """The layout of an export's header, or an InputError naming the missing columns."""
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        positions.setdefault(_norm(h), i)
    candidates = [mapping] if mapping is not None else [s for s in SHAPES if s.kind == kind]
    best, best_missing = None, None
    for shape in candidates:
        signature_hits = sum(_norm(h) in positions for h in shape.signature)
        missing = [shape.columns[f] for f in shape.required if _norm(shape.columns[f]) not in positions]
        if not missing:
            index = {f: positions[_norm(col)] for f, col in shape.columns.items() if _norm(col) in positions}
            return Layout(shape, index, len(header))
        score = (signature_hits, -len(missing))
        if best is None or score > best:
            best, best_missing = score, (shape, missing)
    shape, missing = best_missing
    names = ", ".join(repr(m) for m in missing)
    if mapping is None and best[0] == 0:
        known = "; ".join(f"{s.name}: {', '.join(s.columns[f] for f in s.required)}"
                          for s in SHAPES if s.kind == kind)
        raise InputError.single(display, f"columns not recognised as a {kind} export ({known}); "
                                         "describe them with --mapping FILE.yaml", 1, 1)
    raise InputError.single(display, f"missing required {plural(len(missing), 'column', with_count=False)} {names} "
                                     f"for a {shape.name}", 1, 1)


# -- mapping files ----------------------------------------------------------------------

@dataclass
class Mapping:
    leads: Optional[Shape]
    deals: Optional[Shape]
    date_format: Optional[str]


def load_mapping(path: str) -> Mapping:
    from pydantic import BaseModel, ConfigDict

    from ..loader import read_document
    from ..validation import load_model

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

    class LeadColumns(_Strict):
        id: Optional[str] = None
        created: str
        source: Optional[str] = None
        mql_date: Optional[str] = None
        sql_date: Optional[str] = None
        opportunity_date: Optional[str] = None

    class DealColumns(_Strict):
        id: Optional[str] = None
        created: str
        closed: str
        stage: str
        amount: str
        source: Optional[str] = None
        loss_reason: Optional[str] = None

    class Stages(_Strict):
        won: list[str]
        lost: list[str]

    class LeadsMap(_Strict):
        columns: LeadColumns

    class DealsMap(_Strict):
        columns: DealColumns
        stages: Stages

    class MappingFile(_Strict):
        leads: Optional[LeadsMap] = None
        deals: Optional[DealsMap] = None
        date_format: Optional[str] = None

    data, source = read_document(path, "a mapping file must be a mapping of keys (leads:, deals:, date_format:)")
    m = load_model(data, source, MappingFile, what="mapping file")
    leads = deals = None
    if m.leads:
        cols = {k: v for k, v in m.leads.columns.model_dump().items() if v}
        leads = Shape(f"export mapped by {path}", "leads", cols, LEAD_REQUIRED, tuple(cols.values()))
    if m.deals:
        cols = {k: v for k, v in m.deals.columns.model_dump().items() if v}
        deals = Shape(f"export mapped by {path}", "deals", cols, DEAL_REQUIRED, tuple(cols.values()),
                      won=frozenset(_norm(s) for s in m.deals.stages.won),
                      lost=frozenset(_norm(s) for s in m.deals.stages.lost))
    return Mapping(leads, deals, m.date_format)
