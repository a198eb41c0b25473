"""``gtmplan calibrate``: each funnel assumption against the recorded actuals.

Pooled as docs/reference/rules.md E701 says (:mod:`gtmplan.read.actuals`): for each rate, sales' and
marketing's values, the pooled actual, its 95% Wilson interval, ``n``, whether
each side's value lies inside it, and a proposed value: the pooled actual where
the evidence contradicts a stated value (n >= 30 and outside the interval; for
the deal size, 10 won deals and a difference beyond the tolerance), otherwise
the value the plan uses. Nothing is proposed on weaker evidence.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.engine.funnel import effective_assumptions, stated
from gtmplan.engine.stats import fits, plan_value
from gtmplan.errors import InputError
from gtmplan.output import fmt, term
from gtmplan.read.actuals import MIN_RATE_N, MIN_WON_DEALS, RATE_KEYS, RATE_UNITS, actuals_dir, quarters_phrase

if TYPE_CHECKING:
    from gtmplan.plan.loaded import LoadedPlan
    from gtmplan.plan.model import Plan
    from gtmplan.read.actuals import TrackRecord

# Deferred imports: rich (about 30 ms) only for the terminal table; the actuals reader and the funnel where they are used.

KEYS = (*RATE_KEYS, "average_deal_size")
FORMATS = ("text", "md", "json")


def calibrate(loaded: LoadedPlan, quarters: Optional[int] = None) -> dict:
    """The result in docs/reference/cli.md's JSON shape (plus ``evidence`` and each key's ``quarters``)."""
    plan = loaded.plan
    track = loaded.actuals
    if not track:


        folder = actuals_dir(loaded.target)
        what = "holds no recorded quarter" if os.path.isdir(folder) else "does not exist: no recorded quarters"
        raise InputError.single(folder, f"{what}; record one with 'gtmplan review --quarter Q ... --record' "
                                        "(it writes actuals/QUARTER.yaml)")
    count = quarters if quarters is not None else plan.check.evidence_quarters
    if count < 1:
        raise InputError.single(None, "--quarters: give 1 or more")
    tol = plan.check.tolerance
    out = _assess(plan, track, count, tol, None)
    result = {"plan": loaded.target, "quarters": [str(r.quarter) for r in track.latest(count)], "assumptions": out}
    # docs/reference/cli.md, 'Segments in every command': each assumption per segment where the actuals
    # have segment figures (in the quarters pooled)
    window = track.latest(count)
    recorded = {s for rq in window for s in rq.segments()}
    segments = {}
    for entry in plan.sales.segments or []:
        if entry.id in recorded:
            segments[entry.id] = {"assumptions": _assess(plan, track, count, tol, entry.id)}
    if segments:
        result["segments"] = segments
    return result


def _assess(plan: Plan, track: TrackRecord, count: int, tol: float, segment: Optional[str]) -> dict:
    """Each key's pooled actual against the two sides' values. With ``segment``: the sides'
    values resolved for that segment (its entry's, else the company-wide one) against the
    segment's recorded figures where it has some for the key, else against the company's
    (``measured_on`` says which)."""
    used = effective_assumptions(plan, segment=segment)
    out: dict[str, dict[str, Any]] = {}
    for key in KEYS:
        stated = {side: _stated(plan, side, key, segment) for side in ("sales", "marketing")}
        ev = (_deal_size_evidence(track, count, segment, stated, tol) if key == "average_deal_size"
              else _rate_evidence(track, key, count, segment, stated))
        # below the evidence threshold nothing is called a fit or a misfit
        side_fits = ev.side_fits if ev.enough else {s: None for s in ev.side_fits}
        contradicted = ev.enough and any(f is False for f in side_fits.values())
        proposed = _propose(key, ev.actual, ev.low, ev.high) if contradicted else used[key].value
        out[key] = {"actual": ev.actual, "low": ev.low, "high": ev.high, "n": ev.n,
                    "sales": stated["sales"], "marketing": stated["marketing"],
                    "sales_fits": side_fits["sales"], "marketing_fits": side_fits["marketing"],
                    "proposed": proposed, "evidence": ev.enough,
                    "quarters": [str(q) for q in ev.quarters]}
        if segment is not None:
            out[key]["measured_on"] = ev.scope or "company"
    return out


@dataclass
class _Evidence:
    """One key's pooled actual (a segment's, or the company's: ``scope`` None) and how each
    side's stated value fits it."""

    actual: Optional[float]
    n: int
    low: Optional[float]
    high: Optional[float]
    side_fits: dict[str, Optional[bool]]
    enough: bool  # at or above the evidence threshold
    quarters: tuple
    scope: Optional[str]


def _deal_size_evidence(track: TrackRecord, count: int, segment: Optional[str], stated: dict[str, Optional[float]],
                        tol: float) -> _Evidence:
    """The deal size: the won deals' pooled average against each side's, within the tolerance."""
    scope = segment
    pooled = track.pooled_deal_size(count, segment)
    if pooled is None and segment is not None:
        pooled, scope = track.pooled_deal_size(count), None
    actual = pooled.actual if pooled else None
    n = pooled.won if pooled else 0
    side_fits = {s: (None if v is None or actual is None else fmt.rel_diff(v, actual) <= tol)
                 for s, v in stated.items()}
    return _Evidence(actual, n, None, None, side_fits, n >= MIN_WON_DEALS, pooled.quarters if pooled else (), scope)


def _rate_evidence(track: TrackRecord, key: str, count: int, segment: Optional[str],
                   stated: dict[str, Optional[float]]) -> _Evidence:
    """A rate: its pooled actual and 95% Wilson interval; a side fits when its value lies inside."""
    scope = segment
    pooled = track.pooled_rate(key, count, segment)
    if pooled is None and segment is not None:
        pooled, scope = track.pooled_rate(key, count), None
    if pooled is None:
        return _Evidence(None, 0, None, None, {s: fits(v, None) for s, v in stated.items()}, 0 >= MIN_RATE_N, (),
                         scope)
    side_fits = {s: fits(v, (pooled.low, pooled.high)) for s, v in stated.items()}
    return _Evidence(pooled.actual, pooled.n, pooled.low, pooled.high, side_fits, pooled.n >= MIN_RATE_N,
                     pooled.quarters, scope)


def _stated(plan: Plan, side: str, key: str, segment: Optional[str] = None) -> Optional[float]:
    if segment is not None:

        return stated(plan, side, key, segment)[0]
    a = getattr(plan, side).assumptions
    v = getattr(a, key) if a is not None else None
    return None if v is None else float(v)


def _propose(key: str, actual: Optional[float], low: Optional[float], high: Optional[float]) -> float:
    """The pooled actual, rounded as a plan would write it (still inside the interval). Only
    called when the evidence contradicts a side: there is an actual (and, for a rate, its interval)."""
    assert actual is not None
    if key == "average_deal_size":
        return float(round(actual, -2)) if actual >= 1000 else round(actual, 2)
    assert low is not None and high is not None
    return plan_value(actual, low, high)


# -- outputs --------------------------------------------------------------------------

def render_json(result: dict) -> str:
    return fmt.json_text(result)


def _rows(result: dict, currency: str) -> list[dict]:
    rows = []
    for key, a in result["assumptions"].items():
        money = key == "average_deal_size"
        value = (lambda x: fmt.money(x, currency)) if money else fmt.rate

        def side(s: str) -> str:
            v = a[s]
            if v is None:
                return "–"
            mark = {True: " fits", False: " outside" if not money else " off", None: ""}[a[f"{s}_fits"]]
            return value(v) + mark

        rows.append({
            "key": key, "sales": side("sales"), "marketing": side("marketing"),
            "actual": "–" if a["actual"] is None else (fmt.money(a["actual"], currency) if money
                                                      else fmt.pct(a["actual"], 1))
            + (" (company's)" if a.get("measured_on") == "company" else ""),
            "range": "–" if a["low"] is None else f"{fmt.pct(a['low'], 1)[:-1]}–{fmt.pct(a['high'], 1)}",
            "n": fmt.plural(a["n"], "won deal" if money else RATE_UNITS[key][:-1]),
            "proposed": "–" if a["proposed"] is None else value(a["proposed"]),
        })
    return rows


def _blocks(result: dict) -> list[tuple[Optional[str], dict]]:
    """(segment id or None, a result-shaped dict) for the company, then each segment."""
    out: list[tuple[Optional[str], dict]] = [(None, result)]
    for sid, seg in (result.get("segments") or {}).items():
        out.append((sid, {"quarters": result["quarters"], "assumptions": seg["assumptions"]}))
    return out


def _notes(result: dict, currency: str, tolerance: float, segment: Optional[str] = None) -> list[str]:
    notes = []
    label = f"{segment}: " if segment else ""
    for key, a in result["assumptions"].items():
        if segment is not None and a.get("measured_on") == "company":
            key_label = f"{label}{key} (not recorded for {segment}: the company's figures)"
        else:
            key_label = f"{label}{key}"
        money = key == "average_deal_size"
        unit = "won deals" if money else RATE_UNITS[key]
        need = MIN_WON_DEALS if money else MIN_RATE_N
        value = (lambda x: fmt.money(x, currency)) if money else fmt.rate
        if a["actual"] is None:
            notes.append(f"{key_label}: not measured in {'the recorded quarters' if result['quarters'] else 'any quarter'}.")
            continue
        pooled = quarters_phrase(a["quarters"], result["quarters"])
        if not a["evidence"]:
            notes.append(f"{key_label}: {fmt.plural(a['n'], unit[:-1])} recorded in {pooled}; {need} are needed before "
                         f"a stated value can be called a fit or contradicted ({need - a['n']:,} more).")
            continue
        wrong = [s for s in ("sales", "marketing") if a[f"{s}_fits"] is False]
        if wrong:
            said = "; ".join(f"{s} states {value(a[s])}" for s in wrong)
            where = " and ".join(f"{s}.segments[{segment}].assumptions" if segment else f"{s}.assumptions"
                                 for s in wrong)
            basis = (f"outside the 95% range {fmt.pct(a['low'], 1)[:-1]}–{fmt.pct(a['high'], 1)}" if not money
                     else f"more than {fmt.pct(tolerance)} from it")
            notes.append(f"{key_label}: {said}, {basis} measured in {pooled} on "
                         f"{a['n']:,} {unit}: propose {value(a['proposed'])} in {where}.")
        elif a["quarters"] != result["quarters"]:
            notes.append(f"{key_label}: measured in {pooled}.")
    return notes


def _title(loaded: LoadedPlan, result: dict) -> str:
    n = len(result["quarters"])
    return (f"{loaded.plan.company}: the plan's assumptions against "
            f"{quarters_phrase(result['quarters']) if n else 'no recorded quarter'}")


def render_text(loaded: LoadedPlan, result: dict, color: bool = False) -> str:
    from rich.console import Console
    from rich.markup import escape

    from gtmplan.output.tables import NAME, NUMBER, TEXT, Column, rich_table

    cur = loaded.plan.currency
    buf = io.StringIO()
    width = term.width(120) or 120  # piped without COLUMNS: 120, as in 0.2
    con = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    con.print(f"[bold]{escape(fmt.printable(_title(loaded, result)))}[/bold]")
    # an assumption's name whole; a side's value and its verdict ("0.40 outside") and the
    # count with its unit ("1,692 MQLs") wrap between their words; figures never
    cols = [Column("Assumption", NAME), Column("Sales", TEXT, "right"), Column("Marketing", TEXT, "right"),
            Column("Measured", NUMBER), Column("95% range", NUMBER), Column("n", TEXT, "right"),
            Column("Proposed", NUMBER)]
    for segment, block in _blocks(result):
        if segment:
            con.print(f"Segment {escape(segment)}")
        rows = [[escape(r["key"]), r["sales"], r["marketing"], r["actual"], r["range"], r["n"], r["proposed"]]
                for r in _rows(block, cur)]
        rich_table(con, cols, rows, width)
        for note in _notes(block, cur, loaded.plan.check.tolerance, segment):
            con.print(f"- {note}", markup=False)
    return buf.getvalue()


def render_md(loaded: LoadedPlan, result: dict) -> str:
    from gtmplan.output.markdown import md as _markdown

    cur = loaded.plan.currency
    lines = [f"# {_markdown(_title(loaded, result))}"]
    for segment, block in _blocks(result):
        lines.append("")
        if segment:
            lines += [f"## Segment {_markdown(segment)}", ""]
        lines += ["| Assumption | Sales | Marketing | Measured | 95% range | n | Proposed |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in _rows(block, cur):
            lines.append(f"| {r['key']} | {r['sales']} | {r['marketing']} | {r['actual']} | {r['range']} | {r['n']} "
                         f"| {r['proposed']} |")
        notes = _notes(block, cur, loaded.plan.check.tolerance, segment)
        if notes:
            lines.append("")
            lines.extend(f"- {_markdown(n)}" for n in notes)
    return "\n".join(lines) + "\n"
