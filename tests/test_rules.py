"""Every rule of rules.md, driven by the cases in tests/rule_cases/*.yaml.

Each case patches the clean base plan (tests/data/base_plan.yaml), runs only the
rule under test, and states how often it fires and, optionally, where (dotted
path), about which quarter, with which numbers in the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import TESTS, apply_patch, base_plan, dump, write_plan
from gtmplan.checker import run_check
from gtmplan.loader import load_plan
from gtmplan.rules import REGISTRY, all_rules

CASES_DIR = TESTS / "rule_cases"


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for code, cases in yaml.safe_load(path.read_text(encoding="utf-8")).items():
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


@pytest.mark.parametrize("code,case", ALL_CASES)
def test_rule_case(tmp_path: Path, code: str, case: dict):
    plan = write_plan(tmp_path, apply_patch(base_plan(), case.get("patch") or {}))
    write_actuals(tmp_path, case.get("actuals") or {})
    result = run_check(load_plan(str(plan)), select=[code])
    found = [f for f in result.findings if f.code == code]
    assert len(found) == case["fires"], "\n".join(f.message for f in found)
    if not found:
        return
    first = found[0]
    if "quarter" in case:
        assert first.quarter == str(case["quarter"])
    if "at" in case:
        assert first.location.path == case["at"]
        assert first.location.file == str(plan)
    if "related" in case:
        assert [r.path for r in first.related] == case["related"]
    if "related_files" in case:
        assert [Path(r.file).name for r in first.related] == case["related_files"]
    for text in case.get("messages", []):
        assert text in first.message, first.message
    assert first.severity == case.get("severity", REGISTRY[code].severity)


def test_every_rule_has_firing_and_quiet_cases():
    fires = {c.values[0] for c in ALL_CASES if c.values[1]["fires"] > 0}
    quiet = {c.values[0] for c in ALL_CASES if c.values[1]["fires"] == 0}
    codes = {r.code for r in all_rules()}
    assert codes - fires == set(), "rules without a firing case"
    assert codes - quiet == set(), "rules without a quiet case"


def test_catalogue_matches_rules_md():
    """Codes, names and default severities are public contract (rules.md)."""
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
    }
    assert {r.code: (r.name, r.severity) for r in all_rules()} == expected


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_documentation_explains_rationale_trigger_fix_and_example(rule):
    doc = rule.documentation()
    for section in ("Why:", "Fires when:", "How to fix:", "Example:"):
        assert section in doc, f"{rule.code} docstring lacks {section}"


def test_clean_plan_reports_nothing(tmp_path):
    plan = write_plan(tmp_path, base_plan())
    assert run_check(load_plan(str(plan))).findings == []
