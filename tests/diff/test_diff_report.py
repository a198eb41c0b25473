"""gtmplan diff's three renderings pinned whole (issue 21): the text for people, the
pull-request comment (``--format md``) and the JSON, for hand-made plan pairs.

docs/reference/cli.md, 'gtmplan diff [PLAN] --base REV|PATH [--head REV|PATH]': inputs (old,
new, where), the funnel figures that moved per quarter (as funnel shows them: money, counts
rounded up), the findings new and resolved, one summary line; in md a first line that says what
matters most (new errors first, then the largest change in an MQL shortfall or in capacity
coverage), then tables, at most 60,000 characters. The plans are tests/data/base_plan.yaml (and
segments_plan.yaml) patched; line numbers are those of the plans as yaml.safe_dump writes them.
Its figures, per quarter: 100,000 target / 10,000 a deal = 10 deals / 0.25 = 40 opportunities
/ 0.5 = 80 SQLs / 0.4 = 200 MQLs demanded; planned 100 (webinars) + 400 leads x 0.25 (seo) + 20
(events) = 220; capacity 2 AEs x 240,000 / 4 = 120,000 (coverage 120%).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import DATA, base_plan, git, run_cli, write_plan

from gtmplan.commands.diff.report import CUT_NOTE, MD_LIMIT, cut

Diff = Callable[..., str]


@pytest.fixture
def diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Diff:
    """diff(base, head, fmt): gtmplan diff head.yaml --base base.yaml -f FMT, which must succeed; its stdout."""
    monkeypatch.chdir(tmp_path)

    def _run(base: dict, head: dict, fmt: str = "text") -> str:
        write_plan(tmp_path, base, "base.yaml")
        write_plan(tmp_path, head, "head.yaml")
        r = run_cli("diff", "head.yaml", "--base", "base.yaml", "-f", fmt)
        assert r.code == 0, r.err
        return r.out

    return _run


def _first(out: str, fmt: str) -> str:
    """The line that says what matters most: md's first, text's second (after its title)."""
    return out.splitlines()[0 if fmt == "md" else 1]


def _segments() -> dict:
    return yaml.safe_load((DATA / "segments_plan.yaml").read_text(encoding="utf-8"))


def _with(plan: dict, *changes: tuple[str, object]) -> dict:
    """plan with each dotted path set (list items by index): _with(p, ("sales.targets.2027Q1", 1))."""
    out = copy.deepcopy(plan)
    for path, v in changes:
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = v
    return out


# -- the whole comment ----------------------------------------------------------------------

def _warnings_info_and_a_resolved_error() -> tuple[dict, dict]:
    base = _with(base_plan(), ("lead_definition.agreed_by", ["marketing"]))  # L203 (an error)
    head = base_plan()
    head["company"] = "Acme | `x` <b>y</b> *z*\r\nnext @bob #12 https://x.io www.y.com"
    del head["feedback"]["lead_source_question"]  # F601, a warning
    del head["marketing"]["content"][2]  # nothing for the decision stage: F604, info
    head["marketing"]["content"][0]["used_by_sales"] = False
    head["sales"]["targets"]["2027Q4"] = 100004
    head["marketing"]["budget"]["2027Q1"] = 24000
    head["marketing"]["budget"]["2027Q2"] = 25000.4
    head["goals"][0]["owners"] = ["sales"]  # G301, a warning
    return base, head


# 2027Q4's target 100,004: 10.0004 deals -> 11 shown; 40.0016 opportunities -> 41; 80.0032 SQLs -> 81;
# 200.008 MQLs -> 201; 800.032 leads -> 801 (counts rounded up, each one more). 2027Q2's budget
# 25,000.40 shows as $25,000 on both sides: a change of less than 1.
FIGURES = [
    ("2027Q1", "budget", "$25,000", "$24,000", "−$1,000"),
    ("2027Q2", "budget", "$25,000", "$25,000", "less than 1"),
    ("2027Q4", "target", "$100,000", "$100,004", "+$4"),
    ("2027Q4", "deals", "10", "11", "+1"),
    ("2027Q4", "opportunities", "40", "41", "+1"),
    ("2027Q4", "sqls", "80", "81", "+1"),
    ("2027Q4", "mqls needed", "200", "201", "+1"),
    ("2027Q4", "leads needed", "800", "801", "+1"),
    ("2027Q4", "mqls demanded", "200", "201", "+1"),
]
G301 = "goal 'bookings' is owned by sales only: add marketing so that both sides answer for it"
F601 = 'no lead-source question: set feedback.lead_source_question (e.g. "How did you hear about us?")'
F604 = "no content asset serves the decision stage"
L203 = "the qualified-lead definition is agreed by marketing only: sales must sign it off too"


def test_the_whole_md_comment_escapes_user_text_and_marks_each_severity(diff: Diff) -> None:
    """Headings with their counts, a mark per severity (❌ error, ⚠️ warning, ℹ️ info, ✅ resolved),
    right-aligned figures, and the company's name as text: the pipe cannot split its cell, the
    backticks, HTML and emphasis stay literal, the line break is a space, and @bob, #12, the URL
    and www. link or notify nobody (a zero-width space, &#8203;)."""
    out = diff(*_warnings_info_and_a_resolved_error(), "md")
    company = ("Acme \\| \\`x\\` \\<b\\>y\\</b\\> \\*z\\*  next @&#8203;bob \\#&#8203;12 "
               "https:&#8203;//x.io www&#8203;.y.com")
    assert out == "\n".join([
        f"⚠️ No new error; **2 new warnings**: G301 {G301}.",
        "",
        "### New findings (3)",
        "",
        f"- ⚠️ **G301** warning: {G301} (`head.yaml:13`)",
        f"- ⚠️ **F601** warning: {F601.replace('_', chr(92) + '_')} (`head.yaml:82`)",
        f"- ℹ️ **F604** info: {F604} (`head.yaml:153`)",
        "",
        "### Resolved findings (1)",
        "",
        f"- ✅ **L203** error: {L203} (`base.yaml:33`)",
        "",
        "### Funnel figures that moved",
        "",
        "| Quarter | Figure | Before | After | Change |",
        "|---|---|---:|---:|---:|",
        *(f"| {q} | {name} | {old} | {new} | {change} |" for q, name, old, new, change in FIGURES),
        "",
        "### Inputs changed (9)",
        "",
        "| Input | Before | After | Where |",
        "|---|---|---|---|",
        f"| `company` | Testco | {company} | `head.yaml:2` |",
        '| `goals[bookings].owners` | \\["sales", "marketing"\\] | \\["sales"\\] | `head.yaml:13` |',
        '| `lead_definition.agreed_by` | \\["marketing"\\] | \\["sales", "marketing"\\] | `head.yaml:32` |',
        "| `feedback.lead_source_question` | How did you hear about us? | – | `base.yaml:82` |",
        "| `sales.targets.2027Q4` | 100000 | 100004 | `head.yaml:98` |",
        "| `marketing.budget.2027Q1` | 25000 | 24000 | `head.yaml:112` |",
        "| `marketing.budget.2027Q2` | 25000 | 25000.4 | `head.yaml:113` |",
        "| `marketing.content[guide].used_by_sales` | true | false | `head.yaml:155` |",
        '| `marketing.content[roi]` | {"id": "roi", "stage": "decision", "used\\_by\\_sales": true} | – '
        "| `base.yaml:160` |",
        "",
        "<sub>9 inputs changed, figures moved in 3 quarters, 0 new errors, 2 new warnings, 1 new info, "
        "1 resolved; base `base.yaml`, head `working tree`.</sub>",
        "",
    ])


def test_the_whole_text_report_of_the_same_change(diff: Diff) -> None:
    out = diff(*_warnings_info_and_a_resolved_error())
    assert out == "\n".join([
        "gtmplan diff: base.yaml -> working tree",
        f"No new error; 2 new warnings: G301 {G301}.",
        "",
        "Inputs changed (9):",
        "  company: Testco -> Acme | `x` <b>y</b> *z*\\x0d\\x0anext @bob #12 https://x.io www.y.com   (head.yaml:2:10)",
        '  goals[bookings].owners: ["sales", "marketing"] -> ["sales"]   (head.yaml:13:3)',
        '  lead_definition.agreed_by: ["marketing"] -> ["sales", "marketing"]   (head.yaml:32:3)',
        "  feedback.lead_source_question: How did you hear about us? -> –   (base.yaml:82:25)",
        "  sales.targets.2027Q4: 100000 -> 100004   (head.yaml:98:13)",
        "  marketing.budget.2027Q1: 25000 -> 24000   (head.yaml:112:13)",
        "  marketing.budget.2027Q2: 25000 -> 25000.4   (head.yaml:113:13)",
        "  marketing.content[guide].used_by_sales: true -> false   (head.yaml:155:20)",
        '  marketing.content[roi]: {"id": "roi", "stage": "decision", "used_by_sales": true} -> –   (base.yaml:160:5)',
        "",
        "Funnel figures that moved:",
        *(f"  {q}  {name}: {old} -> {new} ({change})" for q, name, old, new, change in FIGURES),
        "",
        "New findings (3):",
        f"  head.yaml:13:3 G301 warning: {G301}",
        f"  head.yaml:82:3 F601 warning: {F601}",
        f"  head.yaml:153:3 F604 info: {F604}",
        "",
        "Resolved findings (1):",
        f"  base.yaml:33:3 L203 error: {L203}",
        "",
        "9 inputs changed, figures moved in 3 quarters, 0 new errors, 2 new warnings, 1 new info, 1 resolved",
        "",
    ])


def test_the_whole_json_document(diff: Diff) -> None:
    """Exact keys and values: inputs located where they are (a removed item in the base), each
    figure with its exact old, new and delta (25,000 -> 24,000.50: -999.50), findings as check's
    JSON, and the summary's counts."""
    base = _with(base_plan(), ("lead_definition.agreed_by", ["marketing"]))
    head = _with(base_plan(), ("company", "Acme"), ("marketing.budget.2027Q1", 24000.5))
    del head["marketing"]["content"][2]
    doc = json.loads(diff(base, head, "json"))
    assert doc == {
        "base": "base.yaml", "head": "working tree", "changed": True,
        "inputs": [
            {"path": "company", "old": "Testco", "new": "Acme", "file": "head.yaml", "line": 2, "column": 10},
            {"path": "lead_definition.agreed_by", "old": ["marketing"], "new": ["sales", "marketing"],
             "file": "head.yaml", "line": 33, "column": 3},
            {"path": "marketing.budget.2027Q1", "old": 25000, "new": 24000.5, "file": "head.yaml", "line": 114,
             "column": 13},
            {"path": "marketing.content[roi]", "old": {"id": "roi", "stage": "decision", "used_by_sales": True},
             "new": None, "file": "base.yaml", "line": 160, "column": 5},
        ],
        "quarters": [{"quarter": "2027Q1", "figures": {"budget": {"old": 25000.0, "new": 24000.5, "delta": -999.5}}}],
        "findings": {
            "new": [{"code": "F604", "name": "stage-without-content", "severity": "info", "message": F604,
                     "file": "head.yaml", "line": 155, "column": 3, "path": "marketing.content", "quarter": None,
                     "related": []}],
            "resolved": [{"code": "L203", "name": "definition-not-agreed", "severity": "error", "message": L203,
                          "file": "base.yaml", "line": 33, "column": 3, "path": "lead_definition.agreed_by",
                          "quarter": None, "related": []}],
        },
        "summary": {"inputs": 4, "new_errors": 0, "new_warnings": 0, "new_info": 1, "resolved": 1},
    }


# -- values as people read them ---------------------------------------------------------------

def _values() -> tuple[dict, dict]:
    base = _with(base_plan(), ("check", {"max_channel_share": 0.5}))
    head = copy.deepcopy(base)
    head["company"] = "C" * 80  # 80 characters: shown whole
    head["feedback"]["lead_source_question"] = "Q" * 81  # 81: cut to 79 and "…"
    head["icp"]["segments"][0]["buyer_roles"] = ["é" + "t" * 75]  # ["é...t"]: 2 + 76 + 2 = 80 characters, é kept
    head["feedback"]["content_feedback"]["panel"] = ["u" * 77]  # 2 + 77 + 2 = 81: cut
    head["marketing"]["content"][0]["used_by_sales"] = False
    # a whole float reads as a whole number (1, not 1.0); more digits than %g shows: all of them
    head["check"] = {"max_channel_share": 1.0, "tolerance": 0.123456789}
    head["marketing"]["budget"]["2027Q3"] = 1.0e15  # from 10^15 on, a float is written out whole
    head["marketing"]["budget"]["2027Q4"] = 25000.5
    return base, head


def test_values_in_the_text_report(diff: Diff) -> None:
    out = diff(*_values())
    assert out == "\n".join([
        "gtmplan diff: base.yaml -> working tree",
        "No new error or warning; funnel figures move in 2 quarters.",
        "",
        "Inputs changed (9):",
        f"  company: Testco -> {'C' * 80}   (head.yaml:2:10)",
        f'  icp.segments[core].buyer_roles: – -> ["é{"t" * 75}"]   (head.yaml:32:5)',
        f"  feedback.lead_source_question: How did you hear about us? -> {'Q' * 79}…   (head.yaml:85:25)",
        f'  feedback.content_feedback.panel: ["aes"] -> ["{"u" * 77}…   (head.yaml:96:5)',
        "  marketing.budget.2027Q3: 25000 -> 1000000000000000.0   (head.yaml:118:13)",
        "  marketing.budget.2027Q4: 25000 -> 25000.5   (head.yaml:119:13)",
        "  marketing.content[guide].used_by_sales: true -> false   (head.yaml:159:20)",
        "  check.max_channel_share: 0.5 -> 1   (head.yaml:167:22)",
        "  check.tolerance: – -> 0.123456789   (head.yaml:168:14)",
        "",
        "Funnel figures that moved:",
        # 10^15 - 25,000 = 999,999,999,975,000; 25,000.50 rounds to $25,000 (to the even dollar)
        "  2027Q3  budget: $25,000 -> $1,000,000,000,000,000 (+$999,999,999,975,000)",
        "  2027Q4  budget: $25,000 -> $25,000 (less than 1)",
        "",
        "9 inputs changed, figures moved in 2 quarters, 0 new errors, 0 new warnings, 0 new info, 0 resolved",
        "",
    ])


def test_values_in_the_md_comment(diff: Diff) -> None:
    out = diff(*_values(), "md")
    assert out.split("### Inputs changed (9)\n\n")[1].splitlines()[:11] == [
        "| Input | Before | After | Where |",
        "|---|---|---|---|",
        f"| `company` | Testco | {'C' * 80} | `head.yaml:2` |",
        f'| `icp.segments[core].buyer_roles` | – | \\["é{"t" * 75}"\\] | `head.yaml:32` |',
        f"| `feedback.lead_source_question` | How did you hear about us? | {'Q' * 79}… | `head.yaml:85` |",
        f'| `feedback.content_feedback.panel` | \\["aes"\\] | \\["{"u" * 77}… | `head.yaml:96` |',
        "| `marketing.budget.2027Q3` | 25000 | 1000000000000000.0 | `head.yaml:118` |",
        "| `marketing.budget.2027Q4` | 25000 | 25000.5 | `head.yaml:119` |",
        "| `marketing.content[guide].used_by_sales` | true | false | `head.yaml:159` |",
        "| `check.max_channel_share` | 0.5 | 1 | `head.yaml:167` |",
        "| `check.tolerance` | – | 0.123456789 | `head.yaml:168` |",
    ]
    assert out.splitlines()[:7] == [
        "No new error or warning; funnel figures move in 2 quarters.",
        "",
        "### Funnel figures that moved",
        "",
        "| Quarter | Figure | Before | After | Change |",
        "|---|---|---:|---:|---:|",
        "| 2027Q3 | budget | $25,000 | $1,000,000,000,000,000 | +$999,999,999,975,000 |",
    ]


# -- the first line: what matters most -------------------------------------------------------

def _webinars(mqls: int, seo_leads: int = 400) -> dict:
    return _with(base_plan(), ("marketing.programs.0.expected_mqls", mqls), ("marketing.programs.1.expected_leads", seo_leads))


A102_Q1 = ("A102 marketing plans 130 MQLs in 2027Q1; sales' target for 2027Q1 ($100,000) needs 200 in the same "
           "quarter (short by 70, 35%)")


@pytest.mark.parametrize("fmt", ["md", "text"])
def test_more_than_two_new_errors_name_the_first_two_and_the_largest_move(diff: Diff, fmt: str) -> None:
    # webinars 100 -> 10 MQLs: 130 planned against 200 demanded in each quarter, short by 70 (a
    # new A102 per quarter and G303: 520 MQLs planned against the goal's 880); the shortfall
    # appears in every quarter alike (70 / 200), the last quarter is named
    line = _first(diff(base_plan(), _webinars(10), fmt), fmt)
    g303 = "G303 goal 'mqls' is 880 MQLs, but marketing's programs plan 520 over the horizon (differ by 41%)"
    errors = f"**5 new errors**: {g303}; {A102_Q1}; ..." if fmt == "md" else f"5 new errors: {g303}; {A102_Q1}; ..."
    assert line == (("❌ " if fmt == "md" else "") + errors.replace("_", "\\_" if fmt == "md" else "_")
                    + ". Also, a shortfall of 70 MQLs appears in 2027Q4 (MQLs created there for later deals).")


@pytest.mark.parametrize("fmt", ["md", "text"])
def test_two_new_errors_are_both_named_without_an_ellipsis(diff: Diff, fmt: str) -> None:
    # the horizon gains 2028Q1: its target and programs add a fifth quarter, so the targets add up to
    # 500,000 against the goal's 400,000 and the MQLs to 1,100 against 880 (G303 twice); no figure of
    # the four shared quarters moves, and 2028Q1 is only in the head (nothing to compare it with)
    head = base_plan()
    head["horizon"]["end"] = "2028Q1"
    head["sales"]["targets"]["2028Q1"] = 100000
    head["marketing"]["budget"]["2028Q1"] = 25000
    for program in head["marketing"]["programs"]:
        program["quarters"].append("2028Q1")
    line = _first(diff(base_plan(), head, fmt), fmt)
    errors = ("G303 goal 'bookings' is $400,000 of new bookings, but sales.targets add up to $500,000 over the "
              "horizon (differ by 20%); G303 goal 'mqls' is 880 MQLs, but marketing's programs plan 1,100 over the "
              "horizon (differ by 20%).")
    assert line == ("❌ **2 new errors**: " + errors.replace("_", "\\_") if fmt == "md" else "2 new errors: " + errors)


def test_one_new_error_and_no_move(diff: Diff) -> None:
    # 2027Q2's target 0: the targets add up to 300,000 against the goal's 400,000 (G303); 2027Q2's
    # coverage has no target to cover (unknown, not compared)
    line = _first(diff(base_plan(), _with(base_plan(), ("sales.targets.2027Q2", 0)), "md"), "md")
    assert line == ("❌ **1 new error**: G303 goal 'bookings' is $400,000 of new bookings, but sales.targets add up "
                    "to $300,000 over the horizon (differ by 25%).")
    line = _first(diff(_with(base_plan(), ("sales.targets.2027Q2", 0)), base_plan(), "md"), "md")
    assert line == "✅ No new finding; **1 finding** resolved."


@pytest.mark.parametrize("fmt", ["md", "text"])
def test_coverage_that_falls_outweighs_a_smaller_shortfall(diff: Diff, fmt: str) -> None:
    # 2027Q1's target 200,000: 400 MQLs demanded against 220 planned, a shortfall of 180 in 400
    # (0.45 of the demand); coverage 120,000 / 200,000 = 60%, from 120%: 0.60, the larger move
    # (three new errors: the first two named, then "...")
    line = _first(diff(base_plan(), _with(base_plan(), ("sales.targets.2027Q1", 200000)), fmt), fmt)
    assert line == ("❌ **3 new errors**: " if fmt == "md" else "3 new errors: ") + (
        "G303 goal 'bookings' is $400,000 of new bookings, but sales.targets add up to $500,000 over the horizon "
        "(differ by 20%); A104 sales capacity in 2027Q1 is $120,000 (2 sellers, all fully ramped, at 100% "
        "attainment); the target is $200,000 (short by $80,000, 40%); .... Also, sales capacity coverage in 2027Q1 "
        "falls from 120% to 60% of the target.")


@pytest.mark.parametrize("fmt", ["md", "text"])
def test_findings_resolved_and_coverage_that_rises(diff: Diff, fmt: str) -> None:
    # the other way round: the shortfall of 180 in 400 closes (0.45), coverage rises 60% -> 120% (0.60)
    line = _first(diff(_with(base_plan(), ("sales.targets.2027Q1", 200000)), base_plan(), fmt), fmt)
    move = "sales capacity coverage in 2027Q1 rises from 60% to 120% of the target"
    assert line == (f"No new error, 3 findings resolved; **{move}**." if fmt == "md"
                    else f"No new error, 3 findings resolved; {move}.")


def test_a_shortfall_that_closes_grows_or_shrinks(diff: Diff) -> None:
    # webinars 10 -> 100 MQLs: the shortfall of 70 closes; resolved: the four A102s, G303 and B403
    # (seo's 400 of 520 MQLs, 77%, is no longer too large a share)
    assert _first(diff(_webinars(10), base_plan(), "md"), "md") == (
        "No new error, 6 findings resolved; **the MQL shortfall in 2027Q4 closes (was 70)**.")
    # webinars 50 -> 10: 170 -> 130 planned, short by 30, then 70 (the same A102s: no new error)
    assert _first(diff(_webinars(50), _webinars(10), "md"), "md") == (
        "No new error; **the MQL shortfall in 2027Q4 grows from 30 to 70**.")
    assert _first(diff(_webinars(10), _webinars(50)), "text") == (
        "No new error; the MQL shortfall in 2027Q4 shrinks from 70 to 30.")


def test_the_larger_of_a_shortfall_move_and_a_coverage_move_is_named(diff: Diff) -> None:
    """A shortfall move is weighed against the MQLs demanded, a coverage move in itself. Quotas
    240,000 -> 300,000: capacity 2 x 75,000 = 150,000 a quarter, coverage 120% -> 150% (0.30)."""
    quota = ("sales.team.0.annual_quota", 300000)
    # webinars 10 -> 50: the shortfall shrinks 70 -> 30, by 40 of 200 demanded (0.20): coverage is larger
    assert _first(diff(_webinars(10), _with(_webinars(50), quota), "md"), "md") == (
        "No new error; **sales capacity coverage in 2027Q4 rises from 120% to 150% of the target**.")
    # webinars 100 -> 10: a shortfall of 70 in 200 appears (0.35): larger than the coverage's 0.30
    assert _first(diff(base_plan(), _with(_webinars(10), quota)), "text").endswith(
        ". Also, a shortfall of 70 MQLs appears in 2027Q4 (MQLs created there for later deals).")


def test_a_pilot_quarters_shortfall_is_weighed_against_at_least_one_mql(diff: Diff) -> None:
    """A quarter that demands under one MQL cannot make its shortfall outweigh everything else.
    The head drops 2027Q1 from every program (0 MQLs planned there) and raises 2027Q2's target to
    400,000: coverage 120,000 / 400,000 = 30%, from 120% (0.90); 2027Q2's own shortfall, 800 - 220 =
    580 of 800, is 0.725."""
    def pair(q1_target: int) -> tuple[dict, dict]:
        base = _with(base_plan(), ("sales.targets.2027Q1", q1_target))
        head = _with(base, ("sales.targets.2027Q2", 400000))
        for program in head["marketing"]["programs"]:
            program["quarters"].remove("2027Q1")
        return base, head

    # $750: 0.075 deals, 0.3 opportunities, 0.6 SQLs, 1.5 MQLs, all short: 1.5 / 1.5 = 1.0 > 0.90
    assert _first(diff(*pair(750)), "text").endswith(
        ". Also, a shortfall of 2 MQLs appears in 2027Q1 (MQLs created there for later deals).")
    # $400: 0.8 MQLs, all short: 0.8 against one MQL = 0.8 < 0.90 (not 0.8 / 0.8)
    assert _first(diff(*pair(400)), "text").endswith(
        ". Also, sales capacity coverage in 2027Q2 falls from 120% to 30% of the target.")


def test_half_an_mql_is_a_move_a_quarter_of_one_is_not(diff: Diff) -> None:
    # seo 400 -> 402 leads: 100.5 MQLs, 130.5 planned; the shortfall 70 -> 69.5 moves by half an
    # MQL and shows as 200 - 131 = 69
    assert _first(diff(_webinars(10), _webinars(10, 402), "md"), "md") == (
        "No new error; **the MQL shortfall in 2027Q4 shrinks from 70 to 69**.")
    # 401 leads: 70 -> 69.75, a quarter of an MQL: no move worth the first line
    assert _first(diff(_webinars(10), _webinars(10, 401), "md"), "md") == (
        "No new error or warning; funnel figures move in 4 quarters.")


def test_a_segmented_plan_judges_each_segments_shortfall_not_the_sum(diff: Diff) -> None:
    """docs/reference/cli.md: 'the first line judges each segment's MQL shortfall, not the
    company's sums'. webinars split 70/30: smb plans 70 + 400 x 0.3 = 190 against 160, enterprise 30
    against 50 (short by 20). seo 400 -> 300 leads: smb 70 + 90 = 160, exactly covered, enterprise
    still short by 20: no segment's shortfall moves, though the company's sums (190 planned against
    210 demanded) would show a shortfall of 20 appearing."""
    base = _segments()
    base["marketing"]["programs"][0]["split"] = {"smb": 0.7, "enterprise": 0.3}
    head = _with(base, ("marketing.programs.1.expected_leads", 300))
    out = diff(base, head, "md")
    assert out == "\n".join([
        "No new error or warning; funnel figures move in 4 quarters.",
        "",
        "### Funnel figures that moved",
        "",
        "| Quarter | Figure | Before | After | Change |",
        "|---|---|---:|---:|---:|",
        *(line for q in (1, 2, 3, 4) for line in (f"| 2027Q{q} | mqls planned | 220 | 190 | −30 |",
                                                   f"| 2027Q{q} | smb: mqls planned | 190 | 160 | −30 |")),
        "",
        "### Inputs changed (1)",
        "",
        "| Input | Before | After | Where |",
        "|---|---|---|---|",
        "| `marketing.programs[seo].expected_leads` | 400 | 300 | `head.yaml:158` |",
        "",
        "<sub>1 input changed, figures moved in 4 quarters, 0 new errors, 0 new warnings, 0 new info, 0 resolved; "
        "base `base.yaml`, head `working tree`.</sub>",
        "",
    ])


def test_a_new_plan_and_a_removed_plan_in_text(gtm: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "before the plan")
    write_plan(tmp_path, _with(base_plan(), ("lead_definition.agreed_by", ["marketing"])), "plan.yaml")  # L203
    r = gtm("diff", "plan.yaml", "--base", "HEAD")
    assert r.out.splitlines()[:2] == ["gtmplan diff: HEAD -> working tree",
                                      "A new plan (none at HEAD): 1 error, 0 warnings, 0 info."]
    r = gtm("diff", "gone.yaml", "--base", "plan.yaml")
    assert r.out.splitlines()[:2] == ["gtmplan diff: plan.yaml -> working tree",
                                      "The plan is removed (none at working tree); 1 finding goes with it."]
    r = gtm("diff", "gone.yaml", "--base", "plan.yaml", "-f", "md")
    assert r.out.splitlines()[0] == "**The plan is removed** (none at `working tree`); 1 finding goes with it."
    two = _with(base_plan(), ("lead_definition.agreed_by", ["marketing"]))
    del two["feedback"]["lead_source_question"]  # and F601
    write_plan(tmp_path, two, "plan.yaml")
    r = gtm("diff", "gone.yaml", "--base", "plan.yaml")
    assert r.out.splitlines()[1] == "The plan is removed (none at working tree); 2 findings go with it."


def test_resolved_findings_only_in_text(diff: Diff) -> None:
    base = _with(base_plan(), ("lead_definition.agreed_by", ["marketing"]))
    head = base_plan()
    assert diff(base, head) == "\n".join([
        "gtmplan diff: base.yaml -> working tree",
        "No new finding; 1 finding resolved.",
        "",
        "Inputs changed (1):",
        '  lead_definition.agreed_by: ["marketing"] -> ["sales", "marketing"]   (head.yaml:33:3)',
        "",
        "Resolved findings (1):",
        f"  base.yaml:33:3 L203 error: {L203}",
        "",
        "1 input changed, figures moved in 0 quarters, 0 new errors, 0 new warnings, 0 new info, 1 resolved",
        "",
    ])


def test_a_new_info_finding_is_not_called_no_new_finding(diff: Diff) -> None:
    """An info finding is new (F604: the decision stage lost its content) while L203 is resolved:
    the first line says no new error or warning, not "no new finding" above a list of one."""
    base = _with(base_plan(), ("lead_definition.agreed_by", ["marketing"]))
    head = base_plan()
    del head["marketing"]["content"][2]
    assert _first(diff(base, head, "md"), "md") == "✅ No new error or warning; **1 finding** resolved."
    assert _first(diff(base, head), "text") == "No new error or warning; 1 finding resolved."


def test_a_new_info_finding_alone_is_named(diff: Diff) -> None:
    """Only an info finding is new and no figure moves: the first line names it (it said "funnel
    figures move in 0 quarters"); with a figure that moves, the quarters are what it says."""
    head = base_plan()
    del head["marketing"]["content"][2]
    assert _first(diff(base_plan(), head, "md"), "md") == f"No new error or warning; 1 new info: F604 {F604}."
    assert _first(diff(base_plan(), head), "text") == f"No new error or warning; 1 new info: F604 {F604}."
    head["marketing"]["budget"]["2027Q1"] = 24000
    assert _first(diff(base_plan(), head, "md"), "md") == "No new error or warning; funnel figures move in 1 quarter."


# -- the 60,000-character cut -----------------------------------------------------------------

def test_a_comment_of_exactly_60000_characters_is_whole_one_more_is_cut() -> None:
    line = "x" * 99 + "\n"  # 100 characters a line: 600 lines make 60,000
    assert cut(line * 600) == line * 600
    longer = line * 600 + "y"
    out = cut(longer)
    # room for the text: 60,000 less the note; the last whole line that ends before it
    room = MD_LIMIT - len(CUT_NOTE)
    assert out == line * (room // 100 - 1) + line[:-1] + CUT_NOTE
    assert len(out) <= MD_LIMIT


def test_a_comment_without_a_line_break_in_reach_is_cut_at_the_limit() -> None:
    room = MD_LIMIT - len(CUT_NOTE)
    assert cut("z" * 70_000) == "z" * room + CUT_NOTE
    # a single line break at the very start keeps the text up to the limit, not nothing
    assert cut("\n" + "z" * 70_000) == ("\n" + "z" * 70_000)[:room] + CUT_NOTE
    # one line of a single character, then a long one: that first line is what is kept
    assert cut("a\n" + "z" * 70_000) == "a" + CUT_NOTE
