"""``gtmplan forecast``: the chance that the plan makes its numbers, in words for a head
of sales (text), a Markdown report (md) or docs/reference/cli.md's JSON shape (json).

The computation is :mod:`gtmplan.engine.forecast` (numpy, imported here only when the
command runs).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

from gtmplan.errors import InputError
from gtmplan.output import fmt

if TYPE_CHECKING:  # numpy: imported only when the command runs
    from gtmplan.engine.forecast import Result
    from gtmplan.plan.loaded import LoadedPlan

from gtmplan.output.forecast_words import chance, driver_lines, notes, sentence, simulate, span

# Deferred imports: the simulation (numpy, 35 ms) and the Markdown helpers only when the command runs.

FORMATS = ("text", "md", "json")


def parse_runs(text: Optional[str]) -> Optional[int]:
    from gtmplan.engine.forecast import MAX_RUNS

    if text is None:
        return None
    try:
        n = int(text.strip().replace("_", "").replace(",", ""))
    except ValueError:
        raise InputError.single("--runs", f"{fmt.printable(text)!r} is not a whole number of runs "
                                          "(e.g. --runs 10000)") from None
    if not 1 <= n <= MAX_RUNS:
        raise InputError.single("--runs", f"{n:,} runs: give 1 to {MAX_RUNS:,} (the default is 10,000)")
    return n


def parse_seed(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    try:
        n = int(text.strip())
    except ValueError:
        raise InputError.single("--seed", f"{fmt.printable(text)!r} is not a seed: give a whole number "
                                          "0 or more (e.g. --seed 7)") from None
    if not 0 <= n <= 2**63 - 1:
        raise InputError.single("--seed", f"{n} is not a seed: give a whole number from 0 to {2**63 - 1}")
    return n


run = simulate  # the command's name for it (cli.py)


def _title(loaded: LoadedPlan) -> str:
    return f"{loaded.plan.company}: the chance that the plan makes its numbers"


def render_text(loaded: LoadedPlan, result: Result) -> str:
    d = result.as_dict()
    cur = d["currency"]
    s = result.settings
    lines = [fmt.printable(_title(loaded)),
             f"{s.runs:,} simulated runs, seed {s.seed} (the same plan, runs and seed give the same figures).", ""]
    segmented = any(row["segment"] is not None for row in d["quarters"])
    current = ""
    for row in d["quarters"]:
        if segmented:
            heading = f"Segment {row['segment']}:" if row["segment"] is not None else "The company (the sum):"
            if heading != current:
                lines += ([""] if current else []) + [fmt.printable(heading)]
                current = heading
            lines.append("  " + sentence(row["quarter"], row, cur))
        else:
            lines.append(sentence(row["quarter"], row, cur))
    h = d["horizon"]
    lines.append(sentence(f"Whole plan ({span(h['quarters'])})", h, cur) if h["quarters"]
                 else "Whole plan: no figure (no quarter has one).")
    lines.append("")
    lines.extend(driver_lines(result))
    lines.append("")
    lines.extend(f"- {n}" for n in notes(result, cur))
    return "\n".join(lines) + "\n"


def render_md(loaded: LoadedPlan, result: Result) -> str:
    from gtmplan.output.markdown import md

    d = result.as_dict()
    cur = d["currency"]
    s = result.settings
    m = lambda x: fmt.money(x, cur)  # noqa: E731
    segmented = any(row["segment"] is not None for row in d["quarters"])
    lines = [f"# {md(_title(loaded))}", "",
             f"{s.runs:,} simulated runs, seed {s.seed} (the same plan, runs and seed give the same figures).", "",
             ("| Segment " if segmented else "") + "| Quarter | Target | Chance of reaching it | 10% | Median | 90% |",
             ("|---" if segmented else "") + "|---|---:|---:|---:|---:|---:|"]
    whole = dict(d["horizon"], quarter=f"Whole plan ({span(d['horizon']['quarters'])})", segment=None)
    for row in d["quarters"] + [whole]:
        first = (f"| {md(row['segment']) if row['segment'] is not None else 'company'} " if segmented else "")
        lines.append(f"{first}| {row['quarter']} | {m(row['target'])} | {chance(row['p_target'])} | {m(row['p10'])} "
                     f"| {m(row['median'])} | {m(row['p90'])} |")
    lines.append("")
    for line in driver_lines(result):
        lines.append(md(line))
    lines.append("")
    lines.extend(f"- {md(n)}" for n in notes(result, cur))
    return "\n".join(lines) + "\n"


def render_json(result: Result) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
