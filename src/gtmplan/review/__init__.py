"""``gtmplan review``: a quarter's plan against what happened, from CRM exports.

The result is a plain dict in the JSON shape of cli.md (plus ``suggestions``,
``notes`` and ``bad_rows_total``), which every output format lays out.
"""

from __future__ import annotations

import sys
from typing import Optional

from ..errors import InputError, Problem
from ..funnel import compute, planned_opportunities, program_leads
from ..plan import LoadedPlan
from ..quarters import Quarter
from .columns import load_mapping, recognise
from .csvread import open_csv
from .figures import BadRows, DealCounts, LeadCounts, scan_deals, scan_leads
from .values import date_parser

RATES = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate")


def run_review(loaded: LoadedPlan, quarter: Quarter, leads: Optional[str], deals: Optional[str],
               mapping: Optional[str] = None, date_format: Optional[str] = None,
               progress: bool = False) -> dict:
    problems = []
    if date_format:
        problems += _check_date_format(date_format)
    if leads is None and deals is None:
        problems.append(Problem(None, None, None, "give --leads FILE, --deals FILE or both"))
    if problems:
        raise InputError(problems)
    mp = load_mapping(mapping) if mapping else None
    fmt = date_format or (mp.date_format if mp else None)
    if fmt and not date_format:
        problems = _check_date_format(fmt)
        if problems:
            raise InputError(problems)
    fy = loaded.plan.calendar
    lo, hi = quarter.first_day(fy).isoformat(), quarter.last_day(fy).isoformat()
    bad = BadRows()
    lc = dc = None
    if leads is not None:
        header, rows, size = open_csv(leads)
        layout = recognise(header, "leads", leads, mp.leads if mp and mp.leads else None)
        lc = scan_leads(_progress(rows, size, leads) if progress else rows, header, layout, leads,
                        date_parser(fmt), lo, hi, bad)
    if deals is not None:
        header, rows, size = open_csv(deals)
        layout = recognise(header, "deals", deals, mp.deals if mp and mp.deals else None)
        dc = scan_deals(_progress(rows, size, deals) if progress else rows, header, layout, deals,
                        date_parser(fmt), lo, hi, bad)
    return figures(loaded, quarter, lc, dc, bad)


def _check_date_format(fmt: str) -> list[Problem]:
    import datetime as dt

    try:
        dt.date(2027, 7, 14).strftime(fmt)
        ok = any(d in fmt for d in ("%d", "%j")) and any(m in fmt for m in ("%m", "%b", "%B")) and (
            "%Y" in fmt or "%y" in fmt)
    except ValueError:
        ok = False
    if ok:
        return []
    return [Problem(None, None, None, f"--date-format: {fmt!r} is not a date format with day, month and year "
                                      "(e.g. %d.%m.%Y)")]


PROGRESS_MIN_BYTES = 20_000_000


def _progress(rows, size: int, name: str):
    """Rows, with a progress bar on stderr for large files (only on a terminal, never in piped output)."""
    if size < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield from rows
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(file=sys.stderr)) as bar:
        task = bar.add_task(f"reading {name}", total=None)
        for i, item in enumerate(rows, 1):
            if i % 50_000 == 0:
                bar.update(task, completed=i, description=f"reading {name}: {i:,} rows")
            yield item


def _closer(actual, sales, marketing):
    if actual is None or (sales is None and marketing is None):
        return None
    if sales is None:
        return "marketing"
    if marketing is None:
        return "sales"
    ds, dm = abs(sales - actual), abs(marketing - actual)
    if abs(ds - dm) < 1e-12:
        return "tie"
    return "sales" if ds < dm else "marketing"


def _ratio(num: int, den: int) -> Optional[float]:
    return num / den if den else None


