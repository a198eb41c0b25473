"""Every rule of docs/reference/rules.md, driven by the cases in tests/rule_cases/CODE.yaml:
one file per rule code, each with firing cases and quiet near misses.

Each case patches the clean base plan (tests/data/base_plan.yaml; with
``base: segments``, the clean two-segment plan tests/data/segments_plan.yaml), runs only the
rule under test, and lists *every* finding it expects, in the order ``check``
reports them: the dotted path, the quarter (null for none), related paths, ``where``
``check`` points (FILE:LINE:COLUMN, FILE relative to the plan's folder) and the whole
``message``, as a user reads them. ``findings: []`` is a quiet case.
tests/tools/fill_findings.py writes ``where`` and ``message`` from the current output (for a
new case, or after tests/data/base_plan.yaml moved lines): read its diff before committing.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, TESTS, apply_patch, base_plan, case_base, dump, write_plan

from gtmplan.read.loader import load_plan
from gtmplan.rules import REGISTRY, all_rules
from gtmplan.rules.base import Finding, Rule
from gtmplan.rules.checker import run_check

CASES_DIR = TESTS / "rule_cases"
FINDING_KEYS = {"at", "quarter", "related", "related_files", "where", "message", "severity", "segment"}


def _case_files() -> dict[str, list]:
    """tests/rule_cases/CODE.yaml, each holding ``CODE: [cases]``."""
    files = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert list(data) == [path.stem], f"{path.name} holds the cases of {path.stem} only, under '{path.stem}:'"
        files[path.stem] = data[path.stem]
    return files


CASE_FILES = _case_files()


def _cases() -> Iterator:
    for code, cases in CASE_FILES.items():
        for case in cases:
            yield pytest.param(code, case, id=f"{code}: {case['name']}")


ALL_CASES = list(_cases())


def write_actuals(directory: Path, actuals: dict) -> None:
    """A case's ``actuals: {QUARTER: {metrics: ..., rates: ...}}`` as actuals/QUARTER.yaml beside the plan."""
    if not actuals:
        return
    folder = directory / "actuals"
    folder.mkdir()
    for quarter, body in actuals.items():
        (folder / f"{quarter}.yaml").write_text(dump({"quarter": str(quarter), "metrics": {}, **body}),
                                                encoding="utf-8")


def _run(tmp_path: Path, code: str, patch: dict | None, actuals: dict | None = None,
         base: str | None = None) -> tuple[Path, list]:
    plan = write_plan(tmp_path, apply_patch(case_base(base), patch or {}))
    write_actuals(tmp_path, actuals or {})
    return plan, run_check(load_plan(str(plan)), select=[code]).findings


def where(finding: Finding, folder: Path) -> str:
    """FILE:LINE:COLUMN as ``check`` prints it, FILE relative to the case's folder."""
    loc = finding.location
    return f"{Path(loc.file).relative_to(folder).as_posix()}:{loc.line}:{loc.column}"


@pytest.mark.parametrize("code,case", ALL_CASES)
def test_rule_case(tmp_path: Path, code: str, case: dict) -> None:
    assert "findings" in case, "a case lists every finding it expects (findings: [] when quiet)"
    plan, found = _run(tmp_path, code, case.get("patch"), case.get("actuals"), case.get("base"))
    expected = case["findings"]
    for e in expected:
        assert {"at", "quarter", "where", "message"} <= set(e) <= FINDING_KEYS, (
            f"a finding states at, quarter, where and its whole message (tests/tools/fill_findings.py): {e}")
    default_severity = case.get("severity", REGISTRY[code].severity)
    got = [(f.code, f.location.path, None if f.quarter is None else str(f.quarter),
            [r.path for r in f.related], f.severity) for f in found]
    want = [(code, e["at"], None if e["quarter"] is None else str(e["quarter"]),
             e.get("related", []), e.get("severity", default_severity)) for e in expected]
    assert got == want, "\n".join(f.message for f in found)
    for f, e in zip(found, expected):
        assert f.location.file == str(plan)
        if "segment" in e:  # the segment a finding is about (null: the company's)
            assert f.segment == e["segment"], f.message
        if "related_files" in e:
            assert [Path(r.file).name for r in f.related] == e["related_files"]
        assert (where(f, tmp_path), f.message) == (e["where"], e["message"])


def test_every_rule_code_has_its_case_file() -> None:
    """tests/rule_cases/CODE.yaml for every code the checker knows (`gtmplan rules`), and no other."""
    codes = {r.code for r in all_rules()}
    assert codes - set(CASE_FILES) == set(), "rule codes without tests/rule_cases/CODE.yaml"
    assert set(CASE_FILES) - codes == set(), "case files for no rule the checker knows"


def test_every_rule_has_firing_and_quiet_cases() -> None:
    fires = {c.values[0] for c in ALL_CASES if c.values[1]["findings"]}
    quiet = {c.values[0] for c in ALL_CASES if not c.values[1]["findings"]}
    codes = {r.code for r in all_rules()}
    assert codes - fires == set(), "rules without a firing case"
    assert codes - quiet == set(), "rules without a quiet case"


