"""``gtmplan funnel`` output: tables for people, JSON and CSV with exact numbers.

The table for people comes in three parts, each read along its rows: the
waterfall by target quarter (what each quarter's target needs), the MQLs by the
quarter they are created in (needed vs planned: the comparison A102 makes), and
capacity and spend by quarter. Each has a one-line legend and fits the terminal.

With ``sales.segments`` there is one such block per segment (its own lag, its own
sellers' capacity, its programs' cost x split), then the company's total (the sums;
counts rounded up from the exact sums). ``--segment ID`` keeps only those segments'
blocks and rows (no company rows).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from gtmplan.engine.funnel import Funnel
from gtmplan.errors import InputError
from gtmplan.output.fmt import count, money, pct, plural, printable, shortfall

if TYPE_CHECKING:
    from rich.console import Console

    from gtmplan.engine.funnel import FunnelRow
    from gtmplan.plan.model import Plan

# Deferred imports: rich (about 30 ms) and the CSV writer only for the output format that needs them; funnel's JSON never pays them.

COLUMNS = ("quarter", "target", "deals", "opportunities", "other_opportunities", "sqls", "mqls_needed", "leads_needed",
           "created_in", "mqls_planned", "mqls_demanded", "capacity", "program_cost", "budget")


def select_segments(f: Funnel, only: Optional[list[str]]) -> Optional[list[str]]:
    """The segment ids ``--segment`` asks for (in the order given, once each); None without
    the flag. A plan without segments, or an id the plan does not list, is a bad flag."""
    if not only:
        return None
    if not f.segments:
        raise InputError.single(None, f"--segment {only[0]}: the plan has no sales.segments, so it has one funnel "
                                      "(drop --segment)")
    known = ", ".join(f.segments)
    bad = [s for s in dict.fromkeys(only) if s not in f.segments]
    if bad:
        raise InputError.single(None, f"--segment {bad[0]}: not a segment of the plan (sales.segments: {known})")
    return list(dict.fromkeys(only))


def _rows(f: Funnel, only: Optional[list[str]]) -> list[FunnelRow]:
    if only is None:
        return f.all_rows()
    return [r for s in only for r in f.segments[s].rows]


def render_json(f: Funnel, only: Optional[list[str]] = None) -> str:
    doc = f.as_dict()
    if only is not None:
        doc["lags"] = {k: v for k, v in doc["lags"].items() if k in only}
        doc["quarters"] = [r.as_dict() for r in _rows(f, only)]
    return json.dumps(doc, indent=2) + "\n"


def render_csv(f: Funnel, only: Optional[list[str]] = None) -> str:
    from gtmplan.output.csvout import write_rows

    cols = ("segment", *COLUMNS) if f.segments else COLUMNS  # a plan without segments: as in 0.2
    return write_rows([cols, *([row.as_dict()[c] for c in cols] for row in _rows(f, only))])


def _other(plan: Plan, row: FunnelRow, company_of_segments: bool = False) -> str:
    """Other sources' opportunities as render shows them (its "Pipeline by source"): the
    whole opportunities by source of the row's scope (a segment's own items, or those it
    inherits; a segmented plan's company row: every segment's items), marketing's part
    rounded up and the rest to the other sources."""
    from gtmplan.engine.pipeline import scope_items, shown_opportunity_sources

    items = scope_items(plan, row.segment, company_of_segments=company_of_segments)
    shown = shown_opportunity_sources(plan, row, items)
    return "–" if shown is None else f"{sum(shown[1:]):,}"


def _other_where(plan: Plan, seg: Optional[str]) -> str:
    """Where a block's other pipeline is stated: a segment's own list, else the company's."""
    own = next((s for s in plan.sales.segments or [] if s.id == seg), None) if seg is not None else None
    if own is not None and own.other_pipeline is not None:
        return _markup(f"sales.segments[{seg}].other_pipeline")
    return "sales.other_pipeline"


def factor_text(x: float) -> str:
    """An attrition factor as people read it: 0.95, 0.9625 (at most four decimals)."""
    return f"{round(x, 4):g}"


