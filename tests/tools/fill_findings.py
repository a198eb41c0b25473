"""Write the ``where`` and whole ``message`` of every finding in rule case files
(tests/rule_cases/CODE.yaml), from what the rule reports today.

    python tests/tools/fill_findings.py tests/rule_cases/A101.yaml [...]

- A case written with ``findings: fill`` gets the full list: each finding's path, quarter,
  related paths (and their files when not the plan), segment (on ``base: segments``),
  where ``check`` points (FILE:LINE:COLUMN, FILE relative to the plan's folder) and message.
- A case that lists its findings keeps its ``at``, ``quarter``, ``related``... as written;
  only ``where`` and ``message`` are rewritten (after tests/data/base_plan.yaml moved lines,
  or a message's wording changed on purpose). The number of findings must not change.

These are the CURRENT outputs: read the diff before committing (a wrong number or a clumsy
sentence here would become an expected one). Comments, names and patches are kept as written.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import yaml

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "rules")]

from conftest import apply_patch, case_base, write_plan  # noqa: E402
from test_rules import where, write_actuals  # noqa: E402

from gtmplan.read.loader import load_plan  # noqa: E402
from gtmplan.rules.base import Finding  # noqa: E402
from gtmplan.rules.checker import run_check  # noqa: E402


def q(value: object) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def run_case(code: str, case: dict) -> list[tuple[Finding, str, str]]:
    """The case's findings, each with its ``where`` and the plan's path."""
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        plan = write_plan(folder, apply_patch(case_base(case.get("base")), case.get("patch") or {}))
        write_actuals(folder, case.get("actuals") or {})
        found = run_check(load_plan(str(plan)), select=[code]).findings
        return [(f, where(f, folder), str(plan)) for f in found]


def finding_text(indent: int, stated: dict, finding: Finding, at: str) -> str:
    """One finding as a flow mapping: the keys stated (or, for a new one, found), then where and message."""
    parts = [f"at: {q(stated['at'])}", f"quarter: {'null' if stated['quarter'] is None else stated['quarter']}"]
    if stated.get("related"):
        parts.append("related: [" + ", ".join(q(r) for r in stated["related"]) + "]")
    if stated.get("related_files"):
        parts.append("related_files: [" + ", ".join(q(r) for r in stated["related_files"]) + "]")
    if "segment" in stated:
        parts.append(f"segment: {'null' if stated['segment'] is None else stated['segment']}")
    if "severity" in stated:
        parts.append(f"severity: {stated['severity']}")
    parts.append(f"where: {q(at)}")
    return "- {" + ", ".join(parts) + ",\n" + " " * (indent + 3) + f"message: {q(finding.message)}" + "}"


def found_keys(finding: Finding, plan: str, segments: bool) -> dict:
    keys: dict = {"at": finding.location.path, "quarter": None if finding.quarter is None else str(finding.quarter)}
    if finding.related:
        keys["related"] = [r.path for r in finding.related]
    if any(r.file != plan for r in finding.related):
        keys["related_files"] = [Path(r.file).name for r in finding.related]
    if segments:
        keys["segment"] = finding.segment
    return keys


def flow_end(text: str, start: int) -> int:
    """The index of the ``}`` closing the flow mapping opened at ``text[start]``."""
    depth, i, quote = 0, start, None
    while True:
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def fill(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    code = path.stem
    cases = yaml.safe_load(text)[code]
    # every finding entry and every "findings: fill", in the order of the file (= the cases' order)
    marks = list(re.finditer(r"^([ ]*)(?:- \{at:|findings: fill[ \t]*$)", text, re.M))
    out, pos, k = [], 0, 0
    for case in cases:
        results = run_case(code, case)
        if case["findings"] == "fill":
            m = marks[k]
            k += 1
            indent = len(m.group(1))
            lines = [" " * indent + ("findings: []" if not results else "findings:")]
            for f, at, plan in results:
                lines.append(" " * (indent + 2) + finding_text(indent + 2, found_keys(f, plan, "base" in case), f, at))
            out.append(text[pos:m.start()])
            out.append("\n".join(lines))
            pos = m.end()
            continue
        if len(results) != len(case["findings"]):
            raise SystemExit(f"{path}: {case['name']}: {len(results)} findings, the case lists "
                             f"{len(case['findings'])} (write findings: fill to list them anew)")
        for stated, (f, at, _) in zip(case["findings"], results):
            m = marks[k]
            k += 1
            start = m.start() + len(m.group(1))
            out.append(text[pos:start])
            out.append(finding_text(len(m.group(1)), stated, f, at))
            pos = flow_end(text, start + 2) + 1
    out.append(text[pos:])
    path.write_text("".join(out), encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        fill(Path(name))
        print(f"{name}: filled; review the diff")
