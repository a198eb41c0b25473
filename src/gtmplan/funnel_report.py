"""``gtmplan funnel`` output: a table for people, JSON and CSV with exact numbers."""

from __future__ import annotations

import io
import json

from .fmt import count, money
from .funnel import Funnel

COLUMNS = ("quarter", "target", "deals", "opportunities", "sqls", "mqls_needed", "leads_needed",
           "created_in", "mqls_planned", "mqls_demanded", "capacity", "program_cost", "budget")


def render_json(f: Funnel) -> str:
    return json.dumps(f.as_dict(), indent=2) + "\n"


def render_csv(f: Funnel) -> str:
    from .csvout import write_rows

    return write_rows([COLUMNS, *([row.as_dict()[c] for c in COLUMNS] for row in f.rows)])


def render_table(f: Funnel, plan, color: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table

    cur = f.currency
    from rich.markup import escape

    from .fmt import printable

    # the company name is the plan's text: no terminal control characters, no rich markup
    t = Table(title=escape(printable(f"{plan.company}: demand waterfall and capacity ({cur})")), title_justify="left")
    for name in ("Quarter", "Target", "Deals", "Opps", "SQLs", "MQLs needed", "Leads needed",
                 "MQLs created in", "MQLs planned", "MQLs demanded", "Capacity", "Program cost", "Budget"):
        t.add_column(name, justify="left" if name in ("Quarter", "MQLs created in") else "right")
    for r in f.rows:
        short = r.mqls_planned is not None and r.mqls_demanded is not None and r.mqls_planned < r.mqls_demanded
        planned = count(r.mqls_planned)
        t.add_row(str(r.quarter), money(r.target, cur), count(r.deals), count(r.opportunities), count(r.sqls),
                  count(r.mqls_needed), count(r.leads_needed), str(r.created_in),
                  f"[red]{planned}[/red]" if short else planned, count(r.mqls_demanded),
                  f"[red]{money(r.capacity, cur)}[/red]" if r.capacity < r.target else money(r.capacity, cur),
                  f"[red]{money(r.program_cost, cur)}[/red]" if r.program_cost > r.budget else money(r.program_cost, cur),
                  money(r.budget, cur))
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=200, highlight=False)
    console.print(t)
    lag = f.lag
    note = (f"Sales cycle lag: {lag} quarter{'s' if lag != 1 else ''} (MQLs for a quarter's deals are created "
            f"{lag} quarter{'s' if lag != 1 else ''} earlier). Counts are rounded up; "
            "'gtmplan funnel --format json' has the exact values.")
    console.print(note)
    return buf.getvalue()