def attrition_text(plan: Plan, factors: list[float] | None) -> str:
    """The attrition factor capacity used (sales.attrition), in words; '' without one."""
    a = plan.sales.attrition
    if a is None or factors is None:
        return ""
    why = (f"{pct(a.annual_rate)} of sellers leave a year and a seat stays empty {a.backfill_months:g} "
           f"{'month' if a.backfill_months == 1 else 'months'}, plus the new seller's ramp")
    shown = sorted({factor_text(x) for x in factors})
    if len(shown) <= 1:
        return f"Capacity is multiplied by an attrition factor of {shown[0] if shown else '1'} ({why})."
    per_row = ", ".join(f"{printable(t.role)} {factor_text(x)}" for t, x in zip(plan.sales.team, factors))
    return f"Capacity is multiplied by attrition factors of {per_row} ({why})."


def render_table(f: Funnel, plan: Plan, color: bool = False, width: int | None = None,
                 only: Optional[list[str]] = None) -> str:
    from rich.console import Console

    from gtmplan.output import term

    width = width or term.width() or term.DEFAULT
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    if not f.segments:
        _block(console, f, plan, color, width)
    else:
        shown = list(f.segments) if only is None else only
        for i, sid in enumerate(shown):
            if i:
                console.print()
            _block(console, f.segments[sid], plan, color, width)
        if only is None:
            console.print()
            _company_block(console, f, plan, color, width)
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


Cells = list[tuple[str, list[str]]]  # a table's columns: (heading, the cell of each row)
Paint = Callable[[str], str]  # red for a figure short of what it should be (plain without colour)


def _painter(color: bool) -> Paint:
    return (lambda text: f"[red]{text}[/red]") if color else (lambda text: text)


def _block(console: Console, f: Funnel, plan: Plan, color: bool, width: int) -> None:
    """One funnel's three tables: the company's of a plan without segments, or one segment's."""
    red = _painter(color)
    seg = f.segment
    where = "" if seg is None else f", segment {_markup(seg)}"
    console.print(f"[bold]{_markup(plan.company)}{where}: demand waterfall and capacity ({f.currency})[/bold]")
    _by_target_quarter(console, f, plan, width)
    _by_created_quarter(console, f, red, width)
    if seg is not None:  # 3. capacity and spend, by quarter
        _segment_capacity(console, f, plan, red, width)
    else:
        _company_capacity(console, f, plan, red, width)


def _waterfall_cols(f: Funnel, plan: Plan, company_of_segments: bool = False) -> tuple[Cells, bool]:
    """The waterfall's columns by target quarter, and whether "Other opps" is one of them (only
    when sales.other_pipeline is used)."""
    cur = f.currency
    other = any(r.other_opportunities for r in f.rows)
    cols = [("Quarter", [str(r.quarter) for r in f.rows]),
            ("Target", [money(r.target, cur) for r in f.rows]),
            ("Deals", [count(r.deals) for r in f.rows]),
            ("Opps", [count(r.opportunities) for r in f.rows]),
            *([("Other opps", [_other(plan, r, company_of_segments=company_of_segments) for r in f.rows])]
              if other else []),
            ("SQLs", [count(r.sqls) for r in f.rows]),
            ("MQLs needed", [count(r.mqls_needed) for r in f.rows]),
            ("Leads needed", [count(r.leads_needed) for r in f.rows])]
    return cols, other


def _by_target_quarter(console: Console, f: Funnel, plan: Plan, width: int) -> None:
    """1. Each target quarter worked back to the MQLs and leads it needs, and when they are created."""
    lag = f.lag if f.lag is not None else 0  # a block's funnel always has its lag
    lag_text = f"{plural(lag, 'quarter')} earlier" if lag else "in the same quarter"
    cols, other = _waterfall_cols(f, plan)
    cols.append(("MQLs created in", [str(r.created_in) for r in f.rows]))
    _print_tables(console, "By target quarter", cols, {"Quarter", "MQLs created in"}, width)
    console.print(f"Each quarter's bookings target worked back to the MQLs and leads it needs, which must be "
                  f"created {lag_text} (the sales cycle)."
                  + (f" Other opps: what sales sources itself ({_other_where(plan, f.segment)}); MQLs bring the rest."
                     if other else ""))
    console.print()


