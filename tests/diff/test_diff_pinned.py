"""gtmplan diff pinned where mutation testing found it loose (issue 21).

docs/reference/cli.md, 'diff': inputs compared path by path (items with an id by id, other
lists of mappings by position), each located in the side that holds it; figures as funnel
shows them; findings matched by code, path (items by id), quarter and segment. The plans are
tests/data/base_plan.yaml (and segments_plan.yaml) patched; line numbers are those of the
plans as yaml.safe_dump writes them (quoted in the comments).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gtmplan.cli import run

DATA = Path(__file__).resolve().parents[1] / "data"


def _data(name: str = "base_plan.yaml") -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _write(name: str, data: dict) -> str:
    Path(name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return name


@pytest.fixture
def diff(capsys: pytest.CaptureFixture[str], tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str, str]]:
    monkeypatch.chdir(tmp_path)

    def _run(base: dict, head: dict, *args: str) -> tuple[int, str, str]:
        _write("base.yaml", base)
        _write("head.yaml", head)
        capsys.readouterr()
        code = run(["diff", "head.yaml", "--base", "base.yaml", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def _section(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1:end]


# -- inputs: lists without ids, by position ---------------------------------------------------

def test_a_change_inside_sales_team_and_reviews_by_position(diff: Callable[..., tuple[int, str, str]]) -> None:
    base = _data()
    base["currency"] = "EUR"
    base["sales"]["team"].append({"role": "SE", "count": 1, "annual_quota": 100000})
    head = copy.deepcopy(base)
    head["sales"]["team"][0]["count"] = 3
    head["reviews"][1]["agenda"] = ["win-loss"]
    code, out, err = diff(base, head)
    assert code == 0, err
    # head.yaml line 62 is reviews[1]'s "agenda:" list, line 110 the first team row's "count: 3"
    assert _section(out, "Inputs changed") == [
        '  reviews[1].agenda: ["lead-quality"] -> ["win-loss"]   (head.yaml:62:3)',
        "  sales.team[0].count: 2 -> 3   (head.yaml:110:12)",
    ]
    # 3 x 240,000 / 4 + 100,000 / 4 = 205,000 against 2 x 60,000 + 25,000 = 145,000
    assert _section(out, "Funnel figures that moved") == [
        f"  2027Q{n}  capacity: €145,000 -> €205,000 (+€60,000)" for n in (1, 2, 3, 4)]


def test_a_row_removed_is_located_in_the_base_and_a_row_added_in_the_head(diff: Callable[..., tuple[int, str, str]]) -> None:
    base = _data()
    base["sales"]["team"].append({"role": "SE", "count": 1, "annual_quota": 100000})
    head = _data()
    code, out, _ = diff(base, head, "-f", "json")
    doc = json.loads(out)
    # base.yaml line 112 is the second team row (the one head lacks)
    assert doc["inputs"] == [{"path": "sales.team[1]", "old": {"role": "SE", "count": 1, "annual_quota": 100000},
                              "new": None, "file": "base.yaml", "line": 112, "column": 5}]
    code, out, _ = diff(head, base, "-f", "json")
    assert json.loads(out)["inputs"] == [{"path": "sales.team[1]", "old": None,
                                          "new": {"role": "SE", "count": 1, "annual_quota": 100000},
                                          "file": "head.yaml", "line": 112, "column": 5}]


# -- inputs: items with ids, reordered ---------------------------------------------------------

def test_programs_reordered_and_one_changed_are_matched_by_id(diff: Callable[..., tuple[int, str, str]]) -> None:
    base = _data()
    head = _data()
    webinars, seo, events = head["marketing"]["programs"]
    webinars["cost"] = 12000
    head["marketing"]["programs"] = [seo, events, webinars]
    code, out, _ = diff(base, head)
    # head.yaml line 152 is webinars' "cost: 12000", now the third program
    assert _section(out, "Inputs changed") == ["  marketing.programs[webinars].cost: 10000 -> 12000   (head.yaml:152:11)"]


def test_findings_on_a_program_that_moved_are_neither_new_nor_resolved(diff: Callable[..., tuple[int, str, str]]) -> None:
    """B403 points at seo's channel (marketing.programs[1], then [2] once a program is added in
    front of it): the same finding, matched by seo's id, not by its position."""
    base = _data()
    base["marketing"]["programs"][0]["expected_mqls"] = 10  # seo's 400 of 520 MQLs: B403
    head = copy.deepcopy(base)
    head["marketing"]["programs"].insert(0, {"id": "ads", "channel": "paid", "segments": ["core"],
                                             "quarters": ["2027Q1"], "cost": 100, "expected_mqls": 1})
    code, out, _ = diff(base, head, "-f", "json")
    doc = json.loads(out)
    assert doc["findings"] == {"new": [], "resolved": []}
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 0, "resolved": 0}


# -- figures as funnel shows them --------------------------------------------------------------