def figures(loaded: LoadedPlan, q: Quarter, lc: Optional[LeadCounts], dc: Optional[DealCounts],
            bad: BadRows) -> dict:
    plan = loaded.plan
    f = compute(plan)
    row = f.row(q)  # None for a quarter outside the horizon (--record): no plan figures
    eff = {k: a.value for k, a in f.assumptions.items()}
    l2m = eff["lead_to_mql"]
    running = [plan.marketing.programs[i] for i in (f.by_quarter[q].programs if q in f.by_quarter and row else [])]

    plan_leads = None
    per_program = [program_leads(p, l2m) for p in running]
    if row is not None and all(x is not None for x in per_program):
        plan_leads = float(sum(per_program))
    plan_mqls = row.mqls_planned if row is not None else None
    plan_sqls = plan_mqls * eff["mql_to_sql"] if plan_mqls is not None and eff["mql_to_sql"] else None
    plan_opps = planned_opportunities(f, q)  # marketing's and sales.other_pipeline's

    actual: dict[str, Optional[float]] = dict.fromkeys(
        ("leads", "mqls", "sqls", "opportunities", "won", "bookings", "win_rate", "average_deal_size",
         "days_to_close"))
    rates_actual: dict[str, Optional[float]] = dict.fromkeys(RATES)
    rates_n: dict[str, Optional[int]] = dict.fromkeys(RATES)  # rows each rate was measured on (cli.md 0.2)
    notes = []
    if lc is not None:
        actual["leads"] = lc.leads
        if lc.has_mql:
            actual["mqls"] = lc.mqls
            rates_actual["lead_to_mql"] = _ratio(lc.created_with_mql, lc.leads)
            rates_n["lead_to_mql"] = lc.leads
        else:
            notes.append("the leads export has no MQL date, so MQLs and lead_to_mql are not measured "
                         "(map one with --mapping)")
        if lc.has_sql:
            actual["sqls"] = lc.sqls
            if lc.has_mql:
                rates_actual["mql_to_sql"] = _ratio(lc.mql_with_sql, lc.mqls)
                rates_n["mql_to_sql"] = lc.mqls
        if lc.has_opp:
            if dc is None:
                actual["opportunities"] = lc.opportunities
            if lc.has_sql:
                rates_actual["sql_to_opportunity"] = _ratio(lc.sql_with_opp, lc.sqls)
                rates_n["sql_to_opportunity"] = lc.sqls
    if dc is not None:
        actual["opportunities"] = dc.opportunities
        actual["won"] = dc.won
        actual["bookings"] = dc.bookings
        actual["win_rate"] = rates_actual["win_rate"] = _ratio(dc.won, dc.won + dc.lost)
        rates_n["win_rate"] = dc.won + dc.lost
        actual["average_deal_size"] = dc.bookings / dc.won if dc.won else None
        actual["days_to_close"] = dc.days_to_close()

    plans = {"leads": plan_leads, "mqls": plan_mqls, "sqls": plan_sqls, "opportunities": plan_opps,
             "won": row.deals if row else None, "bookings": row.target if row else None, "win_rate": eff["win_rate"],
             "average_deal_size": eff["average_deal_size"], "days_to_close": eff["sales_cycle_days"]}
    metrics = {k: {"plan": None if plans[k] is None else float(plans[k]), "actual": actual[k]} for k in plans}

    s_side, m_side = plan.sales.assumptions, plan.marketing.assumptions
    rates = {}
    for key in RATES:
        sv = getattr(s_side, key) if s_side else None
        mv = getattr(m_side, key) if m_side else None
        a = rates_actual[key]
        rates[key] = {"actual": a, "n": rates_n[key], "sales": sv, "marketing": mv, "closer": _closer(a, sv, mv)}

    sources = []
    if lc is not None or dc is not None:
        names = set()
        for counter in ((lc.source_leads, lc.source_mqls) if lc else ()) + (
                (dc.source_won, dc.source_bookings) if dc else ()):
            names.update(counter)
        for name in names:
            sources.append({"source": name or "(none)",
                            "leads": lc.source_leads.get(name, 0) if lc else None,
                            "mqls": lc.source_mqls.get(name, 0) if lc and lc.has_mql else None,
                            "won": dc.source_won.get(name, 0) if dc else None,
                            "bookings": float(dc.source_bookings.get(name, 0.0)) if dc else None})
        sources.sort(key=lambda s: (-(s["bookings"] or 0), -(s["leads"] or 0), s["source"]))

    programs = []
    for p in running:
        wanted = {s.strip().casefold() for s in (p.crm_sources or [])}
        got = None
        if lc is not None:
            got = sum(n for name, n in lc.source_leads.items() if name.casefold() in wanted)
        expected = program_leads(p, l2m)
        programs.append({"id": p.id, "name": p.name or p.id, "channel": p.channel, "leads": got,
                         "expected_leads": expected, "cost": p.cost,
                         "cost_per_lead": (p.cost / got) if got else None,
                         "crm_sources": list(p.crm_sources or [])})
    programs.sort(key=lambda p: (p["leads"] is None, p["leads"] != 0,
                                 -(p["cost_per_lead"] or 0), p["id"]))

    losses = []
    if dc is not None:
        losses = [{"reason": r, "count": n} for r, n in sorted(dc.loss_reasons.items(), key=lambda kv: (-kv[1], kv[0]))]

    result = {
        "quarter": str(q),
        "metrics": metrics,
        "rates": rates,
        "sources": sources,
        "programs": programs,
        "loss_reasons": losses,
        "bad_rows": bad.listed,
        "bad_rows_total": bad.total,
        "notes": notes,
    }
    from .suggest import suggestions

    result["suggestions"] = suggestions(loaded, result, eff)
    return result