# -- each rule's documented example is a checkable pair ---------------------------------------

def example_pair(rule: Rule) -> tuple[dict, dict]:
    """The plan fragments under "Fires ...:" and "Quiet ...:" in a rule's "Example:" section
    (what 'gtmplan rules CODE' shows), as patches of the base plan."""
    doc = rule.documentation()
    example = doc.split("Example:", 1)[1]
    blocks: dict[str, list[str]] = {}
    current = None
    for line in example.splitlines():
        indent = len(line) - len(line.lstrip())
        if indent == 4 and line.lstrip().startswith(("Fires", "Quiet")):
            current = line.split()[0].rstrip(":").lower()
            blocks[current] = []
        elif indent > 4 and current is not None:  # the plan fragment (a header may run on at indent 4)
            blocks[current].append(line)
    assert set(blocks) == {"fires", "quiet"}, f"{rule.code}: Example needs a 'Fires ...:' and a 'Quiet ...:' block"
    return tuple(yaml.safe_load(textwrap.dedent("\n".join(blocks[k]))) for k in ("fires", "quiet"))


def _plan_and_actuals(fragment: dict) -> tuple[dict, dict]:
    """An example's plan patch, and its ``actuals/QUARTER.yaml:`` keys as recorded quarters."""
    plan = {k: v for k, v in fragment.items() if not k.startswith("actuals/")}
    actuals = {k.removeprefix("actuals/").removesuffix(".yaml"): v
               for k, v in fragment.items() if k.startswith("actuals/")}
    return plan, actuals


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_documentation_example_fires_and_its_near_miss_is_quiet(tmp_path: Path, rule: Rule) -> None:
    fires, quiet = example_pair(rule)
    for d in ("fires", "quiet"):
        (tmp_path / d).mkdir()
    _, found = _run(tmp_path / "fires", rule.code, *_plan_and_actuals(fires))
    assert found, f"{rule.code}: the documented example does not fire"
    _, found = _run(tmp_path / "quiet", rule.code, *_plan_and_actuals(quiet))
    assert found == [], f"{rule.code}: the documented near miss fires: " + "; ".join(f.message for f in found)


def test_catalogue_matches_rules_md() -> None:
    """Codes, names and default severities are public contract (docs/reference/rules.md)."""
    expected = {
        "A101": ("assumption-mismatch", "error"), "A102": ("mql-shortfall", "error"),
        "A103": ("pipeline-before-plan", "warning"), "A104": ("capacity-shortfall", "error"),
        "A105": ("unworked-leads", "warning"), "A106": ("missing-assumption", "error"),
        "G301": ("one-sided-goal", "warning"), "G302": ("no-primary-objective", "warning"),
        "G303": ("goal-target-mismatch", "error"), "G304": ("no-shared-goals", "warning"),
        "L201": ("mql-outside-icp", "warning"), "L202": ("sql-unreachable", "error"),
        "L203": ("definition-not-agreed", "error"), "L204": ("no-follow-up-sla", "warning"),
        "L205": ("untargeted-program", "warning"),
        "B401": ("over-budget", "error"), "B403": ("channel-concentration", "warning"),
        "B404": ("program-without-forecast", "warning"), "B405": ("program-outside-horizon", "warning"),
        "R501": ("quarter-without-review", "error"), "R502": ("one-sided-review", "error"),
        "R503": ("next-review-not-scheduled", "warning"), "R504": ("review-without-feedback", "info"),
        "F601": ("no-lead-source-question", "warning"), "F602": ("no-win-loss-loop", "warning"),
        "F603": ("content-unused-by-sales", "warning"), "F604": ("stage-without-content", "info"),
        "F605": ("no-competitive-intel", "info"),
        "E701": ("assumption-contradicted", "warning"), "E702": ("weak-program", "warning"),
        # 0.3
        "A107": ("segment-without-sellers", "error"), "G305": ("segment-targets-mismatch", "error"),
    }
    assert {r.code: (r.name, r.severity) for r in all_rules()} == expected
    # and the contract page states the same: a table row `| CODE | name | severity |`, or for the
    # 0.3 additions a bullet `- **CODE name** (severity)`
    text = (ROOT / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([A-Z]\d{3}) \| ([a-z-]+) \| (error|warning|info) \|", text, re.M)
    bullets = re.findall(r"^- \*\*([A-Z]\d{3}) ([a-z-]+)\*\* \((error|warning|info)\)", text, re.M)
    assert {code: (name, sev) for code, name, sev in rows + bullets} == expected


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_documentation_explains_rationale_trigger_fix_and_example(rule: Rule) -> None:
    doc = rule.documentation()
    for section in ("Why:", "Fires when:", "How to fix:", "Example:"):
        assert section in doc, f"{rule.code} docstring lacks {section}"


def test_clean_plan_reports_nothing(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, base_plan())
    assert run_check(load_plan(str(plan))).findings == []
