"""The review's outputs: rich tables for people, Markdown, self-contained HTML, JSON."""

from __future__ import annotations

import io
import json
from typing import Optional

from .. import fmt, term

LABELS = {"leads": "New leads", "mqls": "MQLs", "sqls": "SQLs", "opportunities": "Opportunities",
          "won": "Deals won", "bookings": "Bookings", "win_rate": "Win rate",
          "average_deal_size": "Average deal size", "days_to_close": "Days to close"}
HIGHER_IS_WORSE = {"days_to_close"}


def render_json(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def _value(key: str, x: Optional[float], cur: str) -> str:
    if x is None:
        return "–"
    if key in ("bookings", "average_deal_size"):
        return fmt.money(x, cur)
    if key == "win_rate":
        return fmt.pct(x, 1)
    if key == "days_to_close":
        return f"{x:g} days"
    return fmt.count(x) if not float(x).is_integer() else f"{int(x):,}"


def view(loaded, result: dict) -> dict:
    plan = loaded.plan
    cur = plan.currency
    tol = plan.check.tolerance
    from ..quarters import Quarter
    from ..fmt import day

    q = Quarter.parse(result["quarter"])
    fy = plan.calendar
    metrics = []
    for key, m in result["metrics"].items():
        p, a = m["plan"], m["actual"]
        variance, bad = "–", False
        if p and a is not None:
            v = (a - p) / p
            variance = f"{v * 100:+.0f}%"
            bad = v > tol if key in HIGHER_IS_WORSE else v < -tol
        metrics.append({"label": LABELS[key], "plan": _value(key, p, cur), "actual": _value(key, a, cur),
                        "variance": variance, "bad": bad})
    rates = [{"key": k, "actual": fmt.pct(r["actual"], 1), "sales": fmt.pct(r["sales"], 1),
              "marketing": fmt.pct(r["marketing"], 1), "closer": r["closer"] or "–"}
             for k, r in result["rates"].items()]
    sources = [{"source": s["source"], "leads": _n(s["leads"]), "mqls": _n(s["mqls"]), "won": _n(s["won"]),
                "bookings": "–" if s["bookings"] is None else fmt.money(s["bookings"], cur)}
               for s in result["sources"]]
    programs = [{"id": p["id"], "name": p["name"], "channel": p["channel"], "leads": _n(p["leads"]),
                 "expected": fmt.count(p["expected_leads"]), "cost": fmt.money(p["cost"], cur),
                 "cpl": fmt.money(p["cost_per_lead"], cur) if p["cost_per_lead"] is not None else "–",
                 "weak": p["leads"] == 0 or (p["leads"] is not None and p["expected_leads"] is not None
                                             and p["leads"] < p["expected_leads"] * (1 - tol))}
                for p in result["programs"]]
    return {
        "title": f"{plan.company}: {q} go-to-market review",
        "period": f"Fiscal {q}: {day(q.first_day(fy))} to {day(q.last_day(fy))}",
        "metrics": metrics, "rates": rates, "sources": sources, "programs": programs,
        "loss_reasons": result["loss_reasons"], "bad_rows": result["bad_rows"],
        "bad_rows_total": result["bad_rows_total"],
        "bad_rows_more": result["bad_rows_total"] - len(result["bad_rows"]),
        "notes": result["notes"], "suggestions": result["suggestions"],
    }


def _printable(node):
    """CRM text (sources, loss reasons) may hold control characters: escape them for a terminal."""
    if isinstance(node, str):
        return fmt.printable(node)
    if isinstance(node, dict):
        return {k: _printable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_printable(v) for v in node]
    return node


def _n(x) -> str:
    return "–" if x is None else f"{x:,}"


def render_document(loaded, result: dict, kind: str, templates: Optional[str] = None) -> str:
    from ..render.templating import render_template

    return render_template(f"review.{kind}.j2", view(loaded, result), templates)


def render_text(loaded, result: dict, color: bool) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    v = _printable(view(loaded, result))
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, no_color=not color, width=term.width(), highlight=False)
    con.print(f"[bold]{escape(v['title'])}[/bold]  ({v['period']})")

    t = Table(title="Plan vs actual", title_justify="left")
    for name in ("Figure", "Plan", "Actual", "Variance"):
        t.add_column(name, justify="left" if name == "Figure" else "right")
    for m in v["metrics"]:
        style = "red" if m["bad"] else ""
        t.add_row(m["label"], m["plan"], m["actual"], f"[{style}]{m['variance']}[/{style}]" if style else m["variance"])
    con.print(t)

    t = Table(title="Conversion rates on the quarter's cohort", title_justify="left")
    for name in ("Rate", "Actual", "Sales assumes", "Marketing assumes", "Closer"):
        t.add_column(name, justify="left" if name in ("Rate", "Closer") else "right")
    for r in v["rates"]:
        t.add_row(r["key"], r["actual"], r["sales"], r["marketing"], r["closer"])
    con.print(t)

    if v["sources"]:
        t = Table(title="By source", title_justify="left")
        for name in ("Source", "Leads", "MQLs", "Won", "Bookings"):
            t.add_column(name, justify="left" if name == "Source" else "right")
        for s in v["sources"]:
            t.add_row(escape(s["source"]), s["leads"], s["mqls"], s["won"], s["bookings"])
        con.print(t)
    if v["programs"]:
        t = Table(title="Programs, weakest first", title_justify="left")
        for name in ("Program", "Channel", "Leads", "Forecast", "Cost", "Cost per lead"):
            t.add_column(name, justify="left" if name in ("Program", "Channel") else "right")
        for p in v["programs"]:
            leads = f"[red]{p['leads']}[/red]" if p["weak"] else p["leads"]
            t.add_row(p["id"], escape(p["channel"]), leads, p["expected"], p["cost"], p["cpl"])
        con.print(t)
    if v["loss_reasons"]:
        t = Table(title="Loss reasons", title_justify="left")
        t.add_column("Reason")
        t.add_column("Deals lost", justify="right")
        for r in v["loss_reasons"]:
            t.add_row(escape(r["reason"]), str(r["count"]))
        con.print(t)
    if v["bad_rows"]:
        con.print(f"[bold]Rows left out[/bold] ({v['bad_rows_total']:,}):")
        for b in v["bad_rows"][:50]:
            con.print(f"  {b['file']} row {b['row']}: {b['error']}", markup=False)
        if v["bad_rows_total"] > 50:
            con.print(f"  ... and {v['bad_rows_total'] - 50:,} more (--format json lists up to 1,000)")
    for n in v["notes"]:
        con.print(f"Note: {n}", markup=False)
    if v["suggestions"]:
        con.print("[bold]Suggestions[/bold]")
        for s in v["suggestions"]:
            con.print(f"  - {s}", markup=False)
    return buf.getvalue()
