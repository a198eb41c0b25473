"""Scenarios and --set pinned where mutation testing found them loose (issue 21).

docs/reference/plan-format.md, 'Scenarios', and docs/reference/cli.md, '--set': every problem is
one located line (FILE:LINE:COLUMN, or --set:N) and exit 2; a value a scenario or --set did not
touch stays located in the plan file. The plan is tests/data/base_plan.yaml, whose lines the
comments quote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gtmplan.cli import run

BASE = Path(__file__).resolve().parents[1] / "data" / "base_plan.yaml"


def _line(start: str) -> int:
    """The line of the base plan that starts (after its indentation) with ``start``: a location is
    named by what the plan writes there, so a new comment at the top of the plan moves nothing."""
    lines = BASE.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(start))
TEAM_ROW = "    - {role: AE, count: 2, annual_quota: 240000}\n"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def _run(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "what-if.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- --set into a list without ids, by position -----------------------------------------------

def test_set_on_the_first_of_two_rows_keeps_the_second_located_in_the_plan(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the plan's team has one row; it gains a second on the next line, whose annual_quota
    # (column 42: "    - {role: SE, count: 1, annual_quota: " is 41 characters) is wrong
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace(TEAM_ROW, TEAM_ROW + "    - {role: SE, count: 1, annual_quota: -5}\n"),
                    encoding="utf-8")
    code, _, err = cli("check", plan, "--set", "sales.team[0].count=-1")
    assert (code, err.splitlines()) == (2, [
        "--set:1: sales.team[0].count: must be at least 0, got -1",
        f"{plan}:{_line('- {role: AE') + 1}:42: sales.team[1].annual_quota: must be at least 0, got -5",
    ])


def test_a_finding_on_the_team_after_a_set_points_at_the_plans_team(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # one seller of 240,000 a year carries 60,000 a quarter against 100,000; A104 points at
    # sales.team, which the plan writes on its first row's line, column 5 (the list's first "-")
    code, out, _ = cli("check", plan, "--set", "sales.team[0].count=1")
    assert code == 1
    assert out.splitlines()[0] == (f"{plan}:{_line('- {role: AE')}:5 A104 error: sales capacity in 2027Q1 is $60,000 (1 seller, all "
                                   "fully ramped, at 100% attainment); the target is $100,000 (short by $40,000, 40%)")


# -- scenarios: items picked by id ------------------------------------------------------------

def test_items_picked_by_something_that_is_not_an_id(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    s = scenario(tmp_path, "marketing:\n  programs:\n    - id: null\n      cost: 1\n"
                           "    - {id: [a], cost: 2}\n    - {id: {a: 1}, cost: 3}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    # each problem at the id's value: line 3 "    - id: null" column 11; lines 5 and 6 column 12;
    # each item named by its position in the scenario's list (not [None], [['a']], [{'a': 1}])
    assert (code, err.splitlines()) == (2, [
        f"{s}:3:11: marketing.programs[0]: an item is picked by its id; null is not an id "
        "(its ids: webinars, seo, events)",
        f"{s}:5:12: marketing.programs[1]: an item is picked by its id; a list is not an id "
        "(its ids: webinars, seo, events)",
        f"{s}:6:12: marketing.programs[2]: an item is picked by its id; a mapping is not an id "
        "(its ids: webinars, seo, events)",
    ])


def test_a_null_id_into_a_list_without_ids(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the scenario's first row (position [0]) has a null id
    s = scenario(tmp_path, "sales:\n  team:\n    - {id: null, count: 3}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:3:12: sales.team[0]: an item is picked by its id; null is not an id "
                              "(the plan's items here have no ids)\n")


def test_removing_from_a_list_the_plan_does_not_have(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the plan has no sales.other_pipeline: the removal is a problem, the new item is not
    s = scenario(tmp_path, "sales:\n  other_pipeline:\n    - {id: sdr, remove: true}\n"
                           "    - {id: partners, share: 0.1}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:3:7: sales.other_pipeline[sdr]: the plan has no item with id 'sdr' "
                              "to remove (the list is empty)\n")


def test_two_bad_removals_are_two_lines(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    s = scenario(tmp_path, "marketing:\n  programs:\n    - {id: nope, remove: true}\n    - {id: gone, remove: true}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err.splitlines()) == (2, [
        f"{s}:3:7: marketing.programs[nope]: the plan has no item with id 'nope' to remove "
        "(its ids: webinars, seo, events)",
        f"{s}:4:7: marketing.programs[gone]: the plan has no item with id 'gone' to remove "
        "(its ids: webinars, seo, events)",
    ])


def test_two_new_programs_are_both_added(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    s = scenario(tmp_path, "marketing:\n  programs:\n"
                           "    - {id: ads, channel: paid, quarters: [2027Q1], cost: 1000, expected_mqls: 30}\n"
                           "    - {id: fairs, channel: events, quarters: [2027Q1], cost: 1000, expected_mqls: 50}\n")
    code, out, err = cli("funnel", plan, "--scenario", s, "-f", "json")
    assert code == 0, err
    import json

    q1 = json.loads(out)["quarters"][0]
    # 220 MQLs planned + ads 30 + fairs 50 = 300; cost 20,000 + 1,000 + 1,000 = 22,000
    assert (q1["mqls_planned"], q1["program_cost"]) == (300, 22000)


def test_a_bad_value_inside_an_item_is_located_in_the_scenario(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # line 4 is "      cost: -1": the value starts in column 13
    s = scenario(tmp_path, "marketing:\n  programs:\n    - id: webinars\n      cost: -1\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:4:13: marketing.programs[0].cost: must be at least 0, got -1\n")


def test_a_finding_on_the_programs_after_a_scenario_points_at_the_plans_programs(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # webinars 10 MQLs instead of 100: 130 planned against 200; A102 points at marketing.programs
    # (the plan's first program row, column 5), not at the scenario that changed one of them
    s = scenario(tmp_path, "marketing:\n  programs:\n    - {id: webinars, expected_mqls: 10}\n")
    code, out, _ = cli("check", plan, "--scenario", s)
    assert code == 1
    assert (f"{plan}:{_line('- {id: webinars')}:5 A102 error: marketing plans 130 MQLs in 2027Q1; sales' target for 2027Q1 ($100,000) "
            "needs 200 in the same quarter (short by 70, 35%)") in out.splitlines()


# -- scenarios: null removes a key ------------------------------------------------------------

def test_null_removes_a_key_and_the_next_keys_still_apply(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # opening_pipeline: null removes nothing there is; targets: null removes the targets, which
    # the plan needs: the plan's sales mapping (its first key, targets:, column 3) misses them
    s = scenario(tmp_path, "sales:\n  opening_pipeline: null\n  targets: null\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{plan}:{_line('targets:')}:3: missing required key 'targets' in sales\n")


def test_a_finding_on_the_assumptions_a_scenario_emptied_points_at_the_plan(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    s = scenario(tmp_path, "sales:\n  assumptions:\n    win_rate: null\n")
    code, out, _ = cli("check", plan, "--scenario", s)
    assert code == 1
    # sales.assumptions is the plan's mapping whose first key is mql_to_sql, column 5
    assert out.splitlines()[0] == (f"{plan}:{_line('mql_to_sql: 0.4')}:5 A106 error: the demand waterfall needs win_rate and neither "
                                   "sales.assumptions nor marketing.assumptions states it: state it in "
                                   "sales.assumptions")


# -- --set paths ------------------------------------------------------------------------------

def test_set_path_problems(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    code, _, err = cli("check", plan, "--set", ".sales.assumptions.win_rate=0.2",
                       "--set", "sales.assumptions[].win_rate=0.2", "--set", "sales.x..y=1",
                       "--set", "[a].b=1", "--set", "sales[a][b].c=1")
    assert (code, err.splitlines()) == (2, [
        "--set:1: .sales.assumptions.win_rate: cannot read the path at '.sales.assumptions.win_rate'",
        "--set:2: sales.assumptions[].win_rate: [] needs an id, as in marketing.programs[webinars].cost",
        "--set:3: sales.x..y: cannot read the path at '..y'",
        "--set:4: [a].b: [a] must follow the name of a list",
        "--set:5: sales[a][b].c: [b] must follow the name of a list",
    ])


def _with_programs(plan: Path, n: int) -> None:
    text = plan.read_text(encoding="utf-8")
    extra = "".join(f"    - {{id: p{i:02d}, channel: seo, quarters: [2027Q1], cost: 1, expected_mqls: 1}}\n"
                    for i in range(1, n - 2))
    plan.write_text(text.replace("  content:\n", extra + "  content:\n"), encoding="utf-8")


def test_an_unknown_id_among_thirteen_lists_twelve_then_dots(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    _with_programs(plan, 13)  # webinars, seo, events and p01..p10
    code, _, err = cli("check", plan, "--set", "marketing.programs[nope].cost=1")
    assert (code, err) == (2, "--set:1: marketing.programs[nope].cost: marketing.programs has no item with id "
                              "'nope' (its ids: webinars, seo, events, p01, p02, p03, p04, p05, p06, p07, p08, "
                              "p09, ...)\n")


def test_an_unknown_id_among_exactly_twelve_lists_them_all(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    _with_programs(plan, 12)  # webinars, seo, events and p01..p09
    code, _, err = cli("check", plan, "--set", "marketing.programs[nope].cost=1")
    assert (code, err) == (2, "--set:1: marketing.programs[nope].cost: marketing.programs has no item with id "
                              "'nope' (its ids: webinars, seo, events, p01, p02, p03, p04, p05, p06, p07, p08, "
                              "p09)\n")


@pytest.mark.parametrize("text,flag,set_problem,scenario_problem", [
    # the scenario replaces the team; --set changes a key of its row: the row's other values stay
    # located in the scenario (line 3, "    - {role: AE, count: -2, ...": count's value in column 25)
    ("sales:\n  team:\n    - {role: AE, count: -2, annual_quota: 240000}\n", "sales.team[0].annual_quota=-1",
     "sales.team[0].annual_quota: must be at least 0, got -1", "3:25: sales.team[0].count: must be at least 0, got -2"),
    # an item merged by id, then --set on another of its keys (cost's value in column 28)
    ("marketing:\n  programs:\n    - {id: webinars, cost: -5}\n", "marketing.programs[webinars].expected_mqls=-1",
     "marketing.programs[0].expected_mqls: must be at least 0, got -1",
     "3:28: marketing.programs[0].cost: must be at least 0, got -5"),
    # a mapping key from the scenario, then --set on its sibling
    ("sales:\n  assumptions:\n    win_rate: 7\n", "sales.assumptions.mql_to_sql=9",
     "sales.assumptions.mql_to_sql: must be at most 1, got 9 (a fraction: write 30% as 0.30)",
     "3:15: sales.assumptions.win_rate: must be at most 1, got 7 (a fraction: write 30% as 0.30)"),
])
def test_set_after_a_scenario_keeps_the_scenarios_values_located_in_it(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path, text: str, flag: str,
        set_problem: str, scenario_problem: str) -> None:
    s = scenario(tmp_path, text)
    code, _, err = cli("check", plan, "--scenario", s, "--set", flag)
    assert (code, err.splitlines()) == (2, [f"--set:1: {set_problem}", f"{s}:{scenario_problem}"])


def test_set_path_depth_at_and_beyond_the_limit(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    at_limit = ".".join(["sales"] + ["x"] * 63)  # 64 parts: as deep as a plan may nest, so it is read
    code, _, err = cli("check", plan, "--set", f"{at_limit}=1")
    assert (code, err) == (2, "--set:1: unknown key 'x' in sales (known keys: targets, assumptions, team, "
                              "expected_attainment, max_opportunities_per_rep, opening_pipeline, other_pipeline, "
                              "attrition, segments)\n")
    code, _, err = cli("check", plan, "--set", f"{at_limit}.x=1")  # 65 parts
    assert (code, err) == (2, "--set:1: the path has 65 parts; nesting deeper than 64 levels: no plan needs "
                              "this; refused\n")


def test_set_an_empty_path_part_and_a_value_holding_an_equals_sign(
        cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    code, _, err = cli("check", plan, "--set", "sales. .win_rate=1")
    assert (code, err) == (2, "--set:1: sales. .win_rate: a path part is empty\n")
    code, out, err = cli("check", plan, "--set", "company=R=D Pumps")  # the first = ends the path
    assert (code, err) == (0, "")


def test_set_paths_through_values_that_are_not_mappings_or_lists(
        cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    code, _, err = cli("check", plan, "--set", "company.x.y=1", "--set", "sales.targets[a].x=1",
                       "--set", "sales.assumptions.win_rate=[1")
    assert (code, err.splitlines()) == (2, [
        "--set:1: company.x.y: company is not a mapping, so it has no key 'x'",
        "--set:2: sales.targets[a].x: sales.targets is not a list of items",
        "--set:3: sales.assumptions.win_rate: the value is not valid YAML: YAML syntax error: did not find "
        "expected ',' or ']' (while parsing a flow sequence)",
    ])


def test_set_below_a_key_the_plan_lacks_is_checked_as_the_plan_would_be(
        cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    code, _, err = cli("check", plan, "--set", "sales.nothing.deeper=1")
    assert (code, err) == (2, "--set:1: unknown key 'nothing' in sales (known keys: targets, assumptions, team, "
                              "expected_attainment, max_opportunities_per_rep, opening_pipeline, other_pipeline, "
                              "attrition, segments)\n")


def test_set_on_an_item_itself_its_id_or_below_a_text(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    code, _, err = cli("check", plan, "--set", "marketing.programs[seo]=1", "--set", "marketing.programs[seo].id=web",
                       "--set", "company.x=1")
    assert (code, err.splitlines()) == (2, [
        "--set:1: marketing.programs[seo]: set a key of the item, e.g. marketing.programs[seo].cost=20000",
        "--set:2: marketing.programs[seo].id: an item's id is how --set and scenarios find it; it cannot be "
        "changed here (change it in the plan file)",
        "--set:3: company.x: company is not a mapping, so it has no key 'x'",
    ])


def test_an_item_picked_by_a_null_id_second_in_the_scenarios_list(cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the first item changes seo; the second (position [1], line 4 "    - {id: null, cost: 3}",
    # the null in column 12) picks nothing
    s = scenario(tmp_path, "marketing:\n  programs:\n    - {id: seo, cost: 9000}\n    - {id: null, cost: 3}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:4:12: marketing.programs[1]: an item is picked by its id; null is not an id "
                              "(its ids: webinars, seo, events)\n")


# -- an id list inside an item picked by id ----------------------------------------------------

SEGMENTS = Path(__file__).resolve().parents[1] / "data" / "segments_plan.yaml"


def test_a_removal_inside_a_segment_names_the_segment_by_its_id(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    # segments_plan.yaml's smb segment has no other_pipeline: nothing to remove. The item is
    # sales.segments[smb].other_pipeline[sdr] (as --set writes it), not sales.segments.smb...;
    # line 5 "        - {id: sdr, remove: true}": the item's "{" in column 11
    s = scenario(tmp_path, "sales:\n  segments:\n    - id: smb\n      other_pipeline:\n"
                           "        - {id: sdr, remove: true}\n")
    code, _, err = cli("check", SEGMENTS, "--scenario", s)
    assert (code, err) == (2, f"{s}:5:11: sales.segments[smb].other_pipeline[sdr]: the plan has no item with id "
                              "'sdr' to remove (the list is empty)\n")


# -- --set: the path as the flag writes it, in every refusal -------------------------------------

def test_set_refusals_below_an_item_name_it_as_the_path_does(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # below [webinars] (an id) and [0] (a position) the refusal names marketing.programs[webinars]
    # and reviews[0], as the flag writes them (not marketing.programs.webinars, reviews.0)
    code, _, err = cli("check", plan, "--set", "marketing.programs[webinars].cost.x=1",
                       "--set", "marketing.programs[webinars].cost.x.y=1", "--set", "reviews[0].date.day=2",
                       "--set", "sales.assumptions.win_rate.floor.x=0.1")
    assert (code, err.splitlines()) == (2, [
        "--set:1: marketing.programs[webinars].cost.x: marketing.programs[webinars].cost is not a mapping, "
        "so it has no key 'x'",
        "--set:2: marketing.programs[webinars].cost.x.y: marketing.programs[webinars].cost is not a mapping, "
        "so it has no key 'x'",
        "--set:3: reviews[0].date.day: reviews[0].date is not a mapping, so it has no key 'day'",
        # win_rate (0.25) is a number: the refusal names it, three parts deep, not sales
        "--set:4: sales.assumptions.win_rate.floor.x: sales.assumptions.win_rate is not a mapping, "
        "so it has no key 'floor'",
    ])


def test_set_an_item_of_a_list_of_plain_values(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # a program's quarters and a review's attendees are lists of values: [0] or [x] picks nothing
    code, _, err = cli("check", plan, "--set", "marketing.programs[webinars].quarters[0]=2027Q2",
                       "--set", "reviews[1].attendees[sales].x=1")
    assert (code, err.splitlines()) == (2, [
        "--set:1: marketing.programs[webinars].quarters[0]: marketing.programs[webinars].quarters is a list of "
        "values, not of items with keys: set the whole list, e.g. marketing.programs[webinars].quarters=[a, b]",
        "--set:2: reviews[1].attendees[sales].x: reviews[1].attendees is a list of values, not of items with "
        "keys: set the whole list, e.g. reviews[1].attendees=[a, b]",
    ])
    # the near miss: the whole list, as the message says (webinars in two quarters instead of four)
    code, out, err = cli("funnel", plan, "--set", "marketing.programs[webinars].quarters=[2027Q1, 2027Q2]",
                         "-f", "json")
    assert code == 0, err
    import json

    # 2027Q3's programs: seo 8,000 + events 2,000 = 10,000 (webinars no longer runs)
    assert json.loads(out)["quarters"][2]["program_cost"] == 10000


def test_set_an_item_of_a_list_the_plan_does_not_have(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # the base plan has no sales.other_pipeline: there is no item sdr to change (as a scenario
    # removing it is told), not "not a list of items"
    code, _, err = cli("check", plan, "--set", "sales.other_pipeline[sdr].share=0.1")
    assert (code, err) == (2, "--set:1: sales.other_pipeline[sdr].share: sales.other_pipeline has no item with id "
                              "'sdr' (the list is empty)\n")
    code, _, err = cli("check", SEGMENTS, "--set", "sales.segments[smb].other_pipeline[sdr].share=0.1")
    assert (code, err) == (2, "--set:1: sales.segments[smb].other_pipeline[sdr].share: "
                              "sales.segments[smb].other_pipeline has no item with id 'sdr' (the list is empty)\n")


# -- the id that picks an item is not a change -----------------------------------------------------

@pytest.mark.parametrize("how", ["set", "scenario"])
def test_the_id_that_picks_an_item_stays_located_in_the_plan(cli: Callable[..., tuple[int, str, str]], tmp_path: Path,
                                                             plan: Path, how: str) -> None:
    # the plan's first program is written "Webinars", not a valid id; changing its cost (by
    # --set or by a scenario naming it) does not move that problem to the flag or the scenario:
    # the id stays at the plan's "{id: Webinars" (column 12)
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("{id: webinars, channel", "{id: Webinars, channel"), encoding="utf-8")
    args = (["--set", "marketing.programs[Webinars].cost=5000"] if how == "set" else
            ["--scenario", scenario(tmp_path, "marketing:\n  programs:\n    - {id: Webinars, cost: 5000}\n")])
    code, _, err = cli("check", plan, *args)
    assert (code, err) == (2, f"{plan}:{_line('- {id: webinars')}:12: marketing.programs[0].id: 'Webinars' is not a "
                              "valid id: use lower-case letters, digits and dashes, starting with a letter or digit\n")


# -- scenarios: extension keys, version, the top level -----------------------------------------------

def test_a_scenarios_x_keys_are_ignored_and_a_near_miss_is_an_unknown_key(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # docs/reference/plan-format.md: top-level keys starting with x- are ignored, a place for
    # anchors; in a scenario too: a note and an anchor the webinars' cost uses
    s = scenario(tmp_path, "x-note: cheaper webinars, see the board deck\nx-cost: &cost 5000\n"
                           "marketing:\n  programs:\n    - {id: webinars, cost: *cost}\n")
    code, out, err = cli("funnel", plan, "--scenario", s, "-f", "json")
    assert (code, err) == (0, "")
    import json

    # 2027Q1's programs: webinars 5,000 (was 10,000) + seo 8,000 + events 2,000 = 15,000
    assert json.loads(out)["quarters"][0]["program_cost"] == 15000
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (0, "")
    # x_note and X-note are no extension keys: the plan has no such key (line 1, column 1)
    for key in ("x_note", "X-note"):
        s = scenario(tmp_path, f"{key}: cheaper webinars\n")
        code, _, err = cli("check", plan, "--scenario", s)
        assert (code, err) == (2, f"{s}:1:1: unknown key '{key}' at the top level (known keys: version, company, "
                                  "currency, fiscal_year_start_month, fiscal_year_named_by, horizon, "
                                  "primary_objective, goals, icp, lead_definition, reviews, invitations, feedback, "
                                  "check, sales, marketing, forecast)\n")


@pytest.mark.parametrize("written", ["2", "true"])
def test_a_scenario_that_changes_the_version_is_told_the_plans_version(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path, written: str) -> None:
    # the plan says version: 1; true is no version either (YAML's true is not 1); line 2 is
    # "version: ...": its value in column 10
    s = scenario(tmp_path, f"company: Other\nversion: {written}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:2:10: version: a scenario cannot change the plan's format version (1); "
                              "remove this key\n")


def test_a_misspelt_top_level_key_in_a_scenario_is_located_at_the_key(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the scenario's "compnay: Other": the key in column 1, not its value (column 10) nor the plan
    s = scenario(tmp_path, "description: another name\ncompnay: Other\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:2:1: unknown key 'compnay' at the top level; did you mean 'company'?\n")


def test_a_yaml_tag_a_plan_refuses_is_refused_in_a_scenario(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    s = scenario(tmp_path, "description: binary name\ncompany: !!binary aGVsbG8=\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:2:10: YAML tag 'tag:yaml.org,2002:binary' is not allowed in a plan\n")


@pytest.mark.parametrize("text,where,message", [
    # a single value where the plan has a mapping; line 2 "  assumptions: 0.2", the value in column 16
    ("sales:\n  assumptions: 0.2\n", "2:16", "sales.assumptions: expected a mapping of keys, got 0.2"),
    # a mapping where the plan has text; line 2 "  name: X", column 3
    ("company:\n  name: X\n", "2:3", "company: expected text, got a mapping"),
])
def test_a_scenario_value_of_another_shape_replaces_and_is_refused_where_it_is_written(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path, text: str, where: str, message: str) -> None:
    s = scenario(tmp_path, text)
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:{where}: {message}\n")


def test_removing_the_only_item_of_a_list_the_plan_does_not_have(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # a removal alone (no new item beside it): still the scenario's own message, line 3 column 7
    s = scenario(tmp_path, "sales:\n  other_pipeline:\n    - {id: sdr, remove: true}\n")
    code, _, err = cli("check", plan, "--scenario", s)
    assert (code, err) == (2, f"{s}:3:7: sales.other_pipeline[sdr]: the plan has no item with id 'sdr' to remove "
                              "(the list is empty)\n")


def test_a_scenarios_split_replaces_the_whole_map_and_is_located_in_it(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    # segments_plan.yaml's webinars split {smb: 0.5, enterprise: 0.5}; the scenario's {smb: 0.6}
    # replaces it (enterprise is not kept): line 4 "      split: {smb: 0.6}", the map in column 14
    s = scenario(tmp_path, "marketing:\n  programs:\n    - id: webinars\n      split: {smb: 0.6}\n")
    code, _, err = cli("check", SEGMENTS, "--scenario", s)
    assert (code, err) == (2, f"{s}:4:14: marketing.programs[0].split: split gives no fraction for enterprise: "
                              "its keys must be exactly the program's segments (smb, enterprise)\n")


# -- a scenario, then --set: what the scenario wrote stays located in it -------------------------------

def test_set_on_the_first_row_of_a_scenarios_team_keeps_its_second_row_in_the_scenario(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the scenario's team has two rows; --set changes the first; the second's annual_quota
    # (line 4 "    - {role: SE, count: 1, annual_quota: -5}", column 42) is the scenario's
    s = scenario(tmp_path, "sales:\n  team:\n    - {role: AE, count: 2, annual_quota: 240000}\n"
                           "    - {role: SE, count: 1, annual_quota: -5}\n")
    code, _, err = cli("check", plan, "--scenario", s, "--set", "sales.team[0].count=3")
    assert (code, err) == (2, f"{s}:4:42: sales.team[1].annual_quota: must be at least 0, got -5\n")


def test_set_on_a_program_the_scenario_added_keeps_its_other_values_in_the_scenario(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # line 3 "    - {id: ads, channel: paid, quarters: [2027Q1], cost: 1000, expected_mqls: -30}":
    # expected_mqls' value in column 79
    s = scenario(tmp_path, "marketing:\n  programs:\n"
                           "    - {id: ads, channel: paid, quarters: [2027Q1], cost: 1000, expected_mqls: -30}\n")
    code, _, err = cli("check", plan, "--scenario", s, "--set", "marketing.programs[ads].cost=2000")
    assert (code, err) == (2, f"{s}:3:79: marketing.programs[3].expected_mqls: must be at least 0, got -30\n")


def test_set_on_a_mapping_the_scenario_added_keeps_its_other_keys_in_the_scenario(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the plan has no sales.attrition; the scenario adds it (line 2, annual_rate's value in
    # column 28); --set changes backfill_months: both problems, each where it is written
    s = scenario(tmp_path, "sales:\n  attrition: {annual_rate: 2, backfill_months: 1}\n")
    code, _, err = cli("check", plan, "--scenario", s, "--set", "sales.attrition.backfill_months=-2")
    assert (code, err.splitlines()) == (2, [
        "--set:1: sales.attrition.backfill_months: must be at least 0, got -2",
        f"{s}:2:28: sales.attrition.annual_rate: must be at most 1, got 2 (a fraction: write 30% as 0.30)",
    ])


# -- --set: values and paths -------------------------------------------------------------------------

def test_set_a_mapping_the_plan_lacks_is_checked_as_written_by_the_flag(
        cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # sales.attrition needs annual_rate and backfill_months; the flag gives one
    code, _, err = cli("check", plan, "--set", "sales.attrition.annual_rate=0.1")
    assert (code, err) == (2, "--set:1: missing required key 'backfill_months' in sales.attrition\n")


def test_set_a_whole_mapping_as_its_value(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    code, out, err = cli("funnel", plan, "--set", "sales.targets={2027Q1: 200000, 2027Q2: 100000, "
                         "2027Q3: 100000, 2027Q4: 100000}", "-f", "json")
    assert (code, err) == (0, "")
    import json

    # 2027Q1: 200,000 / 10,000 = 20 deals
    assert json.loads(out)["quarters"][0]["deals"] == 20


def test_every_value_of_the_second_flag_is_located_at_it_even_one_written_twice(
        cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # the second flag's mapping repeats one value by an anchor (&t, *t); its bad 2027Q1 is the
    # second flag's, not the first's
    code, _, err = cli("check", plan, "--set", "company=Other",
                       "--set", "sales.targets={2027Q1: -5, 2027Q2: &t 100000, 2027Q3: *t, 2027Q4: *t}")
    assert (code, err) == (2, "--set:2: sales.targets.2027Q1: must be at least 0, got -5\n")


def test_set_a_key_named_id_at_the_top_level_is_an_unknown_key(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # not an item's id (nothing picks an item here): a key the plan does not have
    code, _, err = cli("check", plan, "--set", "id=x")
    assert (code, err) == (2, "--set:1: unknown key 'id' at the top level (known keys: version, company, currency, "
                              "fiscal_year_start_month, fiscal_year_named_by, horizon, primary_objective, goals, icp, "
                              "lead_definition, reviews, invitations, feedback, check, sales, marketing, forecast)\n")


def test_an_unknown_id_lists_only_the_items_that_have_one(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # a fourth program written without an id (a problem of its own, after the flags are good)
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("  content:\n", "    - {channel: seo, quarters: [2027Q1], cost: 1, expected_mqls: 1}\n"
                                                 "  content:\n"), encoding="utf-8")
    code, _, err = cli("check", plan, "--set", "marketing.programs[nope].cost=1")
    assert (code, err) == (2, "--set:1: marketing.programs[nope].cost: marketing.programs has no item with id 'nope' "
                              "(its ids: webinars, seo, events)\n")


def test_a_flag_that_is_not_utf8_is_refused_by_its_number(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # bytes ff fe (not UTF-8) as the terminal passes them, in the value then in the path: the
    # message shows them as \xff\xfe; no traceback, no problem blamed on the plan file
    code, _, err = cli("check", plan, "--set", "company=Testco", "--set", "company=\udcff\udcfe",
                       "--set", "sales.x\udcff=1")
    assert (code, err.splitlines()) == (2, [
        "--set:2: company=\\xff\\xfe: not UTF-8 text (check the terminal's encoding)",
        "--set:3: sales.x\\xff=1: not UTF-8 text (check the terminal's encoding)",
    ])


def test_set_on_a_list_the_scenario_added_keeps_the_list_located_in_the_scenario(
        cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plan: Path) -> None:
    # the plan has no other_pipeline; the scenario's two shares for 2027Q1 add up to 1.2
    # (0.6 + 0.6), a problem of the list, at the scenario's first item (line 3, column 5),
    # with or without a --set naming one of its items
    s = scenario(tmp_path, "sales:\n  other_pipeline:\n    - {id: sdr, share: {2027Q1: 0.6}}\n"
                           "    - {id: partners, share: {2027Q1: 0.6}}\n")
    expected = (f"{s}:3:5: sales.other_pipeline: the shares of other_pipeline for 2027Q1 add up to 1.2 (0.6 + 0.6): "
                "they must be below 1, since the rest of the opportunities come from marketing's MQLs\n")
    assert cli("check", plan, "--scenario", s)[::2] == (2, expected)
    assert cli("check", plan, "--scenario", s, "--set", "sales.other_pipeline[sdr].name=SDRs")[::2] == (2, expected)


def test_set_an_empty_value_is_reported_as_a_plan_files_empty_value(
        cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # nothing after "=" is YAML's null, as "cost:" with nothing after it in the plan file: the
    # number it needs is shown as written, empty ('')
    code, _, err = cli("check", plan, "--set", "marketing.programs[seo].cost=", "--set", "company=")
    assert (code, err.splitlines()) == (2, [
        "--set:1: marketing.programs[1].cost: expected a number, got ''",
        "--set:2: company: expected text, got nothing (an empty value)",
    ])


def test_every_item_of_a_list_value_is_located_at_its_flag(cli: Callable[..., tuple[int, str, str]], plan: Path) -> None:
    # the second flag's team is a list of two rows; the second row's count is bad: the problem
    # is the second flag's (every node of the value is placed at it, items of lists included)
    code, _, err = cli("check", plan, "--set", "company=Other", "--set",
                       "sales.team=[{role: AE, count: 2, annual_quota: 240000}, {role: SE, count: -1, annual_quota: 1}]")
    assert (code, err) == (2, "--set:2: sales.team[1].count: must be at least 0, got -1\n")