def _by_created_quarter(console: Console, f: Funnel, red: Paint, width: int) -> None:
    """2. The MQLs demanded against those planned, by the quarter they are created in."""
    lag = f.lag if f.lag is not None else 0
    gaps = [shortfall(r.mqls_planned, r.mqls_demanded) for r in f.rows]
    cols = [("Created in", [str(r.quarter) for r in f.rows]),
            ("For target", [str(r.quarter + lag) if r.mqls_demanded is not None else "past the plan"
                            for r in f.rows]),
            ("MQLs demanded", [count(r.mqls_demanded) for r in f.rows]),
            ("MQLs planned", [red(count(r.mqls_planned)) if short else count(r.mqls_planned)
                              for r, (_, short) in zip(f.rows, gaps)]),
            ("Gap", [red(status) if short else status for status, short in gaps])]
    _print_tables(console, "MQLs needed vs planned, by the quarter they are created", cols,
                  {"Created in", "For target", "Gap"}, width)
    console.print("MQLs demanded: what the target quarter's deals need created in this quarter; MQLs planned: "
                  "what marketing's programs running in it bring.")
    console.print()


def _other_cost_cols(f: Funnel) -> Cells:
    """"Other pipeline cost", only when an other_pipeline item states a cost."""
    if not any(r.other_pipeline_cost for r in f.rows):
        return []
    return [("Other pipeline cost", [money(r.other_pipeline_cost or 0.0, f.currency) for r in f.rows])]


def _capacity_cols(f: Funnel, red: Paint) -> Cells:
    """The company's capacity and spend by quarter (the whole team's capacity, the plan's budget):
    red where capacity is short of the target or program cost over the budget."""
    cur = f.currency
    under = [r.capacity < r.target for r in f.rows]
    return [("Quarter", [str(r.quarter) for r in f.rows]),
            ("Target", [money(r.target, cur) for r in f.rows]),
            ("Capacity", [red(money(r.capacity, cur)) if u else money(r.capacity, cur)
                          for r, u in zip(f.rows, under)]),
            ("Coverage", [(red if u else str)(pct(r.capacity / r.target) if r.target else "–")
                          for r, u in zip(f.rows, under)]),
            ("Program cost", [red(money(r.program_cost, cur)) if r.budget is not None and r.program_cost > r.budget
                              else money(r.program_cost, cur) for r in f.rows]),
            ("Budget", [money(r.budget, cur) for r in f.rows]),
            *_other_cost_cols(f)]


def _company_capacity(console: Console, f: Funnel, plan: Plan, red: Paint, width: int) -> None:
    """3. Capacity and spend of a plan without segments."""
    _print_tables(console, "Capacity and spend", _capacity_cols(f, red), {"Quarter"}, width)
    attrition = attrition_text(plan, f.attrition_factors)
    console.print("Capacity: what the ramped sales team can close at the expected attainment."
                  + (f" {attrition}" if attrition else "")
                  + (" Other pipeline cost: what sales.other_pipeline's motions cost (not marketing's budget)."
                     if _other_cost_cols(f) else "")
                  + " Counts are rounded up; 'gtmplan funnel --format json' has the exact values.")


def _segment_capacity(console: Console, f: Funnel, plan: Plan, red: Paint, width: int) -> None:
    cur, seg = f.currency, f.segment or ""
    own = any(r.segment == seg for r in plan.sales.team)
    under = [own and r.capacity < r.target for r in f.rows]
    cols = [("Quarter", [str(r.quarter) for r in f.rows]),
            ("Target", [money(r.target, cur) for r in f.rows]),
            *([("Own sellers' capacity", [red(money(r.capacity, cur)) if u else money(r.capacity, cur)
                                          for r, u in zip(f.rows, under)]),
               ("Coverage", [(red if u else str)(pct(r.capacity / r.target) if r.target else "–")
                             for r, u in zip(f.rows, under)])] if own else []),
            ("Program cost", [money(r.program_cost, cur) for r in f.rows]),
            *_other_cost_cols(f)]
    _print_tables(console, "Capacity and spend", cols, {"Quarter"}, width)
    sellers = (f"Own sellers' capacity: what the team rows with segment: {_markup(seg)} can close at the expected "
               "attainment; shared sellers (rows without segment:) are in the company total."
               if own else f"No team row has segment: {_markup(seg)}: the shared sellers carry it (see the company "
                           "total).")
    console.print(f"{sellers} Program cost: its programs' cost x their split to {_markup(seg)}."
                  + (f" Other pipeline cost: what {_markup(seg)}'s other_pipeline motions cost (not marketing's "
                     "budget)." if _other_cost_cols(f) else "")
                  + " Counts are rounded up; 'gtmplan funnel --format json' has the exact values.")


