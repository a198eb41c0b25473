"""Convert rule cases written the old way (``fires: N`` with ``at``/``quarter``/``messages``
for the first finding) to the full finding lists tests/rules/test_rules.py asserts.

    python tests/tools/fires_to_findings.py tests/rule_cases/X.yaml [...]

For a branch whose rule cases predate the full lists. Each case is run as the test
runs it; every finding is written with its path, quarter and related paths, the
case's own message fragments where they occur, and the numbers, dates, quarters
and quoted names of its message. These are the CURRENT outputs: read the diff
before committing (a wrong number here would become an expected one). Comments,
names and patches are kept as written.
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

from conftest import apply_patch, base_plan, write_plan  # noqa: E402
from test_rules import write_actuals  # noqa: E402

from gtmplan.read.loader import load_plan  # noqa: E402
from gtmplan.rules.checker import run_check  # noqa: E402

TOKEN = re.compile(r"'[^']*'|\$[0-9][0-9,]*|[0-9][0-9,.]*%|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}Q[1-4]"
                   r"|[0-9][0-9,]*(?:\.[0-9]+)?")
OLD_KEYS = ("fires:", "quarter:", "at:", "related:", "related_files:", "messages:")


def fragments(message: str, given: list[str]) -> list[str]:
    frags = [g for g in given if g in message]
    for t in TOKEN.findall(message):
        t = t.rstrip(".,")
        if t and not (t.isdigit() and len(t) < 2) and not any(t in f for f in frags) and len(frags) < 6:
            frags.append(t)
    return frags or [message[:60]]


def finding_lines(code: str, case: dict) -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        plan = write_plan(Path(d), apply_patch(base_plan(), case.get("patch") or {}))
        write_actuals(Path(d), case.get("actuals") or {})
        found = run_check(load_plan(str(plan)), select=[code]).findings
        if "fires" in case and len(found) != case["fires"]:
            raise SystemExit(f"{code}: {case['name']}: fires {len(found)} times, the case says {case['fires']}")
        if not found:
            return ["    findings: []"]
        out = ["    findings:"]
        for f in found:
            q = (lambda s: json.dumps(s, ensure_ascii=False))
            parts = [f"at: {q(f.location.path)}", f"quarter: {f.quarter if f.quarter else 'null'}"]
            if f.related:
                parts.append("related: [" + ", ".join(q(r.path) for r in f.related) + "]")
            if any(r.file != str(plan) for r in f.related):
                parts.append("related_files: [" + ", ".join(q(Path(r.file).name) for r in f.related) + "]")
            frags = fragments(f.message, case.get("messages", []))
            parts.append("messages: [" + ", ".join(q(x) for x in frags) + "]")
            out.append("      - {" + ", ".join(parts) + "}")
        return out


def convert(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    lines = text.splitlines()
    out: list[str] = []
    code, index, i = None, -1, 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([A-Z][0-9]{3}):\s*$", line)
        if m:
            code, index = m.group(1), -1
        if not line.startswith("  - name:"):
            out.append(line)
            i += 1
            continue
        index += 1
        case = data[code][index]
        out.append(line)
        i += 1
        if "findings" in case:  # already a full list: kept as written
            continue
        skipping = False
        body = []
        while i < len(lines) and (lines[i].startswith("    ") or (
                not lines[i].strip() and i + 1 < len(lines) and lines[i + 1].startswith("    "))):
            if len(lines[i]) - len(lines[i].lstrip()) == 4:
                skipping = lines[i].strip().startswith(OLD_KEYS + ("findings:",))
            if not skipping:
                body.append(lines[i])
            i += 1
        out.extend(body)
        out.extend(finding_lines(code, case))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        convert(Path(name))
        print(f"{name}: converted; review the diff")
