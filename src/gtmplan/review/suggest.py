"""What to change in the plan after a review: concrete, with the numbers."""

from __future__ import annotations

from ..fmt import count, money, pct, plural, possessive, rate, rel_diff
from ..funnel import lag_quarters


def suggestions(loaded, result: dict, used: dict) -> list[str]:
    plan = loaded.plan
    q = result["quarter"]
    tol = plan.check.tolerance
    cur = plan.currency
    out: list[str] = []

    for key, r in result["rates"].items():
        actual = r["actual"]
        if actual is None:
            continue
        stated = {side: r[side] for side in ("sales", "marketing") if r[side] is not None}
        if not stated:
            out.append(f"State {key} in the plan: {q} measured {rate(actual)}.")
            continue
        off = [side for side, v in stated.items() if rel_diff(actual, v) > tol]
        if off:
            support = {"tie": "both sides equally", None: "neither side"}.get(r["closer"]) or \
                f"{possessive(r['closer'])} {rate(stated[r['closer']])}"
            where = " and ".join(f"{side}.assumptions" for side in off)
            out.append(f"Update {key} to {rate(actual)} in {where}: {q} measured {pct(actual)} "
                       f"({', '.join(f'{side} assumed {rate(v)}' for side, v in stated.items())}); "
                       f"the data supports {support}.")

    m = result["metrics"]
    size = m["average_deal_size"]
    if size["actual"] is not None and size["plan"] and rel_diff(size["actual"], size["plan"]) > tol:
        out.append(f"Update average_deal_size to {money(size['actual'], cur)}: deals won in {q} averaged that, "
                   f"against {money(size['plan'], cur)} in the plan.")
    days = m["days_to_close"]
    if days["actual"] is not None and days["plan"] is not None and rel_diff(days["actual"], days["plan"]) > tol:
        new_lag, old_lag = lag_quarters(days["actual"]), lag_quarters(days["plan"])
        lag = f"; the MQL lag becomes {plural(new_lag, 'quarter')}" if new_lag != old_lag else ""
        out.append(f"Update sales_cycle_days to {days['actual']:g}: the median deal won in {q} took that long "
                   f"(plan: {days['plan']:g}){lag}.")
    book = m["bookings"]
    if book["actual"] is not None and book["plan"] and book["actual"] < book["plan"] * (1 - tol):
        out.append(f"Bookings of {money(book['actual'], cur)} missed the {q} target of {money(book['plan'], cur)} "
                   f"by {pct(1 - book['actual'] / book['plan'])}: revisit the next quarters' targets or pipeline.")

    programs = [p for p in result["programs"] if p["leads"] is not None]
    cpl_plan = used.get("cost_per_lead")
    for p in programs:
        if p["leads"] == 0:
            sources = ", ".join(p["crm_sources"]) or "none listed"
            out.append(f"Cut or fix program {p['id']}: no leads in {q} from its CRM sources ({sources}) "
                       f"for {money(p['cost'], cur)}.")
        elif p["expected_leads"] and p["leads"] < p["expected_leads"] * (1 - tol) and (
                cpl_plan is None or p["cost_per_lead"] > cpl_plan * (1 + tol)):
            out.append(f"Cut or rework program {p['id']}: {plural(p['leads'], 'lead')} against "
                       f"{count(p['expected_leads'])} forecast, {money(p['cost_per_lead'], cur)} a lead"
                       + (f" (plan: {money(cpl_plan, cur)})." if cpl_plan else "."))
    winners = [p for p in programs if p["leads"] and p["expected_leads"] and p["leads"] >= p["expected_leads"]]
    if winners:
        best = min(winners, key=lambda p: p["cost_per_lead"])
        out.append(f"Grow program {best['id']}: {plural(best['leads'], 'lead')} against {count(best['expected_leads'])} "
                   f"forecast at {money(best['cost_per_lead'], cur)} a lead, the cheapest on target.")
    claimed = {s.strip().casefold() for p in plan.marketing.programs for s in (p.crm_sources or [])}
    leads_total = m["leads"]["actual"]
    if leads_total and claimed:
        unlisted = sorted(((s["source"], s["leads"]) for s in result["sources"] if s["leads"]
                           and s["source"].casefold() not in claimed and s["source"] != "(none)"),
                          key=lambda sl: (-sl[1], sl[0]))
        unclaimed = sum(n for _, n in unlisted)
        if unclaimed > leads_total * tol:
            named = ", ".join(f"{source!r} ({count(n)})" for source, n in unlisted[:5])
            more = f" and {plural(len(unlisted) - 5, 'more source')}" if len(unlisted) > 5 else ""
            out.append(f"{count(unclaimed)} of {plural(leads_total, 'lead')} in {q} came from "
                       f"{'a source' if len(unlisted) == 1 else 'sources'} no program lists in crm_sources: "
                       f"{named}{more}. Add {'it' if len(unlisted) == 1 else 'them'} to the programs' crm_sources, "
                       "or the portfolio cannot be judged.")
    losses = result["loss_reasons"]
    if losses:
        top = losses[0]
        lost = sum(x["count"] for x in losses)
        out.append(f"Share the win-loss record with marketing: the most frequent loss reason in {q} was "
                   f"{top['reason']!r} ({top['count']} of {plural(lost, 'lost deal')}).")
    if result["bad_rows_total"]:
        out.append(f"Fix the {plural(result['bad_rows_total'], 'unreadable row')} in the exports (listed above); "
                   "they are left out of every figure.")
    return out
