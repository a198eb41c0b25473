"""``gtmplan funnel`` output: tables for people, JSON and CSV with exact numbers.

The table for people comes in three parts, each read along its rows: the
waterfall by target quarter (what each quarter's target needs), the MQLs by the
quarter they are created in (needed vs planned: the comparison A102 makes), and
capacity and spend by quarter. Each has a one-line legend and fits the terminal.
"""

from __future__ import annotations

import io
import json

from .fmt import count, money, pct, plural, printable, shortfall
from .funnel import Funnel

COLUMNS = ("quarter", "target", "deals", "opportunities", "sqls", "mqls_needed", "leads_needed",
           "created_in", "mqls_planned", "mqls_demanded", "capacity", "program_cost", "budget")


def render_json(f: Funnel) -> str:
    return json.dumps(f.as_dict(), indent=2) + "\n"


def render_csv(f: Funnel) -> str:
    from .csvout import write_rows

    return write_rows([COLUMNS, *([row.as_dict()[c] for c in COLUMNS] for row in f.rows)])


def render_table(f: Funnel, plan, color: bool = False, width: int | None = None) -> str:
    from rich.console import Console
    from rich.table import Table

    from . import term

    cur = f.currency
    width = width or term.width()
    red = (lambda text: f"[red]{text}[/red]") if color else (lambda text: text)  # noqa: E731
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    lag = f.lag
    lag_text = f"{plural(lag, 'quarter')} earlier" if lag else "in the same quarter"
    console.print(f"[bold]{_markup(plan.company)}: demand waterfall and capacity ({cur})[/bold]")

    # 1. by target quarter
    other = any(getattr(r, "other_opportunities", None) is not None for r in f.rows)
    t = Table(title="By target quarter", title_justify="left")
    heads = ["Quarter", "Target", "Deals", "Opps", *(["Other opps"] if other else []), "SQLs",
             "MQLs needed", "Leads needed", "MQLs created in"]
    for name in heads:
        t.add_column(name, justify="left" if name in ("Quarter", "MQLs created in") else "right")
    for r in f.rows:
        extra = [count(getattr(r, "other_opportunities", None))] if other else []
        t.add_row(str(r.quarter), money(r.target, cur), count(r.deals), count(r.opportunities), *extra,
                  count(r.sqls), count(r.mqls_needed), count(r.leads_needed), str(r.created_in))
    console.print(t)
    console.print(f"Each quarter's bookings target worked back to the MQLs and leads it needs, which must be "
                  f"created {lag_text} (the sales cycle).")
    console.print()

    # 2. by the quarter the MQLs are created
    t = Table(title="MQLs needed vs planned, by the quarter they are created", title_justify="left")
    for name in ("Created in", "For target", "MQLs demanded", "MQLs planned", "Gap"):
        t.add_column(name, justify="left" if name in ("Created in", "For target", "Gap") else "right")
    for r in f.rows:
        status, short = shortfall(r.mqls_planned, r.mqls_demanded)
        demanded_by = str(r.quarter + lag) if r.mqls_demanded is not None else "past the plan"
        t.add_row(str(r.quarter), demanded_by, count(r.mqls_demanded),
                  red(count(r.mqls_planned)) if short else count(r.mqls_planned),
                  red(status) if short else status)
    console.print(t)
    console.print("MQLs demanded: what the target quarter's deals need created in this quarter; MQLs planned: "
                  "what marketing's programs running in it bring.")
    console.print()

    # 3. capacity and spend, by quarter
    t = Table(title="Capacity and spend", title_justify="left")
    for name in ("Quarter", "Target", "Capacity", "Coverage", "Program cost", "Budget"):
        t.add_column(name, justify="left" if name == "Quarter" else "right")
    for r in f.rows:
        coverage = pct(r.capacity / r.target) if r.target else "–"
        t.add_row(str(r.quarter), money(r.target, cur),
                  red(money(r.capacity, cur)) if r.capacity < r.target else money(r.capacity, cur),
                  red(coverage) if r.capacity < r.target else coverage,
                  red(money(r.program_cost, cur)) if r.program_cost > r.budget else money(r.program_cost, cur),
                  money(r.budget, cur))
    console.print(t)
    console.print("Capacity: what the ramped sales team can close at the expected attainment. Counts are "
                  "rounded up; 'gtmplan funnel --format json' has the exact values.")
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def _markup(text: str) -> str:
    from rich.markup import escape

    return escape(printable(text))
