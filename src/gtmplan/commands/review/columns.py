"""Which export a CSV is, and which of its columns mean what.

Recognised from the header row (case, quotes, underscores and surrounding
spaces ignored): HubSpot contacts and deals exports under their current and
older column names (``Original Traffic Source`` / ``Original Source``,
``Date entered "… (Lifecycle Stage Pipeline)"`` / ``Became a … Date``), with
any id column or none, and under HubSpot's internal property names (API,
warehouse syncs: ``createdate``, ``dealstage``, ``property_createdate`` …);
Salesforce lead and opportunity reports in the main UI languages (with
``Amount Currency`` and ``Amount (converted)``); Salesforce Data Export / Data
Loader files (API field names); Pipedrive (``Deal - …``, ``Lead - …``,
``Person - …``); Zoho CRM module exports (``Created Time``, ``Closing Date``);
and gtmplan's canonical columns. The shape with every required column, then
whose signature is present, then the most columns found wins; a refusal names
a shape only when its signature is present. No figure needs an id. A stage is
won or lost by :func:`stage_outcome`. Any other export is described by a
mapping file (``--mapping FILE.yaml``, docs/how-to/crm-exports.md)::

    leads:
      columns: {id: Contact ID, created: Created On, source: Channel,
                mql_date: MQL Date, sql_date: SQL Date, opportunity_date: Opp Date}
    deals:
      columns: {id: Deal No, created: Opened, closed: Closed On, stage: Status,
                amount: Value, source: Channel, loss_reason: Why Lost,
                currency: Cur, converted_amount: Value EUR}      # both optional
      stages: {won: [Won, Signed], lost: [Lost, No Decision]}   # anything else is open
    date_format: "%d.%m.%Y"     # optional; same as --date-format

``deals: stages:`` may be given alone (no ``columns:``) for an export that is
recognised: its stages come before the export's own.

Segments (docs/reference/cli.md, 'Segments in every command'): a column named
``Segment`` (any case) says a row's segment; a mapping names another as ``segment:``
in ``columns:``, or alone (``leads: {segment: Tier}``) for a recognised export, and
maps its values to the plan's segment ids (a value equal to an id or to the ICP
segment's name needs no mapping)::

    segments: {smb: [Small business, SMB], enterprise: [Enterprise, Strategic]}

Without one, a company-size column (``EMPLOYEES_COLUMNS``) places the row in the ICP
segments' ``employees`` ranges (:class:`gtmplan.commands.review.figures.Segmenter`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.errors import InputError, Problem
from gtmplan.output.fmt import plural

if TYPE_CHECKING:
    from gtmplan.plan.sourcemap import SourceMap

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
    # the headers that identify the export: alternatives, each a tuple of headers that must all be
    # present (a header may be "A|B": either); a refusal names the shape only when one matches
    signature: tuple[tuple[str, ...], ...]
    won: frozenset[str] = frozenset()
    lost: frozenset[str] = frozenset()
    strict_stages: bool = False  # canonical: a stage other than won/lost/open is a bad row
    salesforce_lead: bool = False  # Converted / Converted Date stand for SQL and opportunity
    mapped_stages: bool = False  # won/lost come from a mapping file's stages: (named so in notes)
    # a converted amount without a column naming its currency is in the plan's currency (a mapping says so)
    converted_in_plan_currency: bool = False

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
_CURRENCY = ("Currency", "Amount Currency", "Opportunity Currency", "Deal Currency", "Deal currency code",
             "Currency Code", "Opportunity Amount Currency", "Währung", "Devise", "Moneda", "Valuta", "Moeda")
# the CRM's amount converted into the corporate currency, and the column naming that currency (Salesforce reports
# of a multi-currency org); used for a row in another currency than the plan's when it is in the plan's
_CONVERTED = ("Amount (converted)", "Opportunity Amount (converted)", "Betrag (konvertiert)", "Montant (converti)",
              "Importe (convertido)", "Importo (convertito)", "Bedrag (geconverteerd)")
_CONVERTED_CURRENCY = tuple(f"{n} Currency" for n in _CONVERTED) + (
    "Betrag (konvertiert) Währung", "Montant (converti) Devise", "Importe (convertido) Moneda",
    "Importo (convertito) Valuta", "Bedrag (geconverteerd) Valuta")
_HS_WON = frozenset({"closedwon", "closed won"})
_HS_LOST = frozenset({"closedlost", "closed lost"})


def _hs_names(*names: str) -> tuple[str, ...]:
    """A HubSpot internal property name as its API and the warehouse syncs write it (``createdate``,
    ``property_createdate``, ``properties_createdate``, ``properties.createdate``)."""
    return tuple(f"{prefix}{n}" for n in names for prefix in ("", "property_", "properties_", "properties."))


_PD_SOURCE = ("Deal - Source channel", "Deal - Source", "Deal - Lead source", "Deal - Source origin")
_ZOHO_SOURCE = ("Lead Source",)

SHAPES = (
    Shape("gtmplan canonical leads", "leads",
          {f: f for f in LEAD_FIELDS}, ("created",), (("id",), ("created",), ("mql_date",), ("sql_date",))),
    Shape("HubSpot contacts export", "leads",
          {"id": ("Record ID", "Contact ID"), "created": ("Create Date", "Create date"),
           "source": ("Original Traffic Source", "Original Source"),
           "mql_date": (_date_entered("Marketing Qualified Lead"), "Became a Marketing Qualified Lead Date"),
           "sql_date": (_date_entered("Sales Qualified Lead"), "Became a Sales Qualified Lead Date"),
           "opportunity_date": (_date_entered("Opportunity"), "Became an Opportunity Date")},
          ("created",), (("Record ID", "Create Date"), ("Contact ID",), ("Lifecycle Stage",),
                         ("Original Traffic Source",), ("Original Source", "Create Date"))),
    Shape("Salesforce lead report", "leads",
          {"id": ("Lead ID", "Lead-ID", "ID du lead", "ID de candidato"), "created": _SF_CREATED + ("Create Date",),
           "source": _SF_SOURCE, "converted": _SF_CONVERTED, "converted_date": _SF_CONVERTED_DATE},
          ("created",), (("Lead ID|Lead-ID|ID du lead|ID de candidato",),
                         ("Lead Status|Lead-Status|Statut de la piste|Estado del candidato", "|".join(_SF_SOURCE)),
                         ("|".join(_SF_CONVERTED), "|".join(_SF_CREATED + ("Create Date",))),
                         ("Lead Owner", "|".join(_SF_SOURCE), "|".join(_SF_CREATED + ("Create Date",)))),
          salesforce_lead=True),
    Shape("Salesforce Lead data export", "leads",
          {"id": "Id", "created": "CreatedDate", "source": "LeadSource", "converted": "IsConverted",
           "converted_date": "ConvertedDate"},
          ("created",), (("IsConverted",), ("ConvertedDate",), ("LeadSource", "CreatedDate")), salesforce_lead=True),
    Shape("Pipedrive people or leads export", "leads",
          {"id": ("Person - ID", "Lead - ID"),
           "created": ("Person - Person created", "Lead - Lead created", "Lead - Lead created on",
                       "Person - Person created on", "Person - Add time", "Lead - Add time"),
           "source": ("Person - Source channel", "Lead - Source channel", "Person - Source", "Lead - Source",
                      "Lead - Source origin", "Person - Source origin")},
          ("created",), (("Person - Person created",), ("Lead - Lead created",), ("Lead - Lead created on",),
                         ("Person - ID", "Person - Name"), ("Lead - Title",))),
    Shape("Zoho CRM leads or contacts export", "leads",
          {"id": ("Record Id", "Lead Id", "Contact Id", "LEADID", "CONTACTID"), "created": "Created Time",
           "source": _ZOHO_SOURCE},
          ("created",), (("Created Time", "Lead Owner"), ("Created Time", "Contact Owner"),
                         ("Created Time", "Lead Status"), ("Created Time", "Lead Source"))),
    Shape("HubSpot contacts (API property names)", "leads",
          {"id": _hs_names("hs_object_id", "vid", "id"), "created": _hs_names("createdate"),
           "source": _hs_names("hs_analytics_source"),
           "mql_date": _hs_names("hs_lifecyclestage_marketingqualifiedlead_date",
                                 "hs_v2_date_entered_marketingqualifiedlead"),
           "sql_date": _hs_names("hs_lifecyclestage_salesqualifiedlead_date", "hs_v2_date_entered_salesqualifiedlead"),
           "opportunity_date": _hs_names("hs_lifecyclestage_opportunity_date", "hs_v2_date_entered_opportunity")},
          ("created",), tuple((n,) for n in _hs_names("createdate", "hs_analytics_source", "lifecyclestage"))),
    Shape("gtmplan canonical deals", "deals",
          {f: f for f in DEAL_FIELDS}, ("created", "closed", "stage", "amount"), (("created",), ("closed", "stage")),
          won=frozenset({"won"}), lost=frozenset({"lost"}), strict_stages=True),
    Shape("HubSpot deals export", "deals",
          {"id": ("Record ID", "Deal ID"), "created": ("Create Date", "Create date"), "closed": "Close Date",
           "stage": "Deal Stage", "amount": "Amount", "source": ("Original Traffic Source", "Original Source"),
           "loss_reason": "Closed Lost Reason", "currency": _CURRENCY,
           # the stage-calculated properties: when the deal entered Closed Won / Closed Lost, any pipeline
           "won_date": 'Date entered "Closed Won (*)', "lost_date": 'Date entered "Closed Lost (*)'},
          ("created", "closed|won_date", "stage|won_date"), (("Deal Stage",), ("Deal ID",), ("Close Date", "Create Date")),
          won=_HS_WON, lost=_HS_LOST),
    Shape("Salesforce opportunity report", "deals",
          {"id": ("Opportunity ID", "Opportunity-ID"), "created": _SF_CREATED, "closed": _SF_CLOSED,
           "stage": _SF_STAGE, "amount": _SF_AMOUNT, "source": _SF_SOURCE,
           "loss_reason": ("Loss Reason", "Verlustgrund", "Raison de la perte", "Motivo de pérdida"),
           "currency": _CURRENCY, "converted_amount": _CONVERTED, "converted_currency": _CONVERTED_CURRENCY,
           "is_won": ("Won", "Gewonnen"), "is_closed": ("Closed", "Geschlossen")},
          ("created", "closed", "stage|is_won"),
          (("Opportunity ID|Opportunity-ID",), ("Opportunity Name|Opportunity-Name",),
           ("|".join(_SF_STAGE), "|".join(_SF_CLOSED), "|".join(_SF_CREATED))),
          won=_HS_WON | _SF_WON, lost=_HS_LOST | _SF_LOST),
    Shape("Salesforce Opportunity data export", "deals",
          {"id": "Id", "created": "CreatedDate", "closed": "CloseDate", "stage": "StageName", "amount": "Amount",
           "source": "LeadSource", "loss_reason": ("Loss_Reason__c", "LossReason__c", "Loss_Reason"),
           "currency": "CurrencyIsoCode", "is_won": "IsWon", "is_closed": "IsClosed"},
          ("created", "closed", "stage|is_won"), (("StageName",), ("IsWon",), ("IsClosed",), ("CloseDate", "CreatedDate")),
          won=_HS_WON | _SF_WON, lost=_HS_LOST | _SF_LOST),
    Shape("Pipedrive deals export", "deals",
          {"id": "Deal - ID",
           "created": ("Deal - Deal created", "Deal - Deal created on", "Deal - Add time", "Deal - Creation date",
                       "Deal - Created"),
           "closed": ("Deal - Deal closed on", "Deal - Closed on", "Deal - Close time"),
           "stage": "Deal - Status", "amount": "Deal - Value",
           "currency": ("Deal - Currency", "Deal - Currency of Value", "Deal - Currency of value"),
           "source": _PD_SOURCE, "loss_reason": "Deal - Lost reason",
           "won_date": "Deal - Won time", "lost_date": "Deal - Lost time"},
          ("created", "closed|won_date", "stage"), (("Deal - Status",), ("Deal - Title", "Deal - Value")),
          won=frozenset({"won"}), lost=frozenset({"lost"})),
    Shape("Zoho CRM deals export", "deals",
          {"id": ("Record Id", "Deal Id", "Potential Id", "POTENTIALID"), "created": "Created Time",
           "closed": "Closing Date", "stage": "Stage", "amount": "Amount", "source": _ZOHO_SOURCE,
           "loss_reason": ("Reason For Loss", "Reason for Loss", "Loss Reason"), "currency": "Currency"},
          ("created", "closed", "stage"), (("Created Time", "Closing Date"),),
          won=_SF_WON, lost=_SF_LOST),
    Shape("HubSpot deals (API property names)", "deals",
          {"id": _hs_names("hs_object_id", "dealId", "id"), "created": _hs_names("createdate"),
           "closed": _hs_names("closedate"), "stage": _hs_names("dealstage"), "amount": _hs_names("amount"),
           "source": _hs_names("hs_analytics_source"), "loss_reason": _hs_names("closed_lost_reason"),
           "currency": _hs_names("deal_currency_code")},
          ("created", "closed", "stage"), tuple((n,) for n in _hs_names("dealstage")),
          won=_HS_WON, lost=_HS_LOST),
)

# A row's segment (docs/reference/cli.md, 'Segments in every command'): a column named Segment (any case),
# or one a mapping file names as segment:; else the company's size, placed in the ICP segments' employees ranges.
SEGMENT_COLUMN = "Segment"
EMPLOYEES_COLUMNS = ("Number of Employees", "NumberOfEmployees", "Employees", "Organization - Number of employees",
                     "No. of Employees", "numberofemployees", "employees")


def _extras(shape: Shape, index: dict[str, int], positions: dict[str, int]) -> dict[str, int]:
    """The columns that say a row's segment, beside the shape's: ``segment`` (a column named Segment,
    unless a mapping named another) and ``employees`` (a company-size column)."""
    out = dict(index)
    if "segment" not in out and _norm(SEGMENT_COLUMN) in positions:
        out["segment"] = positions[_norm(SEGMENT_COLUMN)]
    for name in EMPLOYEES_COLUMNS:
        if _norm(name) in positions:
            out.setdefault("employees", positions[_norm(name)])
            break
    return out


# Stages that are open in the CRMs' default pipelines: not named in the note on stages read as open.
KNOWN_OPEN = frozenset({
    "open", "appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
    "contractsent", "appointment scheduled", "qualified to buy", "presentation scheduled",
    "decision maker bought-in", "contract sent", "prospecting", "qualification", "needs analysis",
    "value proposition", "id. decision makers", "identify decision makers", "perception analysis",
    "proposal/price quote", "negotiation/review", "negotiation", "proposal"})
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


def stage_outcome(key: str, won: frozenset[str], lost: frozenset[str]) -> Optional[str]:
    """"won", "lost" or None (not recognised) for a stage label compared by :func:`stage_key`.

    The export's own lists first (a mapping's, or the CRM's labels and internal ids such as
    ``closedwon``), then the words of the label: a word ``won`` or ``lost`` (letters and
    apostrophes make a word: ``won't`` is not ``won``), never both."""
    if key in won:
        return "won"
    if key in lost:
        return "lost"
    words = set(_WORD.findall(key))
    is_won, is_lost = "won" in words, "lost" in words
    if is_won != is_lost:
        return "won" if is_won else "lost"
    return None


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


def _signature(shape: Shape, positions: dict[str, int]) -> tuple[bool, int]:
    """(whether one of the shape's signatures is present whole, how many of its headers are present)."""
    present = {spec for alt in shape.signature for spec in alt
               if any(_norm(o) in positions for o in spec.split("|"))}
    return any(all(spec in present for spec in alt) for alt in shape.signature), len(present)


def recognise(header: list[str], kind: str, display: str, mapping: Optional[Shape] = None,
              stages: Optional[tuple[frozenset[str], frozenset[str]]] = None) -> Layout:
    """The layout of an export's header, or an InputError naming the columns looked for.

    ``stages``: (won, lost) stage labels of a mapping file that gives ``stages:`` alone, for a
    recognised export: they come before the export's own."""
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
        matched, hits = _signature(shape, positions)
        score = (not missing, matched, hits, len(index))
        if best is None or score > best[0]:
            best = (score, shape, index, missing)
    assert best is not None  # candidates: the mapping's shape, or the shapes of this kind
    (_, matched, _, _), shape, index, missing = best
    if not missing:
        if stages is not None and (stages[0] or stages[1]):
            shape = replace(shape, won=stages[0] | (shape.won - stages[1]), lost=stages[1] | (shape.lost - stages[0]),
                            mapped_stages=True)
        return Layout(shape, _extras(shape, index, positions), len(header))
    names = ", ".join(missing)
    if mapping is None and not matched:
        looked = "; ".join(f"{s.name}: {', '.join(repr(s.names(f.split('|')[0])[0]) for f in s.required)}"
                           for s in SHAPES if s.kind == kind)
        raise InputError.single(display, f"columns not recognised as a {kind} export: looked for {looked}; "
                                         "describe the columns with --mapping FILE.yaml", 1, 1)
    hint = "" if mapping is not None else " (or describe the columns with --mapping FILE.yaml)"
    raise InputError.single(display, f"missing required {plural(len(missing), 'column', with_count=False)} {names} for a {shape.name}{hint}", 1, 1)


# -- mapping files ----------------------------------------------------------------------

StageSets = tuple[frozenset[str], frozenset[str]]  # (won, lost) stage labels, as stage_key() writes them


@dataclass
class Mapping:
    leads: Optional[Shape]
    deals: Optional[Shape]
    date_format: Optional[str]
    deal_stages: Optional[tuple[frozenset[str], frozenset[str]]] = None  # stages: alone, for a recognised export
    lead_segment: Optional[str] = None  # segment: alone (a recognised export's segment column)
    deal_segment: Optional[str] = None
    segment_values: dict[str, str] = field(default_factory=dict)  # casefolded value -> segment id
    segment_ids: dict[str, tuple[int, int]] = field(default_factory=dict)  # segments: id -> (line, column)
    path: str = ""


def load_mapping(path: str) -> Mapping:
    """A ``--mapping FILE.yaml``: the columns (and stages, and segments) of exports gtmplan does not
    recognise, or the stages and segment column of one it does; located errors on exit 2."""
    # Here, not at the top: pydantic and the plan reader only when a --mapping file is given (start-up).
    # A command reading and validating its own YAML input through read/ and plan/ is the layering's way.
    from gtmplan.plan.validation import load_model
    from gtmplan.read.loader import read_document

    data, source = read_document(path, "a mapping file must be a mapping of keys (leads:, deals:, date_format:)")
    m: Any = load_model(data, source, _mapping_file_model(), what="mapping file")
    if m.leads and m.leads.columns is None and m.leads.segment is None:
        at = source.locate_key(("leads",))
        raise InputError.single(at.file, "leads: give columns:, or segment: alone for an export gtmplan recognises",
                                at.line, at.column)
    leads = None
    if m.leads and m.leads.columns is not None:
        leads = _mapped_shape(path, "leads", m.leads.columns, LEAD_REQUIRED)
    deals, stages = _mapped_deals(path, m.deals, source) if m.deals else (None, None)
    values, where = _segment_values(m.segments or {}, source)
    return Mapping(leads, deals, m.date_format, stages,
                   lead_segment=m.leads.segment if m.leads and m.leads.columns is None else None,
                   deal_segment=m.deals.segment if m.deals and m.deals.columns is None else None,
                   segment_values=values, segment_ids=where, path=path)


def _mapping_file_model() -> type:
    """The mapping file's model (pydantic: imported only when a mapping file is read)."""
    from pydantic import BaseModel, ConfigDict  # 31 ms (python -X importtime): only for a --mapping file

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

    class LeadColumns(_Strict):
        id: Optional[str] = None
        created: str
        source: Optional[str] = None
        mql_date: Optional[str] = None
        sql_date: Optional[str] = None
        opportunity_date: Optional[str] = None
        segment: Optional[str] = None  # the row's segment (its values: the mapping's segments:)

    class DealColumns(_Strict):
        id: Optional[str] = None
        created: str
        closed: str
        stage: str
        amount: str
        source: Optional[str] = None
        loss_reason: Optional[str] = None
        currency: Optional[str] = None  # the row's currency code, beside the amount
        converted_amount: Optional[str] = None  # the CRM's amount in the plan's currency
        converted_currency: Optional[str] = None  # the converted amount's currency, when the export says it
        segment: Optional[str] = None

    class Stages(_Strict):
        won: list[str] = []
        lost: list[str] = []

    class LeadsMap(_Strict):
        columns: Optional[LeadColumns] = None
        segment: Optional[str] = None  # alone: the segment column of an export gtmplan recognises

    class DealsMap(_Strict):
        columns: Optional[DealColumns] = None
        stages: Optional[Stages] = None
        segment: Optional[str] = None

    class MappingFile(_Strict):
        leads: Optional[LeadsMap] = None
        deals: Optional[DealsMap] = None
        date_format: Optional[str] = None
        segments: Optional[dict[str, list[str]]] = None  # segment id -> the values of the segment column

    return MappingFile


def _mapped_shape(path: str, kind: str, columns: Any, required: tuple[str, ...], **stages: Any) -> Shape:
    """The export a mapping file describes: its columns (those given) are also its signature."""
    cols = {k: v for k, v in columns.model_dump().items() if v}
    return Shape(f"export mapped by {path}", kind, cols, required, (tuple(cols.values()),), **stages)


def _mapped_deals(path: str, d: Any, source: SourceMap) -> tuple[Optional[Shape], Optional[StageSets]]:
    """A mapping file's ``deals:``: (its export's shape, None) with ``columns:``; (None, the won and
    lost stage labels) for ``stages:`` alone; (None, None) for ``segment:`` alone."""
    problems = _deals_problems(d, source)
    if problems:
        raise InputError(problems)
    stages = _stage_sets(d.stages) if d.stages is not None else None
    if d.columns is None:
        return None, stages
    assert stages is not None  # columns: without stages: is refused above
    return _mapped_shape(path, "deals", d.columns, DEAL_REQUIRED, won=stages[0], lost=stages[1],
                         mapped_stages=True, converted_in_plan_currency=True), None


def _deals_problems(d: Any, source: SourceMap) -> list[Problem]:
    """What a mapping file's ``deals:`` lacks, and the stages it lists both as won and as lost."""
    problems = []
    if d.columns is None and d.stages is None and d.segment is None:
        at = source.locate_key(("deals",))
        problems.append(Problem(at.file, at.line, at.column, "deals: give columns: (and stages:), or stages: "
                                                             "alone for an export gtmplan recognises"))
    elif d.columns is not None and d.stages is None:
        at = source.locate_key(("deals",))
        problems.append(Problem(at.file, at.line, at.column, "deals: columns: needs stages: {won: [...], "
                                                             "lost: [...]} (which of your stages are won and lost)"))
    if d.stages is None:
        return problems
    won: dict[str, int] = {}
    for i, label in enumerate(d.stages.won):
        won.setdefault(stage_key(_norm(label)), i)
    for i, label in enumerate(d.stages.lost):
        if stage_key(_norm(label)) in won:
            at = source.locate(("deals", "stages", "lost", i))
            first = source.locate(("deals", "stages", "won", won[stage_key(_norm(label))]))
            problems.append(Problem(at.file, at.line, at.column,
                                    f"stage {label!r} is listed both as won (line {first.line}) and as "
                                    "lost: a stage is one or the other"))
    return problems


def _stage_sets(stages: Any) -> StageSets:
    """(won, lost) stage labels, compared as :func:`stage_key` compares them."""
    return (frozenset(stage_key(_norm(s)) for s in stages.won),
            frozenset(stage_key(_norm(s)) for s in stages.lost))


def _segment_values(segments: dict[str, list[str]], source: SourceMap) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    """A mapping file's ``segments:``: (each value, casefolded -> its segment id; each id -> its line
    and column); a value listed for two segments is refused."""
    values: dict[str, str] = {}
    where: dict[str, tuple[int, int]] = {}
    for sid, listed in segments.items():
        at = source.locate_key(("segments", sid))
        where[sid] = (at.line, at.column)
        for i, v in enumerate(listed):
            key = " ".join(v.split()).casefold()
            if key in values and values[key] != sid:
                loc = source.locate(("segments", sid, i))
                raise InputError.single(loc.file, f"segments: the value {v!r} is listed for {values[key]!r} and for "
                                                  f"{sid!r}: a value names one segment", loc.line, loc.column)
            values[key] = sid
    return values, where