def test_a_figure_that_appears_or_goes_and_one_that_is_a_quarter(diff: Callable[..., tuple[int, str, str]]) -> None:
    base = _data()
    base["sales"]["assumptions"]["sales_cycle_days"] = 91
    base["sales"]["opening_pipeline"] = 400000
    code, out, _ = diff(base, _data(), "-f", "md")
    # a 91-day cycle: created a quarter earlier; 2027Q4's MQLs served 2028Q1, past the plan (–);
    # a text figure (a quarter) and one that was unknown have no change to show
    assert "\n".join([
        "| Quarter | Figure | Before | After | Change |",
        "|---|---|---:|---:|---:|",
        "| 2027Q1 | created in | 2026Q4 | 2027Q1 |  |",
        "| 2027Q2 | created in | 2027Q1 | 2027Q2 |  |",
        "| 2027Q3 | created in | 2027Q2 | 2027Q3 |  |",
        "| 2027Q4 | created in | 2027Q3 | 2027Q4 |  |",
        "| 2027Q4 | mqls demanded | – | 200 |  |",
    ]) in out


def test_a_segments_money_figure_is_money(diff: Callable[..., tuple[int, str, str]]) -> None:
    base = _data("segments_plan.yaml")
    head = copy.deepcopy(base)
    head["marketing"]["programs"][1]["cost"] = 9000  # seo is smb's: smb's program cost 13,000 -> 14,000
    code, out, _ = diff(base, head)
    moved = _section(out, "Funnel figures that moved")
    assert "  2027Q1  smb: program cost: $13,000 -> $14,000 (+$1,000)" in moved
    assert "  2027Q1  program cost: $18,000 -> $19,000 (+$1,000)" in moved


def test_a_new_finding_in_the_md_comment_names_its_quarter_and_place(diff: Callable[..., tuple[int, str, str]]) -> None:
    head = _data()
    head["marketing"]["programs"][0]["expected_mqls"] = 10
    code, out, _ = diff(_data(), head, "-f", "md")
    # head.yaml line 121 is marketing.programs
    assert ("- ❌ **A102** error (2027Q1): marketing plans 130 MQLs in 2027Q1; sales' target for 2027Q1 "
            "($100,000) needs 200 in the same quarter (short by 70, 35%) (`head.yaml:121`)") in out.splitlines()


def test_programs_reordered_one_added_one_removed(diff: Callable[..., tuple[int, str, str]]) -> None:
    base = _data()
    head = _data()
    webinars, seo, _events = head["marketing"]["programs"]
    webinars["cost"] = 12000
    ads = {"id": "ads", "channel": "paid", "segments": ["core"], "quarters": ["2027Q1"], "cost": 100, "expected_mqls": 1}
    head["marketing"]["programs"] = [seo, ads, webinars]
    code, out, _ = diff(base, head, "-f", "json")
    # added and changed: located in the head (ads' row on line 132, webinars' cost on line 149);
    # removed: in the base, where events was (line 143, column 5: its row)
    assert json.loads(out)["inputs"] == [
        {"path": "marketing.programs[ads]", "old": None, "new": ads, "file": "head.yaml", "line": 132, "column": 5},
        {"path": "marketing.programs[webinars].cost", "old": 10000, "new": 12000, "file": "head.yaml", "line": 149,
         "column": 11},
        {"path": "marketing.programs[events]", "old": _events, "new": None, "file": "base.yaml", "line": 143,
         "column": 5},
    ]


def test_the_whole_text_report_of_small_and_rounded_changes(diff: Callable[..., tuple[int, str, str]]) -> None:
    """Each change as the page shows it: before + change = after, money and counts apart."""
    head = _data()
    head["sales"]["assumptions"]["win_rate"] = 0.2501  # 40 -> 39.98 opportunities: 40 both, rounded up
    head["sales"]["team"][0]["annual_quota"] = 240001  # capacity 120,000 -> 120,000.50: shown alike
    head["marketing"]["budget"]["2027Q1"] = 24000
    head["sales"]["targets"]["2027Q2"] = 90000  # 9 deals / 0.2501 = 35.99 -> 36 opportunities, ...
    code, out, _ = diff(_data(), head)
    same = ["opportunities: 40 -> 40", "sqls: 80 -> 80", "mqls needed: 200 -> 200", "leads needed: 800 -> 800",
            "mqls demanded: 200 -> 200"]
    alike = [f"{s} (less than 1 (rounded up alike))" for s in same]
    capacity = "capacity: $120,000 -> $120,000 (less than 1)"
    assert out == "\n".join([
        "gtmplan diff: base.yaml -> working tree",
        "No new error; sales capacity coverage in 2027Q2 rises from 120% to 133% of the target.",
        "",
        "Inputs changed (4):",
        "  sales.targets.2027Q2: 100000 -> 90000   (head.yaml:98:13)",
        "  sales.assumptions.win_rate: 0.25 -> 0.2501   (head.yaml:105:15)",
        "  sales.team[0].annual_quota: 240000 -> 240001   (head.yaml:111:19)",
        "  marketing.budget.2027Q1: 25000 -> 24000   (head.yaml:114:13)",
        "",
        "Funnel figures that moved:",
        *(f"  2027Q1  {s}" for s in alike),
        f"  2027Q1  {capacity}",
        "  2027Q1  budget: $25,000 -> $24,000 (−$1,000)",
        "  2027Q2  target: $100,000 -> $90,000 (−$10,000)",
        "  2027Q2  deals: 10 -> 9 (−1)",
        "  2027Q2  opportunities: 40 -> 36 (−4)",
        "  2027Q2  sqls: 80 -> 72 (−8)",
        "  2027Q2  mqls needed: 200 -> 180 (−20)",
        "  2027Q2  leads needed: 800 -> 720 (−80)",
        "  2027Q2  mqls demanded: 200 -> 180 (−20)",
        f"  2027Q2  {capacity}",
        *(f"  2027Q3  {s}" for s in alike),
        f"  2027Q3  {capacity}",
        *(f"  2027Q4  {s}" for s in alike),
        f"  2027Q4  {capacity}",
        "",
        "4 inputs changed, figures moved in 4 quarters, 0 new errors, 0 new warnings, 0 new info, 0 resolved",
        "",
    ])


