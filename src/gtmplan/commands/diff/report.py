"""``gtmplan diff`` output: text for people, a pull-request comment (md), JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.commands.diff import NO_CHANGE, DiffResult
from gtmplan.output import fmt
from gtmplan.output.markdown import code, md

if TYPE_CHECKING:
    from gtmplan.rules import Finding

# Deferred imports: the JSON encoder only for --format json.

MD_LIMIT = 60_000
"""GitHub refuses comments over 65,536 characters; the comment stays well below."""
CUT_NOTE = ("\n\n*This comment was cut at 60,000 characters; run `gtmplan diff` "
            "locally for the whole report.*\n")


# -- what matters most ----------------------------------------------------------------

def _shortfall(row: dict) -> Optional[float]:
    d, p = row.get("mqls_demanded"), row.get("mqls_planned")
    if d is None or p is None:
        return None
    return max(0.0, d - p)


def _shown_shortfall(row: dict) -> Optional[int]:
    """The shortfall as every output shows it (fmt.shown_gap): the difference of the counts shown."""
    return fmt.shown_gap(row.get("mqls_demanded"), row.get("mqls_planned"))


def _coverage(row: dict) -> Optional[float]:
    t, c = row.get("target"), row.get("capacity")
    return None if not t or c is None else c / t


def _views(old: dict, new: dict) -> list[tuple[str, dict, dict, bool]]:
    """(prefix in words, old row, new row, judge its shortfall) for the company's row and, with
    segments, each segment's (its ``SEGMENT.KEY`` figures). A segmented plan's shortfall is judged
    per segment only: the summed rows would let one segment's surplus hide another's gap."""
    segs = list(dict.fromkeys(k.split(".", 1)[0] for row in (new, old) for k in row if "." in k))
    views = [("", old, new, not segs)]
    for seg in segs:
        cut = len(seg) + 1
        views.append((f"{seg}: ", {k[cut:]: v for k, v in old.items() if k.startswith(seg + ".")},
                      {k[cut:]: v for k, v in new.items() if k.startswith(seg + ".")}, True))
    return views


def biggest_move(r: DiffResult) -> Optional[str]:
    """The largest change in an MQL shortfall or a capacity coverage, in words (or None)."""
    best: tuple[float, str] | None = None
    for q in sorted(set(r.base.rows) & set(r.head.rows)):
        for who, old, new, judge in _views(r.base.rows[q], r.head.rows[q]):
            a, b = (_shortfall(old), _shortfall(new)) if judge else (None, None)
            if a is not None and b is not None and abs(b - a) >= 0.5:
                scale = max(old.get("mqls_demanded") or 0, new.get("mqls_demanded") or 0, 1.0)
                shown_a, shown_b = _shown_shortfall(old), _shown_shortfall(new)
                if a == 0:
                    words = f"{who}a shortfall of {shown_b:,} MQLs appears in {q} (MQLs created there for later deals)"
                elif b == 0:
                    words = f"{who}the MQL shortfall in {q} closes (was {shown_a:,})"
                else:
                    verb = "grows" if b > a else "shrinks"
                    words = f"{who}the MQL shortfall in {q} {verb} from {shown_a:,} to {shown_b:,}"
                best = max(best or (0.0, ""), (abs(b - a) / scale, words))
            a, b = _coverage(old), _coverage(new)
            if a is not None and b is not None and abs(b - a) >= 0.005:
                verb = "falls" if b < a else "rises"
                words = f"{who}sales capacity coverage in {q} {verb} from {fmt.pct(a)} to {fmt.pct(b)} of the target"
                best = max(best or (0.0, ""), (abs(b - a), words))
    return best[1] if best else None


def headline(r: DiffResult, markdown: bool) -> str:
    if not r.changed:
        return NO_CHANGE
    b = (lambda s: f"**{s}**") if markdown else (lambda s: s)  # noqa: E731
    esc = md if markdown else fmt.printable
    side = code if markdown else fmt.printable
    if r.base.loaded is None:
        s = r.head.findings
        n = {sev: sum(1 for f in s if f.severity == sev) for sev in ("error", "warning", "info")}
        return (f"{b('A new plan')} (none at {side(r.base.label)}): {fmt.plural(n['error'], 'error')}, "
                f"{fmt.plural(n['warning'], 'warning')}, {n['info']} info.")
    if r.head.loaded is None:
        go = "goes" if len(r.resolved) == 1 else "go"
        return f"{b('The plan is removed')} (none at {side(r.head.label)}); {fmt.plural(len(r.resolved), 'finding')} {go} with it."
    errors = [f for f in r.new if f.severity == "error"]
    move = biggest_move(r)
    if errors:
        first = "; ".join(f"{f.code} {f.message}" for f in errors[:2]) + ("; ..." if len(errors) > 2 else "")
        text = f"{'❌ ' if markdown else ''}{b(fmt.plural(len(errors), 'new error'))}: {esc(first)}"
        return text + (f". Also, {move}." if move else ".")
    if move:
        resolved = f", {fmt.plural(len(r.resolved), 'finding')} resolved" if r.resolved else ""
        return f"No new error{resolved}; {b(move)}."
    warnings = [f for f in r.new if f.severity == "warning"]
    if warnings:
        return (f"{'⚠️ ' if markdown else ''}No new error; {b(fmt.plural(len(warnings), 'new warning'))}: "
                f"{esc(warnings[0].code + ' ' + warnings[0].message)}.")
    # below, what is new is information only (no error, no warning)
    if r.resolved:
        none = "No new error or warning" if r.new else "No new finding"
        return f"{'✅ ' if markdown else ''}{none}; {b(fmt.plural(len(r.resolved), 'finding'))} resolved."
    if r.quarters:
        return (f"No new error or warning; funnel figures move in "
                f"{fmt.plural(len(r.quarters), 'quarter')}.")
    if r.new:
        return f"No new error or warning; {len(r.new)} new info: {esc(r.new[0].code + ' ' + r.new[0].message)}."
    return f"No change to the plan's numbers or findings; {fmt.plural(len(r.inputs), 'input')} changed."


def summary_line(r: DiffResult) -> str:
    s = r.summary
    return (f"{fmt.plural(s['inputs'], 'input')} changed, figures moved in {fmt.plural(len(r.quarters), 'quarter')}, "
            f"{fmt.plural(s['new_errors'], 'new error')}, {fmt.plural(s['new_warnings'], 'new warning')}, "
            f"{s['new_info']} new info, {s['resolved']} resolved")


# -- values for people ------------------------------------------------------------------

def value(v: Any, limit: int = 80) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 and v == float(f"{v:g}") else repr(v)
    if isinstance(v, (dict, list)):
        text = json.dumps(_plain(v), ensure_ascii=False, separators=(", ", ": "))
        return text if len(text) <= limit else text[:limit - 1] + "…"
    text = str(v)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _plain(v: Any) -> Any:
    from gtmplan.commands.diff import _json  # the package imports this module before defining _json

    return _json(v)


MONEY_FIGURES = frozenset({"target", "capacity", "program_cost", "budget"})


def _base_key(key: str) -> str:
    """``enterprise.program_cost`` -> ``program_cost`` (a segment's figure, SEGMENT.KEY)."""
    return key.rsplit(".", 1)[-1]


def shown(key: str, v: Any, currency: str) -> str:
    """A funnel figure as funnel shows it: money, or a count rounded up (JSON keeps the exact value)."""
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return fmt.money(v, currency) if _base_key(key) in MONEY_FIGURES else fmt.count(v)


def shown_delta(key: str, f: dict, currency: str) -> str:
    """The change between the two figures as shown, so that before + change = after on the page."""
    old, new = f.get("old"), f.get("new")
    if f.get("delta") is None:  # (a figure that is none, or a text, on either side)
        return ""
    if _base_key(key) in MONEY_FIGURES:
        d = round(new or 0) - round(old or 0)
        return ("+" if d > 0 else "−" if d < 0 else "") + fmt.money(abs(d), currency) if d else "less than 1"
    d = (fmt.ceil_count(new) or 0) - (fmt.ceil_count(old) or 0)
    return f"{'+' if d > 0 else '−'}{abs(d):,}" if d else "less than 1 (rounded up alike)"


def label(key: str) -> str:
    """``mqls_planned`` -> ``mqls planned``; a segment's ``enterprise.mqls_planned`` -> ``enterprise: mqls planned``."""
    seg, _, rest = key.rpartition(".")
    return (f"{seg}: " if seg else "") + rest.replace("_", " ")


def _where(file: Optional[str], line: Optional[int], column: Optional[int] = None) -> str:
    if file is None:
        return ""
    return f"{file}:{line}" + (f":{column}" if column else "")


# -- formats ---------------------------------------------------------------------------

def render_json(r: DiffResult) -> str:
    return fmt.json_text(r.as_dict())


def render_text(r: DiffResult) -> str:
    p = fmt.printable
    lines = [p(f"gtmplan diff: {r.base.label} -> {r.head.label}"), p(headline(r, markdown=False))]
    if not r.changed:
        return "\n".join(lines) + "\n"
    if r.inputs:
        lines += ["", f"Inputs changed ({len(r.inputs)}):"]
        for c in r.inputs:
            where = _where(c.file, c.line, c.column)
            lines.append(p(f"  {c.path}: {value(c.old)} -> {value(c.new)}" + (f"   ({where})" if where else "")))
    if r.quarters:
        lines += ["", "Funnel figures that moved:"]
        for q in r.quarters:
            for key, f in q["figures"].items():
                d = shown_delta(key, f, r.currency)
                lines.append(p(f"  {q['quarter']}  {label(key)}: {shown(key, f['old'], r.currency)} -> "
                               f"{shown(key, f['new'], r.currency)}"
                               + (f" ({d})" if d else "")))
    for title, items in (("New findings", r.new), ("Resolved findings", r.resolved)):
        if items:
            lines += ["", f"{title} ({len(items)}):"]
            for f in items:
                loc = f.location
                lines.append(p(f"  {loc.file}:{loc.line}:{loc.column} {f.code} {f.severity}: {f.message}"))
    lines += ["", summary_line(r)]
    return "\n".join(lines) + "\n"


def render_md(r: DiffResult) -> str:
    if not r.changed:
        return NO_CHANGE + "\n"
    out = [headline(r, markdown=True), ""]
    if r.new:
        out += [f"### New findings ({len(r.new)})", ""]
        out += [_md_finding(f, "❌" if f.severity == "error" else "⚠️" if f.severity == "warning" else "ℹ️")
                for f in r.new]
        out.append("")
    if r.resolved:
        out += [f"### Resolved findings ({len(r.resolved)})", ""]
        out += [_md_finding(f, "✅") for f in r.resolved]
        out.append("")
    if r.quarters:
        out += ["### Funnel figures that moved", "", "| Quarter | Figure | Before | After | Change |",
                "|---|---|---:|---:|---:|"]
        for q in r.quarters:
            for key, f in q["figures"].items():
                out.append(f"| {q['quarter']} | {md(label(key))} | {md(shown(key, f['old'], r.currency))} "
                           f"| {md(shown(key, f['new'], r.currency))} | {md(shown_delta(key, f, r.currency))} |")
        out.append("")
    if r.inputs:
        out += [f"### Inputs changed ({len(r.inputs)})", "", "| Input | Before | After | Where |", "|---|---|---|---|"]
        for c in r.inputs:
            where = _where(c.file, c.line)
            out.append(f"| {code(c.path)} | {md(value(c.old))} | {md(value(c.new))} | {code(where) if where else ''} |")
        out.append("")
    out.append(f"<sub>{md(summary_line(r))}; base {code(r.base.label)}, head {code(r.head.label)}.</sub>")
    return cut("\n".join(out) + "\n")


def _md_finding(f: Finding, mark: str) -> str:
    loc = f.location
    quarter = f" ({f.quarter})" if f.quarter else ""
    return (f"- {mark} **{f.code}** {f.severity}{quarter}: {md(f.message)} "
            f"({code(f'{loc.file}:{loc.line}')})")


def cut(text: str, limit: int = MD_LIMIT) -> str:
    """At most ``limit`` characters: whole lines up to the limit, then a note saying so."""
    if len(text) <= limit:
        return text
    room = limit - len(CUT_NOTE)
    end = text.rfind("\n", 0, room)
    return text[:end if end > 0 else room] + CUT_NOTE
