"""The review's outputs: rich tables for people, Markdown, self-contained HTML, JSON.

One table, ``REPORTERS``, maps a format name to a reporter class (like ``check``'s
reporters): each takes the loaded plan and the typed :class:`ReviewResult` and
returns the document as text. Every text from a CRM export (sources, loss
reasons, errors, notes) has its control characters escaped before any format
lays it out; JSON escapes them itself.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Optional, Protocol

from gtmplan.commands.review.figures import OTHER_SOURCES
from gtmplan.commands.review.result import ReviewResult
from gtmplan.output import fmt, term

if TYPE_CHECKING:
    from rich.console import Console

    from gtmplan.plan.loaded import LoadedPlan

# Deferred imports: rich and the terminal tables (about 30 ms, python -X importtime) only for the text report;
# the template engine (jinja2, 37 ms) only for HTML. JSON and Markdown pay neither.

SOURCES_SHOWN = 20  # rows of the per-source table in text, md and html (JSON keeps them all)

LABELS = {"leads": "New leads", "mqls": "MQLs", "sqls": "SQLs", "opportunities": "Opportunities",
          "won": "Deals won", "bookings": "Bookings", "win_rate": "Win rate",
          "average_deal_size": "Average deal size", "days_to_close": "Days to close"}
HIGHER_IS_WORSE = {"days_to_close"}
PARTIAL_KEYS = {"leads": ("leads", "mqls", "sqls"),
                "deals": ("opportunities", "won", "bookings", "win_rate", "average_deal_size", "days_to_close")}


class ReviewReporter(Protocol):
    def __init__(self, color: bool = False, templates: Optional[str] = None) -> None: ...

    def render(self, loaded: LoadedPlan, result: ReviewResult) -> str: ...


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


def view(loaded: LoadedPlan, result: ReviewResult) -> dict:
    """What every document shows, as display strings (control characters escaped)."""
    plan = loaded.plan
    cur = plan.currency
    tol = plan.check.tolerance
    day = fmt.day
    q = result.quarter
    fy = plan.calendar
    metrics = []
    # every figure from an export that covers only part of the quarter is shown, never compared (docs/reference/cli.md 0.3)
    uncompared = set(result.partial)
    for kind in result.partial_inputs:
        uncompared.update(PARTIAL_KEYS[kind])
    if "leads" in result.partial_inputs and "deals" not in {i.kind for i in result.inputs}:
        uncompared.add("opportunities")
    metrics = _metric_rows(result.metrics, uncompared, tol, cur)
    rates = _rate_rows(result.rates)
    # a plan with segments: each segment's figures, as the company's (docs/reference/cli.md, 'Segments in every command')
    segments = [{"id": sid, "metrics": _metric_rows(seg.metrics, uncompared | set(seg.partial), tol, cur),
                 "rates": _rate_rows(seg.rates)}
                for sid, seg in result.segments.items()]
    sources = [{"source": s.source, "leads": _n(s.leads), "mqls": _n(s.mqls), "won": _n(s.won),
                "bookings": "–" if s.bookings is None else fmt.money(s.bookings, cur)}
               for s in result.sources]
    # the largest sources (and the folded rest) are shown; --format json keeps every row
    kept = [s for s in sources if s["source"] != OTHER_SOURCES]
    sources_more = max(0, len(kept) - SOURCES_SHOWN)
    if sources_more:
        sources = kept[:SOURCES_SHOWN] + [s for s in sources if s["source"] == OTHER_SOURCES]
    programs = [{"id": p.id, "name": p.name, "channel": p.channel, "leads": _n(p.leads),
                 "expected": fmt.count(p.expected_leads), "cost": fmt.money(p.cost, cur),
                 "cpl": fmt.money(p.cost_per_lead, cur) if p.cost_per_lead is not None else "–", "weak": p.weak}
                for p in result.programs]
    shown_bad = [b.as_dict() for b in result.bad_rows]
    return _printable({
        "title": f"{plan.company}: {q} go-to-market review",
        "period": f"Fiscal {q}: {day(q.first_day(fy))} to {day(q.last_day(fy))}",
        "metrics": metrics, "rates": rates, "segments": segments, "sources": sources, "sources_more": sources_more,
        "programs": programs,
        "bases": [{"label": LABELS[k], "basis": v} for k, v in result.plan_bases.items()],
        "loss_reasons": [r.as_dict() for r in result.loss_reasons], "bad_rows": shown_bad,
        "bad_rows_total": result.bad_rows_total,
        "bad_rows_more": result.bad_rows_total - len(shown_bad),
        "notes": result.notes, "suggestions": result.suggestions,
    })


def _metric_rows(figures: dict, uncompared: set, tol: float, cur: str) -> list[dict]:
    rows = []
    for key, m in figures.items():
        p, a = m.plan, m.actual
        variance, bad = "–", False
        if p and a is not None and key not in uncompared:
            v = (a - p) / p
            variance = f"{v * 100:+.0f}%"
            bad = v > tol if key in HIGHER_IS_WORSE else v < -tol
        rows.append({"label": LABELS[key], "plan": _value(key, p, cur), "actual": _value(key, a, cur),
                     "variance": variance, "bad": bad})
    return rows


def _rate_rows(rates: dict) -> list[dict]:
    return [{"key": k, "actual": fmt.pct(r.actual, 1), "n": f"{r.n:,}" if r.actual is not None else "–",
             "interval": f"{fmt.pct(r.low, 1)} to {fmt.pct(r.high, 1)}" if r.low is not None else "–",
             "sales": _stated(r.sales, r.sales_fits), "marketing": _stated(r.marketing, r.marketing_fits),
             "closer": r.closer or "–"}
            for k, r in rates.items()]


def _stated(v: Optional[float], inside: Optional[bool]) -> str:
    if v is None:
        return "–"
    mark = "" if inside is None else (" (inside)" if inside else " (outside)")
    return fmt.pct(v, 1) + mark


def _printable(node: Any) -> Any:
    """CRM text may hold control characters (ESC, NUL): escape them for every output."""
    if isinstance(node, str):
        return fmt.printable(node)
    if isinstance(node, dict):
        return {k: _printable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_printable(v) for v in node]
    return node


def _n(x: Optional[float]) -> str:
    return "–" if x is None else f"{x:,}"


class JsonReporter:
    def __init__(self, color: bool = False, templates: Optional[str] = None) -> None:
        pass

    def render(self, loaded: LoadedPlan, result: ReviewResult) -> str:
        return fmt.json_text(result.as_dict(), allow_nan=False)


class _DocumentReporter:
    kind = ""

    def __init__(self, color: bool = False, templates: Optional[str] = None) -> None:
        self.templates = templates

    def render(self, loaded: LoadedPlan, result: ReviewResult) -> str:
        from gtmplan.output.render.templating import render_template

        return render_template(f"review.{self.kind}.j2", view(loaded, result), self.templates)


class MarkdownReporter(_DocumentReporter):
    kind = "md"


class HtmlReporter(_DocumentReporter):
    kind = "html"


class TextReporter:
    def __init__(self, color: bool = False, templates: Optional[str] = None) -> None:
        self.color = color

    def render(self, loaded: LoadedPlan, result: ReviewResult) -> str:
        from rich.console import Console
        from rich.markup import escape

        from gtmplan.output.tables import NAME, TEXT, Column, rich_table

        v = view(loaded, result)
        buf = io.StringIO()
        width = term.width() or term.DEFAULT
        con = Console(file=buf, force_terminal=self.color, no_color=not self.color, width=width, highlight=False)
        con.print(f"[bold]{escape(v['title'])}[/bold]  ({v['period']})")

        _metric_table(con, v["metrics"], width, "Plan vs actual")
        if v["bases"]:  # none for a quarter the plan does not cover
            con.print("Plan bases: " + "; ".join(f"{b['label']}: {b['basis']}" for b in v["bases"]) + ".",
                      markup=False)

        _rate_table(con, v["rates"], width, "Conversion rates on the quarter's cohort (95% interval)")
        for seg in v["segments"]:  # the same two tables for each segment
            _metric_table(con, seg["metrics"], width, f"Segment {seg['id']}: plan vs actual")
            _rate_table(con, seg["rates"], width, f"Segment {seg['id']}: conversion rates (95% interval)")

        if v["sources"]:
            cols = [Column("Source", TEXT), Column("Leads"), Column("MQLs"), Column("Won"), Column("Bookings")]
            rows = [[escape(s["source"]), s["leads"], s["mqls"], s["won"], s["bookings"]] for s in v["sources"]]
            rich_table(con, cols, rows, width, "By source")
            if v["sources_more"]:
                con.print(f"  ... and {v['sources_more']:,} more sources (--format json lists them all)")
        if v["programs"]:
            cols = [Column("Program", NAME), Column("Channel", NAME), Column("Leads"), Column("Forecast"),
                    Column("Cost"), Column("Cost per lead")]
            rows = [[escape(p["id"]), escape(p["channel"]), f"[red]{p['leads']}[/red]" if p["weak"] else p["leads"],
                     p["expected"], p["cost"], p["cpl"]] for p in v["programs"]]
            rich_table(con, cols, rows, width, "Programs, weakest first")
        if v["loss_reasons"]:
            rows = [[escape(r["reason"]), str(r["count"])] for r in v["loss_reasons"]]
            rich_table(con, [Column("Reason", TEXT), Column("Deals lost")], rows, width, "Loss reasons")
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


def _metric_table(con: Console, metrics: list[dict], width: int, title: str) -> None:
    """Plan, actual and variance of each figure (a variance past the tolerance in red)."""
    from rich.markup import escape

    from gtmplan.output.tables import TEXT, Column, rich_table

    cols = [Column("Figure", TEXT), Column("Plan"), Column("Actual"), Column("Variance")]
    rows = [[escape(m["label"]), m["plan"], m["actual"], f"[red]{m['variance']}[/red]" if m["bad"] else m["variance"]]
            for m in metrics]
    rich_table(con, cols, rows, width, title)


def _rate_table(con: Console, rates: list[dict], width: int, title: str) -> None:
    """Each rate measured, its interval, and the value each side assumes."""
    from rich.markup import escape

    from gtmplan.output.tables import NAME, TEXT, Column, rich_table

    # a rate's name is shown whole; the interval and the sides' values wrap between their words
    cols = [Column("Rate", NAME), Column("Actual"), Column("Rows"), Column("Interval", TEXT, "right"),
            Column("Sales assumes", TEXT, "right"), Column("Marketing assumes", TEXT, "right"),
            Column("Closer", NAME)]
    rows = [[escape(r["key"]), r["actual"], r["n"], r["interval"], r["sales"], r["marketing"], r["closer"]]
            for r in rates]
    rich_table(con, cols, rows, width, title)


REPORTERS: dict[str, type] = {"text": TextReporter, "md": MarkdownReporter, "html": HtmlReporter,
                              "json": JsonReporter}
"""Format name -> reporter class: the formats ``gtmplan review`` writes."""


def render(fmt_name: str, loaded: LoadedPlan, result: ReviewResult, color: bool = False, templates: Optional[str] = None) -> str:
    reporter: ReviewReporter = REPORTERS[fmt_name](color=color, templates=templates)
    return reporter.render(loaded, result)
