"""``gtmplan funnel`` output: a table for people, JSON and CSV with exact numbers."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .fmt import count, money, plural
from .funnel import Funnel

if TYPE_CHECKING:
    from .model import Plan

COLUMNS = ("quarter", "target", "deals", "opportunities", "other_opportunities", "sqls", "mqls_needed", "leads_needed",
           "created_in", "mqls_planned", "mqls_demanded", "capacity", "program_cost", "budget")


def render_json(f: Funnel) -> str:
    return json.dumps(f.as_dict(), indent=2) + "\n"


def render_csv(f: Funnel) -> str:
    from .csvout import write_rows

    return write_rows([COLUMNS, *([row.as_dict()[c] for c in COLUMNS] for row in f.rows)])


def _other(plan, row) -> str:
    """Other sources' opportunities as render shows them: the total less marketing's part rounded up."""
    from .funnel import shown_opportunity_sources

    shown = shown_opportunity_sources(plan, row)
    return "–" if shown is None else f"{sum(shown[1:]):,}"


def render_table(f: Funnel, plan, color: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table

    cur = f.currency
    from rich.markup import escape

    from .fmt import printable

    # the company name is the plan's text: no terminal control characters, no rich markup
    t = Table(title=escape(printable(f"{plan.company}: demand waterfall and capacity ({cur})")), title_justify="left")
    other = any(r.other_opportunities for r in f.rows)  # the column only when sales.other_pipeline is used
    for name in ("Quarter", "Target", "Deals", "Opps", *(("Other opps",) if other else ()), "SQLs", "MQLs needed", "Leads needed",
                 "MQLs created in", "MQLs planned", "MQLs demanded", "Capacity", "Program cost", "Budget"):
        t.add_column(name, justify="left" if name in ("Quarter", "MQLs created in") else "right",
                     overflow="fold")  # a figure folds when the table is too wide, never cut to "…"
    for r in f.rows:
        short = r.mqls_planned is not None and r.mqls_demanded is not None and r.mqls_planned < r.mqls_demanded
        planned = count(r.mqls_planned)
        t.add_row(str(r.quarter), money(r.target, cur), count(r.deals), count(r.opportunities),
                  *((_other(plan, r),) if other else ()), count(r.sqls),
                  count(r.mqls_needed), count(r.leads_needed), str(r.created_in),
                  f"[red]{planned}[/red]" if short else planned, count(r.mqls_demanded),
                  f"[red]{money(r.capacity, cur)}[/red]" if r.capacity < r.target else money(r.capacity, cur),
                  f"[red]{money(r.program_cost, cur)}[/red]" if r.program_cost > r.budget else money(r.program_cost, cur),
                  money(r.budget, cur))
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=200, highlight=False)
    console.print(t)
    lag = f.lag
    note = (f"Sales cycle lag: {plural(lag, 'quarter')} (MQLs for a quarter's deals are created "
            f"{plural(lag, 'quarter')} earlier). Counts are rounded up; "
            "'gtmplan funnel --format json' has the exact values.")
    console.print(note)
    return buf.getvalue()


# -- the formats of `gtmplan funnel`, chosen like check's reporters --------------------------

@dataclass
class FunnelReport:
    plan: Plan
    funnel: Funnel


class TableReporter:
    def __init__(self, color: bool = False):
        self.color = color

    def render(self, result: FunnelReport) -> str:
        return render_table(result.funnel, result.plan, color=self.color)


class JsonReporter:
    def __init__(self, color: bool = False):
        pass

    def render(self, result: FunnelReport) -> str:
        return render_json(result.funnel)


class CsvReporter:
    def __init__(self, color: bool = False):
        pass

    def render(self, result: FunnelReport) -> str:
        return render_csv(result.funnel)


REPORTERS = {
    "table": ("gtmplan.funnel_report", "TableReporter"),
    "json": ("gtmplan.funnel_report", "JsonReporter"),
    "csv": ("gtmplan.funnel_report", "CsvReporter"),
}