def test_no_change_is_the_title_and_one_line(diff: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = diff(_data(), _data())
    assert (code, out) == (0, "gtmplan diff: base.yaml -> working tree\nNo change to the plan's numbers or findings.\n")


def _to_zero_and_back() -> tuple[dict, dict]:
    base = _data()
    head = _data()
    head["sales"]["assumptions"]["sales_cycle_days"] = 91
    head["marketing"]["budget"]["2027Q1"] = 0
    for p in head["marketing"]["programs"]:
        p["quarters"] = [q for q in p["quarters"] if q != "2027Q1"]
    head["sales"]["team"][0]["annual_quota"] = 240002  # 2 x 240,002 / 4 = 120,001: one more
    head["sales"]["targets"]["2027Q3"] = 110000  # 11 deals instead of 10: one more
    return base, head


def test_figures_going_to_zero_and_up_by_one_in_text(diff: Callable[..., tuple[int, str, str]]) -> None:
    base, head = _to_zero_and_back()
    code, out, _ = diff(base, head)
    moved = _section(out, "Funnel figures that moved")
    for line in ["  2027Q1  created in: 2027Q1 -> 2026Q4",  # a quarter: no change to show
                 "  2027Q1  mqls planned: 220 -> 0 (−220)",
                 "  2027Q1  capacity: $120,000 -> $120,001 (+$1)",
                 "  2027Q1  program cost: $20,000 -> $0 (−$20,000)",
                 "  2027Q1  budget: $25,000 -> $0 (−$25,000)",
                 "  2027Q3  deals: 10 -> 11 (+1)",
                 "  2027Q4  mqls demanded: 200 -> –"]:
        assert line in moved
    # the head's new findings, located there (G303 at the goal's target, A103 at sales, A102 at
    # marketing.programs)
    new = _section(out, "New findings (3):")
    assert [line.split()[0] for line in new] == ["head.yaml:17:11", "head.yaml:96:3", "head.yaml:121:3"]
    assert new[2].endswith("A102 error: marketing plans 0 MQLs in 2027Q1; sales' target for 2027Q2 ($100,000) needs "
                           "200 created then (short by 200, 100%)")


def test_figures_coming_from_zero_and_resolved_findings_in_text(diff: Callable[..., tuple[int, str, str]]) -> None:
    base, head = _to_zero_and_back()
    code, out, _ = diff(head, base)
    moved = _section(out, "Funnel figures that moved")
    for line in ["  2027Q1  mqls planned: 0 -> 220 (+220)",
                 "  2027Q1  program cost: $0 -> $20,000 (+$20,000)",
                 "  2027Q1  budget: $0 -> $25,000 (+$25,000)",
                 "  2027Q1  capacity: $120,001 -> $120,000 (−$1)",
                 "  2027Q3  deals: 11 -> 10 (−1)"]:
        assert line in moved
    resolved = _section(out, "Resolved findings (3):")  # located in the side that had them
    assert [line.split()[0] for line in resolved] == ["base.yaml:17:11", "base.yaml:96:3", "base.yaml:121:3"]


def test_a_pipeline_source_that_appears_is_compared_figure_by_figure(gtm) -> None:
    # lumen-analytics has no other_pipeline; brightwater-pumps has its installed base, whose
    # opportunities (7.06 in 2027Q1: the funnel's other_by_source) show rounded up as 8. The
    # per-source figures are compared one by one; before, a mapping reached the number formatter
    # and diff ended in a traceback.
    from conftest import BRIGHTWATER, LUMEN

    r = gtm("diff", "--base", LUMEN, "--head", BRIGHTWATER)
    assert r.code == 0
    assert "  2027Q1  other by source[installed-base]: – -> 8" in r.out.splitlines()
    doc = json.loads(gtm("diff", "--base", LUMEN, "--head", BRIGHTWATER, "-f", "json").out)
    q1 = next(q for q in doc["quarters"] if q["quarter"] == "2027Q1")
    assert q1["figures"]["other_by_source[installed-base]"]["old"] is None
    assert round(q1["figures"]["other_by_source[installed-base]"]["new"], 4) == 7.0588
