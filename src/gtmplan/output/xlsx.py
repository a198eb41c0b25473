"""``gtmplan render --format xlsx``: the plan as a workbook whose figures are live formulas.

docs/reference/cli.md, "A spreadsheet with live formulas". Sheets:

- ``Inputs``: every number the computation reads, one per row with its dotted path
  and ``file:line``, each a defined name (``win_rate``, ``sales_win_rate``,
  ``target_2027Q1``, ``team_1_count`` ...) in the input style (blue on a light fill);
  the values the engine uses (the owner rule, the lag) as formulas of them; the
  programs as a table with a grid of run flags (1/0) per quarter.
- ``Funnel``, ``Capacity``, ``Programs``: formulas over those names, reproducing
  :mod:`gtmplan.engine.funnel`, :mod:`gtmplan.engine.capacity` and
  :mod:`gtmplan.engine.pipeline` exactly (no rounding); each formula cell also
  stores the value gtmplan computed, so a viewer that does not recalculate shows
  the right numbers. A value the engine cannot compute (JSON ``null``) is an empty
  cell, ``IFERROR(..., "")``, never ``#DIV/0!``.
- ``Findings``: ``check``'s findings as values; ``Plan vs actual`` when the plan has
  recorded actuals.

A funnel block is one call of :func:`_funnel_block` for one :class:`Scope` (the
company today; one per segment when plans have segments), and an extra input is one
more :meth:`_Inputs.value` row. XlsxWriter is imported here only, when a workbook is
written. The document date is fixed (``SOURCE_DATE_EPOCH``, else the first day of
the plan's horizon) so that the same plan gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, cast

from gtmplan.engine.capacity import attrition_factor, capacity, productivity
from gtmplan.engine.funnel import owner, program_leads, program_mqls, program_split, side_segment
from gtmplan.plan.modelparts import ASSUMPTION_KEYS
from gtmplan.plan.sourcemap import dotted

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from gtmplan.engine.funnel import Funnel, FunnelRow
    from gtmplan.plan.loaded import LoadedPlan
    from gtmplan.plan.model import MotionRow, OtherSource, Plan, SalesSegment, TeamRow
    from gtmplan.plan.quarters import Quarter
    from gtmplan.rules.base import Finding

# Deferred imports: XlsxWriter (24 ms) only when a workbook is written; the forecast's words (numpy) only for its sheet.

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_TEXT = 32767  # characters in one cell (Excel's limit)
_SURROGATE = re.compile("[\ud800-\udfff]")

ASSUMPTION_WORDS = {
    "lead_to_mql": "share of new leads that become MQLs",
    "mql_to_sql": "share of MQLs that sales accepts as SQLs",
    "sql_to_opportunity": "share of SQLs that become opportunities",
    "win_rate": "share of opportunities won",
    "average_deal_size": "first-year bookings of a won deal",
    "sales_cycle_days": "days from MQL to closed deal",
    "cost_per_lead": "what marketing expects a new lead to cost",
}
RATE_KEYS = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate")

# The Funnel sheet's columns: the keys of `gtmplan funnel --format json` rows, in that order.
FUNNEL_COLUMNS = (
    ("quarter", "Quarter"), ("target", "Target"), ("deals", "Deals"), ("opportunities", "Opportunities"),
    ("other_opportunities", "Other opportunities"), ("sqls", "SQLs"), ("mqls_needed", "MQLs needed"),
    ("leads_needed", "Leads needed"), ("created_in", "MQLs created in"), ("mqls_planned", "MQLs planned"),
    ("mqls_demanded", "MQLs demanded"), ("capacity", "Capacity"), ("program_cost", "Program cost"),
    ("budget", "Budget"),
)


def name_of(*parts: str) -> str:
    """A defined name from plan words: ``-`` becomes ``_`` (ids are slugs: a-z, 0-9, -)."""
    return "_".join(parts).replace("-", "_")


def document_date(loaded: LoadedPlan) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the first day of the horizon."""
    from gtmplan.output.fmt import source_date_epoch  # the one parser (and message) of SOURCE_DATE_EPOCH

    stamp = source_date_epoch()
    if stamp is not None:
        return stamp.replace(tzinfo=None)
    plan = loaded.plan
    first = plan.horizon.start.first_day(plan.calendar)
    return dt.datetime(first.year, first.month, first.day)


def safe_text(value: Any) -> str:
    """Plan text for a cell: no lone surrogates (not encodable), at most Excel's 32,767 characters."""
    from gtmplan.output.fmt import printable

    text = str(value)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: printable(m.group()), text)
    return text[:_MAX_TEXT]


# -- the workbook ---------------------------------------------------------------------------