def _company_block(console: Console, f: Funnel, plan: Plan, color: bool, width: int) -> None:
    """The company's total of a segmented plan: the sums of the segments' counts and money
    (each count rounded up from the exact sum), the whole team's capacity, the plan's budget."""
    ids = ", ".join(f.segments)
    console.print(f"[bold]{_markup(plan.company)}, company total ({_markup(ids)}): demand waterfall and capacity "
                  f"({f.currency})[/bold]")
    cols, _ = _waterfall_cols(f, plan, company_of_segments=True)
    _print_tables(console, "By target quarter", cols, {"Quarter"}, width)
    console.print("The sums of the segments' waterfalls; each segment's MQLs are created by its own sales cycle "
                  "(see its block).")
    console.print()
    cols = [("Created in", [str(r.quarter) for r in f.rows]),
            ("MQLs demanded", [count(r.mqls_demanded) for r in f.rows]),
            ("MQLs planned", [count(r.mqls_planned) for r in f.rows])]
    _print_tables(console, "MQLs needed vs planned, by the quarter they are created", cols, {"Created in"}, width)
    console.print("The sums of the segments' figures. A surplus in one segment never covers a shortfall in "
                  "another: each segment's gap is in its own block.")
    console.print()
    _print_tables(console, "Capacity and spend", _capacity_cols(f, _painter(color)), {"Quarter"}, width)
    console.print("Capacity: what the whole ramped sales team (every row) can close at the expected attainment."
                  + (" Other pipeline cost: the sum of the segments' other_pipeline motions' cost (not marketing's "
                     "budget)." if _other_cost_cols(f) else "")
                  + " Counts are rounded up from the exact sums; 'gtmplan funnel --format json' has the exact values.")


def _print_tables(console: Console, title: str, cols: list[tuple[str, list[str]]], left: set[str], width: int) -> None:
    """One table of figures (columns named in ``left`` are the quarters and statuses, read
    from the left): split into parts, or key: value lines, to fit (output/tables.py)."""
    from gtmplan.output.tables import NAME, NUMBER, Column, rich_split_tables

    columns = [Column(name, NAME if name in left else NUMBER) for name, _ in cols]
    rich_split_tables(console, columns, [list(row) for row in zip(*(cells for _, cells in cols))], width, title)


def _markup(text: str) -> str:
    from rich.markup import escape

    return escape(printable(text))


# -- the formats of `gtmplan funnel`, chosen like check's reporters --------------------------

@dataclass
class FunnelReport:
    plan: Plan
    funnel: Funnel
    only: Optional[list[str]] = field(default=None)  # --segment: only these segments' rows


class TableReporter:
    def __init__(self, color: bool = False) -> None:
        self.color = color

    def render(self, result: FunnelReport) -> str:
        return render_table(result.funnel, result.plan, color=self.color, only=result.only)


class JsonReporter:
    def __init__(self, color: bool = False) -> None:
        pass

    def render(self, result: FunnelReport) -> str:
        return render_json(result.funnel, result.only)


class CsvReporter:
    def __init__(self, color: bool = False) -> None:
        pass

    def render(self, result: FunnelReport) -> str:
        return render_csv(result.funnel, result.only)


REPORTERS = {
    "table": ("gtmplan.output.funnel_report", "TableReporter"),
    "json": ("gtmplan.output.funnel_report", "JsonReporter"),
    "csv": ("gtmplan.output.funnel_report", "CsvReporter"),
}
