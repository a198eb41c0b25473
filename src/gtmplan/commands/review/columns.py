"""Which export a CSV is, and which of its columns mean what.

Recognised from the header row (case, quotes, underscores and surrounding
spaces ignored): HubSpot contacts and deals exports under their current and
older column names (``Original Traffic Source`` / ``Original Source``,
``Date entered "… (Lifecycle Stage Pipeline)"`` / ``Became a … Date``), with
any id column or none; Salesforce lead and opportunity reports in the main UI
languages; Salesforce Data Export / Data Loader files (API field names); and
gtmplan's canonical columns. The shape with every required column and the most
columns found wins. No figure needs an id. Any other export is described by a
mapping file (``--mapping FILE.yaml``)::

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

from gtmplan.errors import InputError
from gtmplan.output.fmt import plural

LEAD_FIELDS = ("id", "created", "source", "mql_date", "sql_date", "opportunity_date")
DEAL_FIELDS = ("id", "created", "closed", "stage", "amount", "source", "loss_reason")
LEAD_REQUIRED = ("created",)
DEAL_REQUIRED = ("created", "closed", "stage", "amount")

# What each figure needs besides the creation date; a recognised export without
# the column gets a note naming the figures left out.
LEAD_NEEDS = {"source": "leads by source and each program's leads",
              "mql_date": "MQLs and lead_to_mql", "sql_date": "SQLs and mql_to_sql",
              "opportunity_date": "sql_to_opportunity"}
DEAL_NEEDS = {"amount": "bookings and the average deal size", "source": "wins and bookings by source",
              "loss_reason": "loss reasons"}


@dataclass(frozen=True)
class Shape:
    name: str  # for people: "HubSpot contacts export"
    kind: str  # "leads" or "deals"
    columns: dict  # canonical field -> header in the export, or a tuple of accepted headers
    required: tuple[str, ...]  # fields; "a|b" is either
    signature: tuple[str, ...]  # headers that identify the export
    won: frozenset[str] = frozenset()
    lost: frozenset[str] = frozenset()
    strict_stages: bool = False  # canonical: a stage other than won/lost/open is a bad row
    salesforce_lead: bool = False  # Converted / Converted Date stand for SQL and opportunity

    def names(self, fieldname: str) -> tuple[str, ...]:
        v = self.columns.get(fieldname)
        if v is None:
            return ()
        return (v,) if isinstance(v, str) else tuple(v)


_QUOTES = str.maketrans({'"': None, "\u201c": None, "\u201d": None, "\u201e": None, "\u00a0": " ",
                         "\ufeff": None, "_": " "})


def _norm(h: str) -> str:
    return " ".join(h.translate(_QUOTES).lower().split()) if len(h) <= 500 else h[:500]


def stage_key(text: str) -> str:
    """A stage label compared without case, spaces or a pipeline in parentheses."""
    t = " ".join(text.strip().lower().split())
    if t.endswith(")") and " (" in t:
        t = t[:t.rindex(" (")]
    return t


def _date_entered(stage: str) -> str:
    return f'Date entered "{stage} (Lifecycle Stage Pipeline)"'


# Salesforce labels in its main UI languages (reports are exported in the user's language).
_SF_CREATED = ("Created Date", "Erstelldatum", "Erstellt am", "Date de création", "Fecha de creación",
               "Data creazione", "Data di creazione", "Aanmaakdatum", "Data de criação", "作成日")
_SF_SOURCE = ("Lead Source", "Lead-Quelle", "Leadquelle", "Origine de la piste", "Origine du prospect",
              "Origen del candidato", "Origine lead", "Leadbron", "Origem do lead", "リードソース")
_SF_CLOSED = ("Close Date", "Schlusstermin", "Abschlussdatum", "Date de clôture", "Fecha de cierre",
              "Data chiusura", "Data di chiusura", "Sluitingsdatum", "Data de fechamento", "完了予定日")
_SF_STAGE = ("Stage", "Phase", "Étape", "Etapa", "Fase", "フェーズ")
_SF_AMOUNT = ("Amount", "Betrag", "Montant", "Importe", "Importo", "Bedrag", "Valor", "金額")
_SF_CONVERTED = ("Converted", "Konvertiert", "Converti", "Convertido", "Convertito", "Geconverteerd", "取引開始済み")
_SF_CONVERTED_DATE = ("Converted Date", "Konvertierungsdatum", "Date de conversion", "Fecha de conversión",
                      "Data di conversione", "Conversiedatum", "Data da conversão", "取引開始日")
_SF_WON = frozenset({"closed won", "geschlossen und gewonnen", "geschlossen/gewonnen", "fermée gagnée",
                     "fermé gagné", "cerrada ganada", "cerrado ganado", "chiusa vinta", "chiuso vinto",
                     "gesloten/gewonnen", "gesloten gewonnen", "fechado e ganho", "fechada/ganha", "成立"})
_SF_LOST = frozenset({"closed lost", "geschlossen und verloren", "geschlossen/verloren", "fermée perdue",
                      "fermé perdu", "cerrada perdida", "cerrado perdido", "chiusa persa", "chiuso perso",
                      "gesloten/verloren", "gesloten verloren", "fechado e perdido", "fechada/perdida", "不成立"})
_CURRENCY = ("Currency", "Opportunity Currency", "Deal Currency", "Deal currency code", "Currency Code",
             "Währung", "Devise", "Moneda", "Valuta", "Moeda")
_HS_WON = frozenset({"closedwon", "closed won"})
_HS_LOST = frozenset({"closedlost", "closed lost"})

SHAPES = (
    Shape("gtmplan canonical leads", "leads",
          {f: f for f in LEAD_FIELDS}, ("created",), ("id", "created", "mql_date", "sql_date")),
    Shape("HubSpot contacts export", "leads",
          {"id": ("Record ID", "Contact ID"), "created": ("Create Date", "Create date"),
           "source": ("Original Traffic Source", "Original Source"),
           "mql_date": (_date_entered("Marketing Qualified Lead"), "Became a Marketing Qualified Lead Date"),
           "sql_date": (_date_entered("Sales Qualified Lead"), "Became a Sales Qualified Lead Date"),
           "opportunity_date": (_date_entered("Opportunity"), "Became an Opportunity Date")},
          ("created",), ("Record ID", "Contact ID", "Create Date", "Lifecycle Stage", "Original Traffic Source",
                         "Original Source")),
    Shape("Salesforce lead report", "leads",
          {"id": ("Lead ID", "Lead-ID", "ID du lead", "ID de candidato"), "created": _SF_CREATED,
           "source": _SF_SOURCE, "converted": _SF_CONVERTED, "converted_date": _SF_CONVERTED_DATE},
          ("created",), ("Lead ID", "Lead Status", "Lead-Status", "Statut de la piste", "Estado del candidato")
          + _SF_SOURCE + _SF_CONVERTED, salesforce_lead=True),
    Shape("Salesforce Lead data export", "leads",
          {"id": "Id", "created": "CreatedDate", "source": "LeadSource", "converted": "IsConverted",
           "converted_date": "ConvertedDate"},
          ("created",), ("IsConverted", "ConvertedDate", "LeadSource", "CreatedDate"), salesforce_lead=True),
    Shape("gtmplan canonical deals", "deals",
          {f: f for f in DEAL_FIELDS}, ("created", "closed", "stage", "amount"), ("id", "created", "stage", "closed"),
          won=frozenset({"won"}), lost=frozenset({"lost"}), strict_stages=True),
    Shape("HubSpot deals export", "deals",
          {"id": ("Record ID", "Deal ID"), "created": ("Create Date", "Create date"), "closed": "Close Date",
           "stage": "Deal Stage", "amount": "Amount", "source": ("Original Traffic Source", "Original Source"),
           "loss_reason": "Closed Lost Reason", "currency": _CURRENCY,
           # the stage-calculated properties: when the deal entered Closed Won / Closed Lost, any pipeline
           "won_date": 'Date entered "Closed Won (*)', "lost_date": 'Date entered "Closed Lost (*)'},
          ("created", "closed|won_date", "stage|won_date"), ("Record ID", "Deal ID", "Deal Stage", "Deal Name"),
          won=_HS_WON, lost=_HS_LOST),
    Shape("Salesforce opportunity report", "deals",
          {"id": ("Opportunity ID", "Opportunity-ID"), "created": _SF_CREATED, "closed": _SF_CLOSED,
           "stage": _SF_STAGE, "amount": _SF_AMOUNT, "source": _SF_SOURCE,
           "loss_reason": ("Loss Reason", "Verlustgrund", "Raison de la perte", "Motivo de pérdida"),
           "currency": _CURRENCY, "is_won": ("Won", "Gewonnen"), "is_closed": ("Closed", "Geschlossen")},
          ("created", "closed", "stage|is_won"), ("Opportunity ID", "Opportunity Name", "Opportunity-Name")
          + _SF_STAGE + _SF_CLOSED, won=_HS_WON | _SF_WON, lost=_HS_LOST | _SF_LOST),
    Shape("Salesforce Opportunity data export", "deals",
          {"id": "Id", "created": "CreatedDate", "closed": "CloseDate", "stage": "StageName", "amount": "Amount",
           "source": "LeadSource", "loss_reason": ("Loss_Reason__c", "LossReason__c", "Loss_Reason"),
           "currency": "CurrencyIsoCode", "is_won": "IsWon", "is_closed": "IsClosed"},
          ("created", "closed", "stage|is_won"), ("StageName", "CloseDate", "IsWon", "IsClosed", "CreatedDate"),
          won=_HS_WON | _SF_WON, lost=_HS_LOST | _SF_LOST),
)


@dataclass
class Layout:
    """The recognised export: which cell index holds each canonical field."""

    shape: Shape
    index: dict[str, int] = field(default_factory=dict)
    width: int = 0

    def missing_notes(self, display: str) -> list[str]:
        """What the export lacks, as notes naming the figures left out."""
        needs = LEAD_NEEDS if self.shape.kind == "leads" else DEAL_NEEDS
        if self.shape.salesforce_lead:
            needs = {"source": LEAD_NEEDS["source"],
                     "mql_date": "MQLs and lead_to_mql (a Salesforce lead export has no MQL date)",
                     "converted_date": "SQLs, mql_to_sql and sql_to_opportunity"}
        from pathlib import PurePath

        base = PurePath(display).name
        out = []
        for f, what in needs.items():
            if f not in self.index:
                col = self.shape.names(f)
                named = f" (column {col[0]!r})" if col else ""
                out.append(f"{base} has no {f.replace('_', ' ')} column{named}: {what} left out "
                           "(map one with --mapping)")
        return out


def _find(shape: Shape, positions: dict[str, int]) -> dict[str, int]:
    index = {}
    for f in shape.columns:
        for name in shape.names(f):
            if name.endswith("(*)"):  # a prefix: 'Date entered "Closed Won (*)' matches any pipeline
                prefix = _norm(name[:-3]) + " ("
                hit = next((i for h, i in positions.items() if h.startswith(prefix)), None)
                if hit is not None:
                    index[f] = hit
                    break
            elif name and _norm(name) in positions:
                index[f] = positions[_norm(name)]
                break
    return index


def _missing(shape: Shape, index: dict[str, int]) -> list[str]:
    out = []
    for req in shape.required:
        options = req.split("|")
        if not any(o in index for o in options):
            names = [n for o in options for n in shape.names(o)[:1]] or options
            shown = [n[:-3] + '(<pipeline>)"' if n.endswith("(*)") else n for n in names]
            out.append(" or ".join(repr(n if len(n) <= 80 else n[:80] + "…") for n in shown))
    return out


def recognise(header: list[str], kind: str, display: str, mapping: Optional[Shape] = None) -> Layout:
    """The layout of an export's header, or an InputError naming the columns looked for."""
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        positions.setdefault(_norm(h), i)
    candidates = [mapping] if mapping is not None else [s for s in SHAPES if s.kind == kind]
    best = None
    for shape in candidates:
        if mapping is not None:
            empty = [f for f in shape.required if not shape.names(f)]
            if empty:
                raise InputError.single(display, f"{shape.name} gives an empty column name for "
                                                 f"{', '.join(empty)}", 1, 1)
        index = _find(shape, positions)
        missing = _missing(shape, index)
        hits = sum(_norm(h) in positions for h in shape.signature)
        score = (not missing, hits, len(index))
        if best is None or score > best[0]:
            best = (score, shape, index, missing)
    (_, hits, _), shape, index, missing = best
    if not missing:
        return Layout(shape, index, len(header))
    names = ", ".join(missing)
    if mapping is None and hits == 0:
        looked = "; ".join(f"{s.name}: {', '.join(repr(s.names(f.split('|')[0])[0]) for f in s.required)}"
                           for s in SHAPES if s.kind == kind)
        raise InputError.single(display, f"columns not recognised as a {kind} export: looked for {looked}; "
                                         "describe the columns with --mapping FILE.yaml", 1, 1)
    hint = "" if mapping is not None else " (or describe the columns with --mapping FILE.yaml)"
    raise InputError.single(display, f"missing required {plural(len(missing), 'column', with_count=False)} {names} for a {shape.name}{hint}", 1, 1)


# -- mapping files ----------------------------------------------------------------------

@dataclass
class Mapping:
    leads: Optional[Shape]
    deals: Optional[Shape]
    date_format: Optional[str]


def load_mapping(path: str) -> Mapping:
    from pydantic import BaseModel, ConfigDict

    from gtmplan.plan.validation import load_model
    from gtmplan.read.loader import read_document

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