class _Book:
    """The workbook, its formats, and writing cells so that text is always text."""

    def __init__(self, buf: io.BytesIO, date: dt.datetime, company: str) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(buf, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
        self.wb.set_properties({"title": safe_text(f"{company}: go-to-market plan"), "author": "gtmplan",
                                "created": date, "comments": "Written by gtmplan render --format xlsx"})
        self.wb.set_calc_mode("auto")
        f = self.wb.add_format
        blue = {"font_color": "#1F4E9E", "bg_color": "#EEF3FB", "border": 1, "border_color": "#C9D5EA"}
        self.fmt = {
            "title": f({"bold": True, "font_size": 13}),
            "title_q": f({"bold": True, "font_size": 13, "quote_prefix": True}),
            "note": f({"italic": True, "font_color": "#555555"}),
            "head": f({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
            "head_r": f({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top", "align": "right"}),
            "section": f({"bold": True, "font_size": 11, "top": 1}),
            "text": None,  # the default format
            "quarter": f({"indent": 1}),
            "text_q": f({"quote_prefix": True}),
            "wrap": f({"text_wrap": True, "valign": "top"}),
            "wrap_q": f({"text_wrap": True, "valign": "top", "quote_prefix": True}),
            "in_money": f({**blue, "num_format": "#,##0.##"}),
            "in_rate": f({**blue, "num_format": "0.0##%"}),
            "in_int": f({**blue, "num_format": "0"}),
            "in_date": f({**blue, "num_format": "yyyy-mm-dd"}),
            "in_flag": f({**blue, "num_format": "0", "align": "center"}),
            "money": f({"num_format": "#,##0"}),
            "count": f({"num_format": "#,##0.0"}),
            "rate": f({"num_format": "0.0##%"}),
            "int": f({"num_format": "0"}),
            "pct": f({"num_format": "0%"}),
            "pct1": f({"num_format": "0.0%"}),
            "frac": f({"num_format": "0.00"}),
            "date": f({"num_format": "yyyy-mm", "align": "left"}),
            "day": f({"num_format": "yyyy-mm-dd"}),
        }

    def text(self, ws: Worksheet, row: int, col: int, value: Any, wrap: bool = False, fmt: Optional[str] = None) -> None:
        """User text as a text cell: one that starts like a formula (= + - @) is stored with
        Excel's quote prefix, so that it stays text even when the cell is edited."""
        if value is None or value == "":
            return
        if type(value) is str and not wrap and fmt is None and value.isascii() and len(value) <= _MAX_TEXT \
                and not value.startswith(_FORMULA_START):  # the common case, quickly
            ws.write_string(row, col, value)
            return
        text = safe_text(value)
        quoted = text.startswith(_FORMULA_START)
        key = fmt or ("wrap" if wrap else "text")
        style = self.fmt[key + "_q"] if quoted and key + "_q" in self.fmt else self.fmt[key]
        if quoted and key + "_q" not in self.fmt:
            style = self.fmt["text_q"]
        ws.write_string(row, col, text, style)

    def sheet(self, name: str) -> Worksheet:
        """A worksheet whose formulas are stored as written: gtmplan writes only functions that
        every spreadsheet has (IF, IFERROR, ISNUMBER, SUMPRODUCT, INDEX, ...), so XlsxWriter's
        rewriting of newer functions (some 200 regular expressions per formula, most of the time
        a 5,000-program workbook took) has nothing to do. Should XlsxWriter rename the method,
        its own (slower, equally correct) preparation runs."""
        ws = self.wb.add_worksheet(name)
        if hasattr(ws, "_prepare_formula"):
            ws._prepare_formula = _as_written
        return ws

    def formula(self, ws: Worksheet, row: int, col: int, formula: str, value: Any, fmt: str) -> None:
        """A formula with gtmplan's own value cached as its result ("" for a value it cannot compute)."""
        ws.write_formula(row, col, formula, self.fmt[fmt], "" if value is None else value)


def _as_written(formula: str, expand_future_functions: bool = False) -> str:
    return formula[1:] if formula.startswith("=") else formula


class _Inputs:
    """The Inputs sheet: one named input per row (name, path, value, source, what it is)."""

    COLS = ("Name", "Path", "Value", "Source", "What it is")

    def __init__(self, book: _Book, loaded: LoadedPlan) -> None:
        self.book, self.loaded = book, loaded
        self.ws = book.sheet("Inputs")
        self.row = 0
        self.ws.set_column(0, 0, 30)
        self.ws.set_column(1, 1, 36)
        self.ws.set_column(2, 2, 14)
        self.ws.set_column(3, 3, 40)
        self.ws.set_column(4, 4, 60)
        self.ws.freeze_panes(3, 0)
        ws, f = self.ws, book.fmt
        ws.write_string(0, 0, "Inputs: every number the plan's figures are computed from", f["title"])
        ws.write_string(1, 0, "Blue cells are inputs: change one and the other sheets follow. Each has the name "
                              "shown in column A; Source is where the plan states it.", f["note"])
        for c, h in enumerate(self.COLS):
            ws.write_string(2, c, h, f["head"])
        self.row = 3

    def section(self, title: str) -> None:
        self.row += 1
        self.ws.write_string(self.row, 0, title, self.book.fmt["section"])
        self.row += 1

    def source(self, path: tuple, default: bool = False) -> str:
        loc = self.loaded.source.locate(path)
        if loc.path != dotted(path):
            return "(default)" if default else "(not stated)"
        return f"{loc.file}:{loc.line}"

    def value(self, name: str, path: tuple, value: Any, fmt: str, what: str,
              source: Optional[str] = None) -> str:
        """An input row; returns its defined name. ``None`` is an empty input cell (not stated)."""
        ws, r, b = self.ws, self.row, self.book
        ws.write_string(r, 0, name)
        b.text(ws, r, 1, dotted(path))
        style = b.fmt["in_" + fmt]
        if value is None:
            ws.write_blank(r, 2, None, style)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, 2, dt.datetime(value.year, value.month, value.day), style)
        else:
            ws.write_number(r, 2, float(value), style)
        b.text(ws, r, 3, source if source is not None else self.source(path, default=value is not None))
        b.text(ws, r, 4, what)
        b.wb.define_name(name, f"=Inputs!$C${r + 1}")
        self.row += 1
        return name

    def computed(self, name: str, label: str, formula: str, value: Any, fmt: str, what: str,
                 source: str = "") -> str:
        """A value the engine uses, as a formula of the inputs (black: not an input)."""
        ws, r, b = self.ws, self.row, self.book
        ws.write_string(r, 0, name)
        b.text(ws, r, 1, label)
        b.formula(ws, r, 2, formula, value, fmt)
        b.text(ws, r, 3, source)
        b.text(ws, r, 4, what)
        b.wb.define_name(name, f"=Inputs!$C${r + 1}")
        self.row += 1
        return name


@dataclass
class Scope:
    """What one funnel block is computed over: the company (today), or one segment.

    Every field is the defined name (or a formula) of an input, so that a segment's
    block is the same call with its own names."""

    label: str
    quarters: list  # horizon quarters
    rows: list  # the engine's FunnelRow per quarter (cached values)
    targets: dict  # quarter -> name of its target
    budgets: dict  # quarter -> name of its budget (None: no budget on this scope)
    assumptions: dict  # key -> name of the value used
    lag: str  # name of the lag in quarters
    lag_value: Optional[int]
    others: list  # an _Other per sales.other_pipeline item of the scope
    runs: dict  # quarter -> name of the range of run flags (None: no programs)
    program_mqls: Optional[str]  # name of the range of each program's MQLs per quarter run
    program_cost: Optional[str]  # name of the range of each program's cost per quarter run
    capacity: dict  # quarter -> cell holding its capacity
    program_split: Optional[str] = None  # name of the range of the programs' split to this segment
    first_row: int = field(default=0)  # filled in by _funnel_block: the sheet row of the first quarter


def render_xlsx(loaded: LoadedPlan, findings: list[Finding], funnel: Funnel) -> bytes:
    """The workbook as bytes."""
    plan = loaded.plan
    buf = io.BytesIO()
    book = _Book(buf, document_date(loaded), plan.company)
    inputs = _Inputs(book, loaded)
    quarters = [r.quarter for r in funnel.rows]

    # -- targets, budget, assumptions -------------------------------------------------------
    cur = plan.currency
    inputs.section("Targets and budget")
    targets = {q: inputs.value(name_of("target", str(q)), ("sales", "targets", str(q)),
                               plan.sales.targets[q], "money", f"new bookings target for {q} ({cur})")
               for q in quarters}
    budgets = {q: inputs.value(name_of("budget", str(q)), ("marketing", "budget", str(q)),
                               plan.marketing.budget[q], "money", f"program budget for {q} ({cur})")
               for q in quarters}
    side_names = _side_assumptions(inputs, plan)
    used = _used_assumptions(inputs, funnel, side_names)
    lag = _lag_input(inputs, plan, funnel, used["sales_cycle_days"])

    # -- team, other pipeline ----------------------------------------------------------------
    attainment, team = _team_inputs(inputs, plan)
    others = []
    if plan.sales.other_pipeline:
        inputs.section("Pipeline that does not come from marketing")
        for i, s in enumerate(plan.sales.other_pipeline):
            others.append(_other_inputs(inputs, loaded, quarters, i, s))
    segments = [_segment_inputs(inputs, loaded, funnel, j, seg, side_names, targets, others, quarters)
                for j, seg in enumerate(plan.sales.segments or [])]
    # every other-pipeline item with the plan's item it shows (the motions' teams go on Capacity)
    all_others = [*zip(others, plan.sales.other_pipeline or []),
                  *((o, item) for sg in segments for o, item in sg["own"])]

    # -- programs: a table with run flags per quarter ------------------------------------------
    progs = plan.marketing.programs
    runs: dict = {}
    prog_ranges = _program_inputs(book, inputs, loaded, quarters, runs)

    # -- the other sheets --------------------------------------------------------------------
    fws = book.sheet("Funnel")
    cws = book.sheet("Capacity")
    pws = book.sheet("Programs")
    program_names = _programs_sheet(book, pws, loaded, funnel, prog_ranges, used, segments)
    capacity_cells = _capacity_sheet(book, cws, loaded, funnel, team, attainment, targets, all_others)
    scope = Scope(label=plan.company, quarters=quarters, rows=funnel.rows, targets=targets, budgets=budgets,
                  assumptions=used, lag=lag, lag_value=funnel.lag, others=others,
                  runs=runs if progs else {}, program_mqls=program_names.get("mqls"),
                  program_cost=prog_ranges.get("cost"), capacity=capacity_cells[None])
    seg_scopes = [Scope(label=sg["id"], quarters=quarters, rows=funnel.segments[sg["id"]].rows, targets=sg["targets"],
                        budgets={}, assumptions=sg["used"], lag=sg["lag"], lag_value=funnel.segments[sg["id"]].lag,
                        others=sg["others"], runs=runs if progs else {},
                        program_mqls=program_names.get("mqls" + sg["suffix"]),
                        program_cost=prog_ranges.get("cost"), capacity=capacity_cells[sg["id"]],
                        program_split=name_of("program_split", "_" + sg["id"]) if progs else None)
                  for sg in segments]
    _funnel_sheet(book, fws, plan, scope, seg_scopes)
    _findings_sheet(book, findings)
    if loaded.actuals:
        _actuals_sheet(book, loaded, funnel, scope, program_names)
    if loaded.actuals or getattr(plan, "forecast", None) is not None:
        _forecast_sheet(book, loaded)
    for ws in book.wb.worksheets():  # prints one page wide, landscape
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_paper(9)  # A4
    fws.activate()
    book.wb.close()
    return buf.getvalue()


def _assumption_format(key: str) -> str:
    return "rate" if key in RATE_KEYS else "int" if key == "sales_cycle_days" else "money"


def _side_assumptions(inputs: _Inputs, plan: Plan) -> dict[str, dict[str, str]]:
    """Each side's stated assumptions as inputs: side -> key -> the name of its cell."""
    side_names: dict[str, dict[str, str]] = {}
    for side, words in (("sales", "Sales' assumptions"), ("marketing", "Marketing's assumptions")):
        inputs.section(words)
        stated = getattr(plan, side).assumptions
        side_names[side] = {}
        for key in ASSUMPTION_KEYS:
            value = getattr(stated, key) if stated is not None else None
            owns = " (owner)" if owner(key) == side else ""
            side_names[side][key] = inputs.value(name_of(side, key), (side, "assumptions", key), value,
                                                 _assumption_format(key),
                                                 f"{ASSUMPTION_WORDS[key]}, as {side} states it{owns}")
    return side_names


def _used_assumptions(inputs: _Inputs, funnel: Funnel, side_names: dict[str, dict[str, str]]) -> dict[str, str]:
    """The value the engine uses of each assumption (the owner's, else the other side's): key -> name."""
    inputs.section("Values the engine uses (the owner's value, else the other side's)")
    used = {}
    for key in ASSUMPTION_KEYS:
        first = owner(key)
        second = "sales" if first == "marketing" else "marketing"
        a, b = side_names[first][key], side_names[second][key]
        chosen = funnel.assumptions[key]
        where = inputs.source((chosen.side, "assumptions", key)) if chosen.side else "(neither side states it)"
        used[key] = inputs.computed(
            key, f"{key} (used)", f'=IF(ISNUMBER({a}),{a},IF(ISNUMBER({b}),{b},""))', chosen.value,
            _assumption_format(key), f"{ASSUMPTION_WORDS[key]}: {first}'s value, else {second}'s", where)
    return used


def _lag_input(inputs: _Inputs, plan: Plan, funnel: Funnel, cycle: str) -> str:
    """The company's lag in quarters, from the sales cycle used (``cycle``): its name."""
    seg_cycles = [f"ISNUMBER(sales_cycle_days{name_of('', '_' + x.id)})" for x in plan.sales.segments or []]
    # a plan whose cycle is stated per segment only has no company-wide lag (empty)
    otherwise = f'IF(OR({",".join(seg_cycles)}),"",0)' if seg_cycles else "0"
    return inputs.computed("lag_quarters", "lag (quarters)",
                           f"=IF(ISNUMBER({cycle}),INT((2*{cycle}+91)/182),{otherwise})",
                           funnel.lag, "int", "MQLs are created this many quarters before their deals close: "
                                              "floor(sales_cycle_days / 91 + 1/2)")


def _team_inputs(inputs: _Inputs, plan: Plan) -> tuple[str, list[dict]]:
    """The sales team's inputs and each row's attrition factor: the expected attainment's name
    and each team row's names."""
    cur = plan.currency
    inputs.section("Sales team")
    attainment = inputs.value("expected_attainment", ("sales", "expected_attainment"), plan.sales.expected_attainment,
                              "rate", "share of quota the average ramped seller reaches")
    team = [_team_row(inputs, ("sales", "team", i), name_of("team", str(i + 1)), row,
                      f"team row {i + 1} ({safe_text(row.role)})", quota=cur)
            for i, row in enumerate(plan.sales.team)]
    inputs.section("Expected attrition (empty: none)")
    attr = plan.sales.attrition
    rate = inputs.value("attrition_annual_rate", ("sales", "attrition", "annual_rate"),
                        attr.annual_rate if attr else None, "rate", "share of the sales team expected to leave in a year")
    backfill = inputs.value("attrition_backfill_months", ("sales", "attrition", "backfill_months"),
                            attr.backfill_months if attr else None, "money",
                            "months a leaver's seat stays empty before the replacement starts")
    for i, (row, names) in enumerate(zip(plan.sales.team, team)):
        shortfall = (f"SUMPRODUCT(1-{names['ramp']})" if "ramp" in names
                     else f"IF({names['ramp_months']}=0,0,MAX(0,({names['ramp_months']}-1)/2))")
        names["attrition"] = inputs.computed(
            name_of("team", str(i + 1), "attrition_factor"), f"sales.team[{i}] attrition factor",
            f"=IF(ISNUMBER({rate}),MAX(0,1-{rate}*({backfill}+{shortfall})/12),1)", attrition_factor(plan, row),
            "frac", f"team row {i + 1}: capacity kept: 1 - annual_rate x (backfill_months + ramp shortfall) / 12")
    return attainment, team


def _funnel_sheet(book: _Book, fws: Worksheet, plan: Plan, scope: Scope, seg_scopes: list[Scope]) -> None:
    """The Funnel sheet: the company's waterfall; with segments, a block per segment (its own
    assumptions, lag, programs' split, dedicated sellers), then the sum; the MQL chart below."""
    book.text(fws, 0, 0, f"{plan.company}: demand waterfall and capacity ({plan.currency})", fmt="title")
    fws.write_string(1, 0, "Each quarter's bookings target worked back to the MQLs and leads it needs; formulas over "
                           "the named cells of sheet Inputs. An empty cell is a figure the inputs cannot give.",
                     book.fmt["note"])
    fws.set_column(0, 0, 10)
    fws.set_column(1, len(FUNNEL_COLUMNS) - 1, 13)
    if seg_scopes:
        top = 3
        for seg_scope in seg_scopes:
            book.text(fws, top, 0, f"Segment {seg_scope.label}", fmt="section")
            top = _funnel_block(book, fws, top + 1, seg_scope) + 1
        book.text(fws, top, 0, "Company (the sum of the segments)", fmt="section")
        end = _total_block(book, fws, top + 1, scope, seg_scopes)
    else:
        end = _funnel_block(book, fws, 3, scope)
    _mql_chart(book, fws, scope, end + 2)
    fws.freeze_panes(4, 1)


@dataclass
class _Other:
    """One other-pipeline item on the sheets: its share's name per quarter (a share item)
    or the Capacity cell of its team's opportunities per quarter (a motion), and its cost."""

    id: str
    label: str
    share: Optional[dict] = None  # quarter -> name of the share
    opportunities: Optional[dict] = None  # quarter -> Capacity cell (filled in by _capacity_sheet)
    cost: dict = field(default_factory=dict)  # quarter -> formula of its cost
    team: list = field(default_factory=list)  # names of the motion team's rows
    per_month: Optional[str] = None  # name of opportunities_per_month


def _team_row(inputs: _Inputs, base: tuple, prefix: str, row: TeamRow | MotionRow, who: str, quota: Optional[str] = None,
              suffix: str = "") -> dict:
    """A team row's inputs (count, quota when it has one, start, end, ramp); their names."""
    names = {"count": inputs.value(f"{prefix}_count{suffix}", (*base, "count"), row.count, "int", f"{who}: head count")}
    if quota is not None:
        names["quota"] = inputs.value(f"{prefix}_annual_quota{suffix}", (*base, "annual_quota"), cast("TeamRow", row).annual_quota, "money",
                                      f"{who}: annual quota each ({quota})")
    names["start"] = inputs.value(f"{prefix}_start{suffix}", (*base, "start"), row.start, "date",
                                  f"{who}: start date (empty: before the horizon, fully ramped)")
    names["end"] = inputs.value(f"{prefix}_end{suffix}", (*base, "end"), getattr(row, "end", None), "date",
                                f"{who}: they leave after this day (empty: they stay)")
    if row.ramp is not None:
        first_row = inputs.row
        for m, x in enumerate(row.ramp):
            inputs.value(f"{prefix}_ramp_m{m}{suffix}", (*base, "ramp", m), x, "rate",
                         f"{who}: share of full productivity in month {m} after the start")
        names["ramp"] = f"{prefix}_ramp{suffix}"
        inputs.book.wb.define_name(names["ramp"], f"=Inputs!$C${first_row + 1}:$C${inputs.row}")
    else:
        names["ramp_months"] = inputs.value(f"{prefix}_ramp_months{suffix}", (*base, "ramp_months"), row.ramp_months, "int",
                                            f"{who}: months to full productivity ((m + 1) / k in month m)")
    return names


def _other_inputs(inputs: _Inputs, loaded: LoadedPlan, quarters: list, i: int, s: OtherSource,
                  base: Optional[tuple] = None, suffix: str = "") -> _Other:
    """An other-pipeline item's inputs: its share (one, or one per quarter), or its motion's
    team and opportunities per month; its cost (one, one per quarter, or an empty input).
    A segment's own item has its path under the segment and names ending ``__SEGMENT``."""
    base = base or ("sales", "other_pipeline", i)
    label = safe_text(s.name or s.id)
    prefix = name_of("other", s.id)
    item = _Other(s.id, label)

    def per_quarter(key: str, values: dict, fmt: str, what: str) -> dict:
        out = {}
        for q in quarters:
            path = (*base, key, str(q))
            stated = inputs.source(path)
            out[q] = inputs.value(f"{prefix}_{key}_{q}{suffix}", path, values.get(q, 0.0), fmt, f"{what} in {q}",
                                  source="(not listed: 0)" if stated == "(not stated)" else stated)
        return out

    if s.capacity is not None:
        item.per_month = inputs.value(f"{prefix}_opportunities_per_month{suffix}", (*base, "capacity", "opportunities_per_month"),
                                      s.capacity.opportunities_per_month, "money",
                                      f"{label}: opportunities one fully ramped person creates in a month")
        item.team = [_team_row(inputs, (*base, "capacity", "team", j), f"{prefix}_team_{j + 1}", row,
                               f"{label} row {j + 1} ({safe_text(row.role)})", suffix=suffix)
                     for j, row in enumerate(s.capacity.team)]
    elif isinstance(s.share, dict):
        item.share = per_quarter("share", s.share, "rate", f"share of the opportunities from {label}")
    else:
        name = inputs.value(f"{prefix}_share{suffix}", (*base, "share"), s.share, "rate",
                            f"share of each quarter's opportunities from {label}")
        item.share = {q: name for q in quarters}
    if isinstance(s.cost, dict):
        names = per_quarter("cost", s.cost, "money", f"what {label} costs")
        item.cost = {q: f"N({names[q]})" for q in quarters}
    else:
        name = inputs.value(f"{prefix}_cost{suffix}", (*base, "cost"), s.cost, "money",
                            f"what {label} costs per quarter (empty: nothing)")
        item.cost = {q: f"N({name})" for q in quarters}
    return item


def _productivity(names: dict, month: str) -> str:
    """The formula of engine.capacity.productivity for a team row in the month whose first
    day is in cell ``month``: 0 after the end month; 1 without a start; 0 before the start
    month; then the ramp curve's value (1 after it), or min(1, (k + 1) / ramp_months)."""
    mk = f"(YEAR({month})*12+MONTH({month}))"
    s, e = names["start"], names["end"]
    k = f"({mk}-(YEAR({s})*12+MONTH({s})))"
    if "ramp" in names:
        curve = f"IF({k}<ROWS({names['ramp']}),INDEX({names['ramp']},{k}+1),1)"
    else:
        rm = names["ramp_months"]
        curve = f"IF({rm}=0,1,MIN(1,({k}+1)/{rm}))"
    return (f"=IF(IF(ISNUMBER({e}),{mk}>YEAR({e})*12+MONTH({e}),FALSE),0,"
            f"IF(ISNUMBER({s}),IF({k}<0,0,{curve}),1))")


def _segment_inputs(inputs: _Inputs, loaded: LoadedPlan, funnel: Funnel, j: int, seg: SalesSegment, side_names: dict,
                    targets: dict, company_others: list, quarters: list) -> dict:
    """A segment's inputs (docs/reference/plan-format.md, "Segments"): its targets (or its
    share of the company's), each side's values stated for it, the values its funnel uses
    (on each side the segment's value, else the side's company-wide one; then the owner
    rule), its lag, and its own other pipeline (else the company's)."""

    plan = loaded.plan
    sid = seg.id
    suffix = name_of("", "_" + sid)  # "__smb"
    inputs.section(f"Segment {sid}")
    base = ("sales", "segments", j)
    if seg.targets is not None:
        seg_targets = {q: inputs.value(f"target_{q}{suffix}", (*base, "targets", str(q)), seg.targets[q], "money",
                                       f"{sid}: new bookings target for {q}") for q in quarters}
    else:
        share = inputs.value(f"target_share{suffix}", (*base, "share"), seg.share, "rate",
                             f"{sid}: its share of sales.targets in every quarter")
        seg_targets = {q: f"({share}*{targets[q]})" for q in quarters}
    stated: dict = {}
    for side in ("sales", "marketing"):
        i, entry = side_segment(plan, side, sid)
        if entry is None:
            continue
        a = entry.assumptions
        for key in ASSUMPTION_KEYS:
            fmt = "rate" if key in RATE_KEYS else "int" if key == "sales_cycle_days" else "money"
            stated[(side, key)] = inputs.value(f"{side}_{key}{suffix}", (side, "segments", i, "assumptions", key),
                                               getattr(a, key) if a is not None else None, fmt,
                                               f"{ASSUMPTION_WORDS[key]}, as {side} states it for {sid}")
    used = {}
    chosen = funnel.segments[sid].assumptions
    for key in ASSUMPTION_KEYS:
        first = owner(key)
        second = "sales" if first == "marketing" else "marketing"
        chain = [n for side in (first, second) for n in (stated.get((side, key)), side_names[side][key]) if n]
        formula = '""'
        for n in reversed(chain):
            formula = f"IF(ISNUMBER({n}),{n},{formula})"
        fmt = "rate" if key in RATE_KEYS else "int" if key == "sales_cycle_days" else "money"
        used[key] = inputs.computed(f"{key}{suffix}", f"{key} for {sid} (used)", "=" + formula, chosen[key].value,
                                    fmt, f"{ASSUMPTION_WORDS[key]} for {sid}: on each side its value for {sid}, "
                                         f"else the company-wide one; {first}'s, else {second}'s")
    cycle = used["sales_cycle_days"]
    lag = inputs.computed(f"lag_quarters{suffix}", f"lag for {sid} (quarters)",
                          f"=IF(ISNUMBER({cycle}),INT((2*{cycle}+91)/182),0)", funnel.segments[sid].lag, "int",
                          f"{sid}: floor(sales_cycle_days / 91 + 1/2)")
    own = []
    if seg.other_pipeline is not None:
        for i, item in enumerate(seg.other_pipeline):
            own.append((_other_inputs(inputs, loaded, quarters, i, item, (*base, "other_pipeline", i), suffix), item))
        others = [o for o, _ in own]
    else:
        others = list(company_others)
    return {"id": sid, "suffix": suffix, "targets": seg_targets, "used": used, "lag": lag, "others": others,
            "own": own}


def _program_inputs(book: _Book, inputs: _Inputs, loaded: LoadedPlan, quarters: list, runs: dict) -> dict:
    """The programs on sheet Inputs: one row each (cost, expected leads and MQLs per quarter
    it runs, a run flag per horizon quarter); names over the columns."""
    plan, ws, f = loaded.plan, inputs.ws, book.fmt
    progs = plan.marketing.programs
    inputs.section("Marketing programs (per quarter each runs; run flags: 1 = runs in that quarter, 0 = not)")
    segs = [x.id for x in plan.sales.segments or []]
    head = ["Path", "Program", "Cost", "Name", "Channel", "Expected leads", "Expected MQLs",
            *[str(q) for q in quarters], *[f"Split {x}" for x in segs], "Source"]
    for c, h in enumerate(head):
        ws.write_string(inputs.row, c, h, f["head_r" if c == 2 or 5 <= c < len(head) - 1 else "head"])
    inputs.row += 1
    first = inputs.row
    source = loaded.source
    for i, p in enumerate(progs):
        r = inputs.row
        loc = source.locate(("marketing", "programs", i))
        ws.write_string(r, 0, f"marketing.programs[{i}]")
        book.text(ws, r, 1, p.id)
        ws.write_number(r, 2, float(p.cost), f["in_money"])
        book.text(ws, r, 3, p.name or "")
        book.text(ws, r, 4, p.channel)
        for c, x in ((5, p.expected_leads), (6, p.expected_mqls)):
            if x is None:
                ws.write_blank(r, c, None, f["in_int"])
            else:
                ws.write_number(r, c, float(x), f["in_int"])
        running = set(p.quarters)
        for j, q in enumerate(quarters):
            ws.write_number(r, 7 + j, 1 if q in running else 0, f["in_flag"])
        if segs:
            split = program_split(plan, p)
            for j, sid in enumerate(segs):
                ws.write_number(r, 7 + len(quarters) + j, split.get(sid, 0.0), f["in_rate"])
        ws.write_string(r, 7 + len(quarters) + len(segs), f"{loc.file}:{loc.line}")
        inputs.row += 1
    last = inputs.row  # one past
    if not progs:
        ws.write_string(inputs.row, 0, "(no programs)", f["note"])
        inputs.row += 1
        return {}
    col = lambda c: f"=Inputs!${_col(c)}${first + 1}:${_col(c)}${last}"  # noqa: E731
    out = {"cost": "program_cost", "leads": "program_expected_leads", "mqls": "program_expected_mqls",
           "first": first, "last": last}
    book.wb.define_name("program_cost", col(2))
    book.wb.define_name("program_expected_leads", col(5))
    book.wb.define_name("program_expected_mqls", col(6))
    for j, q in enumerate(quarters):
        runs[q] = name_of("runs", str(q))
        book.wb.define_name(runs[q], col(7 + j))
    for j, sid in enumerate(segs):
        book.wb.define_name(name_of("program_split", "_" + sid), col(7 + len(quarters) + j))
    return out


def _col(c: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(c)


def _cell(r: int, c: int, absolute: bool = False) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(r, c, absolute, absolute)


def _programs_sheet(book: _Book, ws: Worksheet, loaded: LoadedPlan, funnel: Funnel, ranges: dict, used: dict,
                    segments: list) -> dict:
    """Each program's leads and MQLs per quarter it runs (engine.funnel.program_leads and
    program_mqls), the quarters it runs, its cost and MQLs over the horizon. With segments,
    its MQLs in each segment (stated MQLs x split, or leads x split x the segment's
    lead_to_mql: engine.funnel.programs_by_segment) after those columns; its MQLs are their sum."""
    plan, f = loaded.plan, book.fmt
    progs = plan.marketing.programs
    cur = plan.currency
    book.text(ws, 0, 0, f"{plan.company}: marketing programs ({cur})", fmt="title")
    ws.write_string(1, 0, "Per quarter each runs: MQLs are expected MQLs, else expected leads x lead_to_mql; "
                          "leads are expected leads, else expected MQLs / lead_to_mql.", f["note"])
    head = ["Program", "Name", "Channel", "Cost per quarter", "Leads per quarter", "MQLs per quarter",
            "Quarters run", "Cost in the plan", "MQLs in the plan", *[f"MQLs per quarter: {sg['id']}" for sg in segments]]
    ws.set_row(3, 30)
    for c, h in enumerate(head):
        ws.write_string(3, c, h, f["head_r" if c >= 3 else "head"])
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 8 + len(segments), 12)
    ws.freeze_panes(4, 1)
    if not progs:
        ws.write_string(4, 0, "(no programs)", f["note"])
        return {}
    l2m = used["lead_to_mql"]
    in_first = ranges["first"]
    n_q = len(funnel.rows)
    flags_first, flags_last = _col(7), _col(6 + n_q)
    quarters_in = {r.quarter for r in funnel.rows}
    for i, p in enumerate(progs):
        r, ir = 4 + i, in_first + i + 1  # sheet row (0-based) and the program's Inputs row (1-based)
        cost, leads, mqls = f"Inputs!$C${ir}", f"Inputs!$F${ir}", f"Inputs!$G${ir}"
        book.text(ws, r, 0, p.id)
        book.text(ws, r, 1, p.name or "")
        book.text(ws, r, 2, p.channel)
        book.formula(ws, r, 3, f"={cost}", float(p.cost), "money")
        l_value = program_leads(p, funnel.assumptions["lead_to_mql"].value)
        book.formula(ws, r, 4, f'=IF(ISNUMBER({leads}),{leads},IF(ISNUMBER({mqls}),IFERROR({mqls}/{l2m},""),0))',
                     l_value, "count")
        if segments:
            split = program_split(plan, p)
            parts: list = []
            for j, sg in enumerate(segments):
                sc = _col(7 + n_q + j)  # the program's split to this segment on Inputs
                frac, seg_l2m = split.get(sg["id"], 0.0), funnel.segments[sg["id"]].assumptions["lead_to_mql"].value
                sl2m = sg["used"]["lead_to_mql"]
                part: Optional[float] = 0.0  # as engine.funnel.programs_by_segment computes it
                if frac and p.expected_mqls is not None:
                    part = p.expected_mqls * frac
                elif frac and p.expected_leads is not None:
                    part = None if seg_l2m is None else p.expected_leads * frac * seg_l2m
                book.formula(ws, r, 9 + j, f'=IF(N(Inputs!${sc}${ir})=0,0,IF(ISNUMBER({mqls}),{mqls}*Inputs!${sc}${ir},'
                                           f'IF(ISNUMBER({leads}),IFERROR({leads}*Inputs!${sc}${ir}*{sl2m},""),0)))',
                             part, "count")
                parts.append(part)
            m_value = None if any(x is None for x in parts) else sum(parts)
            book.formula(ws, r, 5, f'=IFERROR({"+".join(_cell(r, 9 + j) for j in range(len(segments)))},"")',
                         m_value, "count")
        else:
            m_value = program_mqls(p, funnel.assumptions["lead_to_mql"].value)
            book.formula(ws, r, 5, f'=IF(ISNUMBER({mqls}),{mqls},IF(ISNUMBER({leads}),IFERROR({leads}*{l2m},""),0))',
                         m_value, "count")
        n_run = sum(1 for q in set(p.quarters) if q in quarters_in)
        book.formula(ws, r, 6, f"=SUM(Inputs!${flags_first}${ir}:${flags_last}${ir})", n_run, "int")
        book.formula(ws, r, 7, f"={_cell(r, 3)}*{_cell(r, 6)}", float(p.cost) * n_run, "money")
        book.formula(ws, r, 8, f'=IFERROR({_cell(r, 5)}*{_cell(r, 6)},"")',
                     None if m_value is None else m_value * n_run, "count")
    last = 4 + len(progs)
    book.wb.define_name("program_leads", f"=Programs!$E$5:$E${last}")
    book.wb.define_name("program_mqls", f"=Programs!$F$5:$F${last}")
    out = {"mqls": "program_mqls", "leads": "program_leads"}
    for j, sg in enumerate(segments):
        out["mqls" + sg["suffix"]] = "program_mqls" + sg["suffix"]
        book.wb.define_name("program_mqls" + sg["suffix"], f"=Programs!${_col(9 + j)}$5:${_col(9 + j)}${last}")
    return out


def _capacity_sheet(book: _Book, ws: Worksheet, loaded: LoadedPlan, funnel: Funnel, team: list, attainment: str,
                    targets: dict, others: list) -> dict:
    """Capacity per quarter (engine.capacity.capacity): for each team row, count x annual
    quota / 12 x the sum of its productivity over the quarter's months x its attrition
    factor, summed, x expected attainment; then the opportunities each pipeline motion's
    team creates (engine.pipeline.motion_opportunities); below, each row's productivity
    month by month (from its start and end dates and ramp), so that changing a date moves
    capacity. Fills in each motion's ``opportunities`` cells; returns the capacity cells."""
    plan = loaded.plan
    motions = [(o, s.capacity) for o, s in others if s.capacity is not None]
    segs = [x.id for x in plan.sales.segments or []]
    _capacity_head(book, ws, plan, motions, segs)
    month_rows = _productivity_months(book, ws, plan, funnel, team, motions)
    cells: dict = {None: {}, **{x: {} for x in segs}}
    for o, _ in motions:
        o.opportunities = {}
    for j, qrow in enumerate(funnel.rows):
        rr = 4 + j
        ws.write_string(rr, 0, str(qrow.quarter))
        book.formula(ws, rr, 1, f"={targets[qrow.quarter]}", qrow.target, "money")
        parts = _capacity_of_rows(book, ws, plan, rr, qrow, team, attainment, month_rows)
        cells[None][qrow.quarter] = f"Capacity!{_cell(rr, 2, absolute=True)}"
        c = _motion_cells(book, ws, plan, rr, qrow.quarter, motions, month_rows)
        for x in segs:  # a segment's capacity: its dedicated sellers (engine.capacity over those rows)
            rows = plan.sales.team
            mine = [parts[i] for i, row in enumerate(rows) if getattr(row, "segment", None) == x]
            book.formula(ws, rr, c, f"=({'+'.join(mine) or '0'})*{attainment}",
                         capacity(plan, qrow.quarter, rows=[row for row in rows if getattr(row, "segment", None) == x]),
                         "money")
            cells[x][qrow.quarter] = f"Capacity!{_cell(rr, c, absolute=True)}"
            c += 1
    return cells


def _capacity_head(book: _Book, ws: Worksheet, plan: Plan, motions: list, segs: list[str]) -> None:
    """The Capacity sheet's title, note and column headings."""
    f = book.fmt
    rows = plan.sales.team
    book.text(ws, 0, 0, f"{plan.company}: sales capacity ({plan.currency})", fmt="title")
    ws.write_string(1, 0, "Capacity: what the ramped team can close at the expected attainment. Each team row "
                          "contributes count x annual quota / 12 x its productivity in the quarter's months x its "
                          "attrition factor.", f["note"])
    head = ["Quarter", "Target", "Capacity", "Coverage",
            *[safe_text(f"Row {i + 1}: {r.role}") for i, r in enumerate(rows)],
            *[f"Opportunities from {o.label}" for o, _ in motions], *[f"Capacity: {x}" for x in segs]]
    ws.set_row(3, 30)
    for c, h in enumerate(head):
        ws.write_string(3, c, h, f["head_r" if c >= 1 else "head"])
    ws.set_column(0, 0, 10)
    ws.set_column(1, len(head), 14)
    ws.freeze_panes(4, 1)


def _productivity_months(book: _Book, ws: Worksheet, plan: Plan, funnel: Funnel, team: list,
                         motions: list) -> dict:
    """The monthly productivity table below the quarters (its cells are what the quarters sum):
    a column per team row, then per motion team row. Returns quarter -> its months' sheet rows."""
    f = book.fmt
    rows = plan.sales.team
    columns: list[tuple[Any, dict]] = [(row, names) for row, names in zip(rows, team)]  # sellers, then motions
    labels = [safe_text(f"Row {i + 1}: {r.role}") for i, r in enumerate(rows)]
    for o, cap in motions:
        columns += list(zip(cap.team, o.team))
        labels += [safe_text(f"{o.label} row {j + 1}: {r.role}") for j, r in enumerate(cap.team)]
    n_q = len(funnel.rows)
    month_top = 4 + n_q + 2
    ws.write_string(month_top, 0, "Productivity by month (share of a fully ramped person)", f["section"])
    ws.set_row(month_top + 1, 30)
    ws.write_string(month_top + 1, 0, "Month", f["head"])
    for i, label in enumerate(labels):
        ws.write_string(month_top + 1, 1 + i, label, f["head_r"])
    month_rows: dict = {}
    r = month_top + 2
    for qrow in funnel.rows:
        month_rows[qrow.quarter] = []
        for y, m in qrow.quarter.months(plan.calendar):
            ws.write_datetime(r, 0, dt.datetime(y, m, 1), f["date"])
            for i, (row, names) in enumerate(columns):
                book.formula(ws, r, 1 + i, _productivity(names, f"$A{r + 1}"), productivity(row, y, m), "frac")
            month_rows[qrow.quarter].append(r)
            r += 1
    return month_rows


def _months_sum(month_rows: dict, i: int, q: Quarter) -> str:
    """The sum of column ``i`` of the monthly productivity table over quarter ``q``'s months."""
    col, mrows = _col(1 + i), month_rows[q]
    return f"SUM({col}{mrows[0] + 1}:{col}{mrows[-1] + 1})"


def _capacity_of_rows(book: _Book, ws: Worksheet, plan: Plan, rr: int, qrow: FunnelRow, team: list,
                      attainment: str, month_rows: dict) -> list[str]:
    """Sheet row ``rr``: each team row's capacity in the quarter, their sum x attainment, the
    coverage. Returns the cells of the team rows' capacity."""
    q, rows = qrow.quarter, plan.sales.team
    months = q.months(plan.calendar)
    parts = []
    for i, (row, names) in enumerate(zip(rows, team)):
        ramped = sum(productivity(row, y, m) for y, m in months)
        monthly = row.count * row.annual_quota / 12 * ramped
        book.formula(ws, rr, 4 + i,
                     f"={names['count']}*{names['quota']}/12*{_months_sum(month_rows, i, q)}*{names['attrition']}",
                     monthly if plan.sales.attrition is None else monthly * attrition_factor(plan, row), "money")
        parts.append(_cell(rr, 4 + i))
    total = f"SUM({parts[0]}:{parts[-1]})" if parts else "0"
    book.formula(ws, rr, 2, f"={total}*{attainment}", qrow.capacity, "money")
    book.formula(ws, rr, 3, f'=IFERROR({_cell(rr, 2)}/{_cell(rr, 1)},"")',
                 qrow.capacity / qrow.target if qrow.target else None, "pct")
    return parts


def _motion_cells(book: _Book, ws: Worksheet, plan: Plan, rr: int, q: Quarter, motions: list,
                  month_rows: dict) -> int:
    """Sheet row ``rr``: the opportunities each pipeline motion's team creates in quarter ``q``
    (filling in the motion's ``opportunities``). Returns the next free column."""
    from gtmplan.engine.pipeline import motion_opportunities

    rows = plan.sales.team
    c, first_col = 4 + len(rows), len(rows)  # the motions' columns of the monthly table follow the rows'
    for o, cap in motions:
        terms = "+".join(f"{names['count']}*{_months_sum(month_rows, first_col + t, q)}"
                         for t, names in enumerate(o.team))
        book.formula(ws, rr, c, f"=({terms})*{o.per_month}", motion_opportunities(plan, cap, q), "count")
        o.opportunities[q] = f"Capacity!{_cell(rr, c, absolute=True)}"
        c += 1
        first_col += len(o.team)
    return c


def _funnel_block(book: _Book, ws: Worksheet, top: int, scope: Scope) -> int:
    """One waterfall (a row per horizon quarter, the columns of ``funnel --format json``)
    for one scope, its header at row ``top``; returns the row after it."""
    f = book.fmt
    ws.set_row(top, 30)
    for k, (key, h) in enumerate(FUNNEL_COLUMNS):
        ws.write_string(top, k, h, f["head" if key in ("quarter", "created_in") else "head_r"])
    # with other pipeline, as the JSON rows: its cost, then each item's opportunities
    extra = len(FUNNEL_COLUMNS)
    if scope.others:
        ws.write_string(top, extra, "Other pipeline cost", f["head_r"])
        for j, o in enumerate(scope.others):
            ws.write_string(top, extra + 1 + j, f"Opportunities from {o.label}", f["head_r"])
    first = top + 1
    scope.first_row = first
    n = len(scope.quarters)
    a = scope.assumptions
    col = {key: c for c, (key, _) in enumerate(FUNNEL_COLUMNS)}
    needed_range = f"${_col(col['mqls_needed'])}${first + 1}:${_col(col['mqls_needed'])}${first + n}"
    for i, (q, row) in enumerate(zip(scope.quarters, scope.rows)):
        r = first + i

        def c(key: str, r: int = r) -> str:
            return _cell(r, col[key])

        ws.write_string(r, 0, str(q))
        book.formula(ws, r, col["target"], f"={scope.targets[q]}", row.target, "money")
        book.formula(ws, r, col["deals"], f'=IFERROR({c("target")}/{a["average_deal_size"]},"")', row.deals, "count")
        book.formula(ws, r, col["opportunities"], f'=IFERROR({c("deals")}/{a["win_rate"]},"")',
                     row.opportunities, "count")
        if scope.others:  # engine.pipeline.other_opportunities: each item's part, then their sum
            parts = row.other_by_source or {}
            for j, o in enumerate(scope.others):
                formula = (f"={o.opportunities[q]}" if o.opportunities is not None
                           else f'=IFERROR({c("opportunities")}*{o.share[q]},"")')
                book.formula(ws, r, extra + 1 + j, formula, parts.get(o.id), "count")
            items = "+".join(_cell(r, extra + 1 + j) for j in range(len(scope.others)))
            book.formula(ws, r, col["other_opportunities"], f'=IFERROR({items},"")', row.other_opportunities, "count")
            book.formula(ws, r, extra, "=" + "+".join(o.cost[q] for o in scope.others), row.other_pipeline_cost,
                         "money")
        else:
            book.formula(ws, r, col["other_opportunities"], "=0", row.other_opportunities, "count")
        # marketing is asked for the rest, never a negative number (a motion may bring more)
        book.formula(ws, r, col["sqls"],
                     f'=IFERROR(MAX(0,{c("opportunities")}-{c("other_opportunities")})/{a["sql_to_opportunity"]},"")',
                     row.sqls, "count")
        book.formula(ws, r, col["mqls_needed"], f'=IFERROR({c("sqls")}/{a["mql_to_sql"]},"")', row.mqls_needed,
                     "count")
        book.formula(ws, r, col["leads_needed"], f'=IFERROR({c("mqls_needed")}/{a["lead_to_mql"]},"")',
                     row.leads_needed, "count")
        k = q.year * 4 + q.n - 1  # the quarter's index; created_in is lag quarters before
        book.formula(ws, r, col["created_in"],
                     f'=TEXT(INT(({k}-{scope.lag})/4),"0000")&"Q"&(MOD({k}-{scope.lag},4)+1)',
                     str(row.created_in), "quarter")
        runs = scope.runs.get(q)
        if runs and scope.program_mqls:
            pm = scope.program_mqls
            book.formula(ws, r, col["mqls_planned"],
                         f'=IF(SUMPRODUCT({runs}*({pm}=""))>0,"",SUMPRODUCT({runs},{pm}))', row.mqls_planned, "count")
            split = f",{scope.program_split}" if scope.program_split else ""  # a segment's part of each cost
            book.formula(ws, r, col["program_cost"], f"=SUMPRODUCT({runs},{scope.program_cost}{split})",
                         row.program_cost, "money")
        else:
            book.formula(ws, r, col["mqls_planned"], "=0", row.mqls_planned, "count")
            book.formula(ws, r, col["program_cost"], "=0", row.program_cost, "money")
        book.formula(ws, r, col["mqls_demanded"],
                     f'=IF({i + 1}+{scope.lag}>{n},"",IFERROR(INDEX({needed_range},{i + 1}+{scope.lag}),""))',
                     row.mqls_demanded, "count")
        book.formula(ws, r, col["capacity"], f"={scope.capacity[q]}", row.capacity, "money")
        budget = scope.budgets.get(q)
        if budget:
            book.formula(ws, r, col["budget"], f"={budget}", row.budget, "money")
    return first + n


def _total_block(book: _Book, ws: Worksheet, top: int, scope: Scope, segments: list[Scope]) -> int:
    """The company's rows of a plan with segments (docs/reference/plan-format.md, "Segments"):
    the stated target; counts and money summed over the segments (empty when one is); no
    "created in"; MQLs demanded the sum of the segments' demands that exist; the whole
    team's capacity, the programs' whole cost and the plan's budget."""
    f = book.fmt
    ws.set_row(top, 30)
    for k, (key, h) in enumerate(FUNNEL_COLUMNS):
        ws.write_string(top, k, h, f["head" if key in ("quarter", "created_in") else "head_r"])
    extra = len(FUNNEL_COLUMNS)
    ids: list[str] = []  # each other-pipeline item, in the order the engine sums them
    for sc in segments:
        ids += [o.id for o in sc.others if o.id not in ids]
    sourced = [sc for sc in segments if sc.others]
    if sourced:
        ws.write_string(top, extra, "Other pipeline cost", f["head_r"])
        for j, x in enumerate(ids):
            ws.write_string(top, extra + 1 + j, f"Opportunities from {x}", f["head_r"])
    first = top + 1
    scope.first_row = first
    col = {key: c for c, (key, _) in enumerate(FUNNEL_COLUMNS)}
    for i, (q, row) in enumerate(zip(scope.quarters, scope.rows)):
        r = first + i

        def seg_cells(c: int, among: list[Scope] = segments, i: int = i) -> list[str]:
            return [_cell(sc.first_row + i, c) for sc in among]

        ws.write_string(r, 0, str(q))
        book.formula(ws, r, col["target"], f"={scope.targets[q]}", row.target, "money")
        for key in ("deals", "opportunities", "other_opportunities", "sqls", "mqls_needed", "leads_needed",
                    "mqls_planned"):
            book.formula(ws, r, col[key], f'=IFERROR({"+".join(seg_cells(col[key]))},"")', getattr(row, key), "count")
        demanded = ",".join(seg_cells(col["mqls_demanded"]))
        book.formula(ws, r, col["mqls_demanded"], f'=IF(COUNT({demanded})=0,"",SUM({demanded}))', row.mqls_demanded,
                     "count")
        book.formula(ws, r, col["capacity"], f"={scope.capacity[q]}", row.capacity, "money")
        runs = scope.runs.get(q)
        book.formula(ws, r, col["program_cost"],
                     f"=SUMPRODUCT({runs},{scope.program_cost})" if runs and scope.program_cost else "=0",
                     row.program_cost, "money")
        book.formula(ws, r, col["budget"], f"={scope.budgets[q]}", row.budget, "money")
        if sourced:
            costs = "+".join(_cell(sc.first_row + i, extra) for sc in sourced)
            book.formula(ws, r, extra, f"={costs}", row.other_pipeline_cost, "money")
            by_source = row.other_by_source or {}
            for j, x in enumerate(ids):
                having = [_cell(sc.first_row + i, extra + 1 + [o.id for o in sc.others].index(x))
                          for sc in sourced if any(o.id == x for o in sc.others)]
                book.formula(ws, r, extra + 1 + j, f'=IFERROR({"+".join(having)},"")', by_source.get(x), "count")
    return first + len(scope.quarters)


def _mql_chart(book: _Book, ws: Worksheet, scope: Scope, top: int) -> None:
    """MQLs demanded (what later quarters' targets need created in this one) vs planned."""
    n = len(scope.quarters)
    if not n:
        return
    col = {key: c for c, (key, _) in enumerate(FUNNEL_COLUMNS)}
    first, last = scope.first_row, scope.first_row + n - 1
    chart = book.wb.add_chart({"type": "column"})
    cats = ["Funnel", first, 0, last, 0]
    chart.add_series({"name": "MQLs needed (demanded)", "categories": cats,
                      "values": ["Funnel", first, col["mqls_demanded"], last, col["mqls_demanded"]],
                      "fill": {"color": "#9AA9C2"}})
    chart.add_series({"name": "MQLs planned", "categories": cats,
                      "values": ["Funnel", first, col["mqls_planned"], last, col["mqls_planned"]],
                      "fill": {"color": "#1F4E9E"}})
    chart.set_title({"name": "MQLs needed vs planned, by the quarter they are created",
                     "name_font": {"size": 11, "bold": True}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 300})
    ws.insert_chart(top, 0, chart)


def _findings_sheet(book: _Book, findings: list[Finding]) -> None:
    ws, f = book.sheet("Findings"), book.fmt
    ws.write_string(0, 0, "What gtmplan check found (values, as of this render)", f["title"])
    head = ["Severity", "Code", "Rule", "Quarter", "Where", "Path", "Message"]
    for c, h in enumerate(head):
        ws.write_string(2, c, h, f["head"])
    ws.set_column(0, 3, 10)
    ws.set_column(2, 2, 22)
    ws.set_column(4, 5, 28)
    ws.set_column(6, 6, 100)
    if not findings:
        ws.write_string(3, 0, "no problems found", f["note"])
    for i, x in enumerate(findings):
        r, loc = 3 + i, x.location
        for c, v in enumerate((x.severity, x.code, x.name, str(x.quarter) if x.quarter else "",
                               f"{loc.file}:{loc.line}:{loc.column}", loc.path, x.message)):
            book.text(ws, r, c, v, wrap=c == 6)
    ws.freeze_panes(3, 0)


def _actuals_sheet(book: _Book, loaded: LoadedPlan, funnel: Funnel, scope: Scope, programs: dict) -> None:
    """For each recorded quarter (actuals/), the plan's leads, MQLs, won deals and bookings
    beside what happened, as render's "Plan vs actual" shows them; the plan's figures are
    formulas for the quarters of the horizon, empty before it."""
    ws, f = book.sheet("Plan vs actual"), book.fmt
    plan = loaded.plan
    book.text(ws, 0, 0, f"{plan.company}: plan vs actual, recorded quarters ({plan.currency})", fmt="title")
    ws.write_string(1, 0, "Actuals as recorded in actuals/ (gtmplan review --record); the plan's figures for "
                          "quarters before the horizon are empty.", f["note"])
    head = ["Quarter", "Recorded on", "Leads planned", "Leads actual", "MQLs planned", "MQLs actual",
            "Deals won planned", "Deals won actual", "Bookings planned", "Bookings actual"]
    for c, h in enumerate(head):
        ws.write_string(3, c, h, f["head_r" if c >= 1 else "head"])
    ws.set_column(0, 9, 13)
    col = {key: c for c, (key, _) in enumerate(FUNNEL_COLUMNS)}
    l2m = funnel.assumptions["lead_to_mql"].value
    progs = plan.marketing.programs
    for i, rq in enumerate(loaded.actuals.quarters if loaded.actuals else []):
        r, q, a = 4 + i, rq.quarter, rq.actuals.metrics
        ws.write_string(r, 0, str(q))
        if rq.actuals.recorded_on:
            day = rq.actuals.recorded_on
            ws.write_datetime(r, 1, dt.datetime(day.year, day.month, day.day), f["day"])
        row = funnel.row(q)
        for c, key in ((3, "leads"), (5, "mqls"), (7, "won"), (9, "bookings")):
            x = getattr(a, key)
            if x is not None:
                ws.write_number(r, c, float(x), f["money" if key == "bookings" else "count"])
        if row is None:
            continue
        fr = scope.first_row + (q - scope.quarters[0])
        runs = scope.runs.get(q)
        if runs and programs.get("leads"):
            running = [program_leads(progs[j], l2m) for j in (funnel.by_quarter[q].programs
                                                              if q in funnel.by_quarter else [])]
            value = None if any(x is None for x in running) else sum(x for x in running if x is not None)
            pl = programs["leads"]
            book.formula(ws, r, 2, f'=IF(SUMPRODUCT({runs}*({pl}=""))>0,"",SUMPRODUCT({runs},{pl}))', value, "count")
        else:
            book.formula(ws, r, 2, "=0", 0.0, "count")
        book.formula(ws, r, 4, f"=Funnel!{_cell(fr, col['mqls_planned'], True)}", row.mqls_planned, "count")
        book.formula(ws, r, 6, f"=Funnel!{_cell(fr, col['deals'], True)}", row.deals, "count")
        book.formula(ws, r, 8, f"=Funnel!{_cell(fr, col['target'], True)}", row.target, "money")
    ws.freeze_panes(4, 1)


def _forecast_sheet(book: _Book, loaded: LoadedPlan) -> None:
    """``gtmplan forecast`` as values (cli.md 0.3: the chance of making the plan, when the plan
    has recorded actuals or a ``forecast:`` section): a simulation, so it does not follow
    changes made in the workbook; run ``gtmplan forecast`` again for that."""
    from gtmplan.errors import InputError
    from gtmplan.output import forecast_words as words

    ws, f = book.sheet("Forecast"), book.fmt
    plan = loaded.plan
    book.text(ws, 0, 0, f"{plan.company}: chance of making the plan ({plan.currency})", fmt="title")
    try:
        result = words.simulate(loaded)
    except InputError as e:  # a funnel that cannot be simulated: said here, not a failed render
        book.text(ws, 2, 0, "No forecast: " + "; ".join(p.message for p in e.problems), wrap=True)
        ws.set_column(0, 0, 100)
        return
    d = result.as_dict()
    ws.write_string(1, 0, f"Values from gtmplan forecast ({d['runs']:,} simulated runs, seed {d['seed']}): they do "
                          "not follow changes made in this workbook; run gtmplan forecast again.", f["note"])
    head = ["Quarter", "Target", "Chance of reaching it", "Bookings 10th percentile", "Median", "90th percentile"]
    ws.set_row(3, 30)
    for c, h in enumerate(head):
        ws.write_string(3, c, h, f["head_r" if c else "head"])
    ws.set_column(0, 0, 22)
    ws.set_column(1, 5, 14)
    h = d["horizon"]
    rows = [*d["quarters"], {**h, "quarter": "Whole plan"}]
    for i, r in enumerate(rows):
        ws.write_string(4 + i, 0, r["quarter"])
        for c, key, style in ((1, "target", "money"), (2, "p_target", "pct1"), (3, "p10", "money"),
                              (4, "median", "money"), (5, "p90", "money")):
            if r.get(key) is not None:
                ws.write_number(4 + i, c, float(r[key]), f[style])
    r = 4 + len(rows) + 1
    for line in [*words.driver_lines(result), *words.notes(result, plan.currency)]:
        book.text(ws, r, 0, line)
        r += 1
