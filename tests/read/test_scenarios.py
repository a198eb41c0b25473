"""Scenarios (docs/reference/plan-format.md 0.2), --set (docs/reference/cli.md "Every command") and gtmplan compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FERNHILL, LUMEN, base_plan, dump

from gtmplan.read.loader import load_plan


@pytest.fixture
def plan_dir(tmp_path):
    """plan_dir(scenarios={name: yaml text}) -> a plan directory holding the base plan."""

    def _make(scenarios: dict[str, str] | None = None, plan: dict | None = None) -> Path:
        d = tmp_path / "plan"
        d.mkdir(exist_ok=True)
        (d / "gtmplan.yaml").write_text(dump(plan or base_plan()), encoding="utf-8")
        if scenarios:
            (d / "scenarios").mkdir(exist_ok=True)
            for name, text in scenarios.items():
                (d / "scenarios" / f"{name}.yaml").write_text(text, encoding="utf-8")
        return d

    return _make


def ids(loaded) -> list[str]:
    return [p.id for p in loaded.plan.marketing.programs]


# -- merge rules ---------------------------------------------------------------------

def test_mappings_merge_key_by_key(plan_dir):
    d = plan_dir({"s": "sales:\n  assumptions:\n    win_rate: 0.2\n"})
    a = load_plan(str(d), "s").plan.sales.assumptions
    assert (a.win_rate, a.mql_to_sql, a.sql_to_opportunity) == (0.2, 0.4, 0.5)  # the others kept


def test_id_list_item_merged_into_the_item_with_that_id(plan_dir):
    d = plan_dir({"s": "marketing:\n  programs:\n    - id: seo\n      cost: 9000\n"})
    loaded = load_plan(str(d), "s")
    assert ids(loaded) == ["webinars", "seo", "events"]
    seo = loaded.plan.marketing.programs[1]
    assert (seo.cost, seo.channel, seo.expected_leads) == (9000, "seo", 400)


def test_new_id_is_appended(plan_dir):
    d = plan_dir({"s": "marketing:\n  programs:\n    - {id: partners, channel: partners, quarters: [2027Q4],"
                       " cost: 4000, expected_mqls: 60}\n"})
    loaded = load_plan(str(d), "s")
    assert ids(loaded) == ["webinars", "seo", "events", "partners"]
    loc = loaded.source.locate(("marketing", "programs", 3, "cost"))
    assert (loc.file, loc.line) == (str(d / "scenarios" / "s.yaml"), 3)


def test_remove_true_removes_the_item(plan_dir):
    d = plan_dir({"s": "marketing:\n  programs:\n    - {id: seo, remove: true}\n"})
    loaded = load_plan(str(d), "s")
    assert ids(loaded) == ["webinars", "events"]
    # positions after the removal still point at the plan's own lines
    loc = loaded.source.locate(("marketing", "programs", 1, "cost"))
    lines = dump(base_plan()).splitlines()
    events = lines.index("  - id: events")
    cost = next(i for i in range(events, len(lines)) if lines[i].strip().startswith("cost:"))
    assert (loc.file, loc.line) == (str(d / "gtmplan.yaml"), cost + 1)


def test_remove_of_an_unknown_id_is_located_in_the_scenario(gtm, plan_dir):
    d = plan_dir({"s": "marketing:\n  programs:\n    - {id: sseo, remove: true}\n"})
    r = gtm("check", d, "--scenario", "s")
    assert r.code == 2
    assert r.err == (f"{d}/scenarios/s.yaml:3:7: marketing.programs[sseo]: the plan has no item with id 'sseo' "
                     "to remove (its ids: webinars, seo, events)\n")


def test_remove_with_other_keys_is_refused(gtm, plan_dir):
    d = plan_dir({"s": "marketing:\n  programs:\n    - {id: seo, remove: true, cost: 1}\n"})
    r = gtm("check", d, "--scenario", "s")
    assert r.code == 2 and "holds only its id" in r.err and r.err.startswith(f"{d}/scenarios/s.yaml:3:7:")


def test_other_lists_and_scalars_replace(plan_dir):
    d = plan_dir({"s": "marketing:\n  programs:\n    - id: webinars\n      quarters: [2027Q1]\n"
                       "reviews:\n  - {date: 2027-03-20, attendees: [sales, marketing]}\ncompany: Other\n"})
    loaded = load_plan(str(d), "s")
    assert [str(q) for q in loaded.plan.marketing.programs[0].quarters] == ["2027Q1"]  # not merged with 4
    assert len(loaded.plan.reviews) == 1  # a list without ids is replaced whole
    assert loaded.plan.company == "Other"


def test_version_cannot_be_changed(gtm, plan_dir):
    d = plan_dir({"s": "description: try\nversion: 2\n"})
    r = gtm("check", d, "--scenario", "s")
    assert r.code == 2
    assert r.err.startswith(f"{d}/scenarios/s.yaml:2:10: version: a scenario cannot change the plan's format version")


def test_same_version_is_accepted(plan_dir):
    d = plan_dir({"s": "version: 1\ncompany: Same\n"})
    assert load_plan(str(d), "s").plan.company == "Same"


def test_scenario_files_are_not_part_of_the_base_plan(gtm, plan_dir):
    d = plan_dir({"s": "company: [not, valid]\n"})
    assert gtm("check", d).code == 0  # the broken scenario is only read when asked for
    assert gtm("check", d, "--scenario", "s").code == 2


# -- locations -------------------------------------------------------------------------

def test_invalid_value_in_a_scenario_is_located_in_it(gtm, plan_dir):
    d = plan_dir({"bad": "description: too good\nsales:\n  assumptions:\n    win_rate: 1.5\n"})
    r = gtm("funnel", d, "--scenario", "bad")
    assert r.code == 2
    assert r.err == (f"{d}/scenarios/bad.yaml:4:15: sales.assumptions.win_rate: must be at most 1, got 1.5 "
                     "(a fraction: write 30% as 0.30)\n")


@pytest.mark.parametrize("text,where,message", [
    # line 3 is "  - sales": the list starts in column 3
    ("# a list, not a mapping\n\n  - sales\n", "3:3", "a scenario must be a mapping of the plan's keys it changes "
                                                  "(for example sales: {assumptions: {win_rate: 0.2}})"),
    # line 4 is "  - cut": the description's value, a list, starts in column 3
    ("sales:\n  assumptions: {win_rate: 0.2}\ndescription:\n  - cut\n", "4:3",
     "description: expected text, a sentence saying what the scenario assumes"),
    # line 4 is "      remove: false": 6 spaces and "remove: " are 14 characters, the value is in column 15
    ("marketing:\n  programs:\n    - id: seo\n      remove: false\n", "4:15",
     "marketing.programs[seo]: 'remove' takes only the value true (it removes the item)"),
])
def test_scenario_problems_are_located_at_line_and_column(gtm, plan_dir, text, where, message):
    d = plan_dir({"s": text})
    r = gtm("check", d, "--scenario", "s")
    assert (r.code, r.err) == (2, f"{d}/scenarios/s.yaml:{where}: {message}\n")


def test_finding_about_a_scenario_value_points_at_the_scenario(gtm, plan_dir):
    d = plan_dir({"s": "marketing:\n  assumptions:\n    mql_to_sql: 0.6\n"})
    r = gtm("check", d, "--scenario", "s", "--format", "json")
    assert r.code == 1
    (a101,) = [f for f in json.loads(r.out)["findings"] if f["code"] == "A101"]
    assert (a101["file"], a101["line"], a101["column"]) == (f"{d}/scenarios/s.yaml", 3, 17)
    assert a101["related"][0]["file"] == f"{d}/gtmplan.yaml"


def test_yaml_error_in_a_scenario_is_located(gtm, plan_dir):
    d = plan_dir({"s": "sales:\n  assumptions: {win_rate: 0.2\n"})
    r = gtm("check", d, "--scenario", "s")
    assert r.code == 2 and r.err.startswith(f"{d}/scenarios/s.yaml:3:") and "YAML syntax error" in r.err


def test_unknown_scenario_names_the_ones_there(gtm, plan_dir):
    d = plan_dir({"downside": "company: A\n", "upside": "company: B\n"})
    r = gtm("check", d, "--scenario", "middle")
    assert r.code == 2
    assert r.err == f"gtmplan: --scenario: no scenario 'middle' in {d}/scenarios/ (its scenarios: downside, upside)\n"


@pytest.mark.parametrize("command", ["check", "funnel", "render", "review", "diff"])
def test_a_repeated_scenario_is_a_bad_flag_except_for_compare(gtm, plan_dir, command, tmp_path):
    d = plan_dir({"downside": "company: A\n", "upside": "company: B\n"})
    leads = tmp_path / "leads.csv"
    leads.write_text("id,created,source,mql_date,sql_date,opportunity_date\n1,2027-01-05,web,,,\n", encoding="utf-8")
    extra = {"review": ["--quarter", "2027Q1", "--leads", str(leads)], "diff": ["--base", str(d)]}.get(command, [])
    out = tmp_path / ("out.md" if command == "render" else "out.json")
    r = gtm(command, d, *extra, "--scenario", "downside", "--scenario", "upside", "-o", out)
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"gtmplan: --scenario given 2 times (downside, upside): 'gtmplan {command}' applies one "
                     "scenario; to see several side by side, run 'gtmplan compare --scenario downside "
                     "--scenario upside'\n")
    assert not out.exists()
    r = gtm(command, d, *extra, "--scenario", "upside", "-o", out)  # one is fine
    assert r.code in (0, 1) and out.exists(), r.err
    r = gtm("compare", d, "--scenario", "downside", "--scenario", "upside", "-f", "json")
    assert r.code == 0 and [c["name"] for c in json.loads(r.out)["scenarios"]] == ["base", "downside", "upside"]


def test_compare_without_plan_reads_the_scenarios_of_plan_dir(gtm, plan_dir, monkeypatch):
    """docs/reference/cli.md: PLAN defaults to ./plan when the current directory holds no plan files; its scenarios come along."""
    d = plan_dir({"downside": DOWNSIDE, "upside": UPSIDE})
    monkeypatch.chdir(d.parent)
    r = gtm("compare", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["plan"] == "plan" and [c["name"] for c in doc["scenarios"]] == ["base", "downside", "upside"]
    assert gtm("check", "--scenario", "upside").code == 0


def test_single_file_plan_takes_a_scenario_path(gtm, plan_file, tmp_path):
    path = plan_file()
    scen = tmp_path / "what-if.yaml"
    scen.write_text("sales:\n  assumptions:\n    win_rate: 0.2\n", encoding="utf-8")
    r = gtm("funnel", path, "--scenario", scen, "-f", "json")
    assert r.code == 0
    assert json.loads(r.out)["quarters"][0]["opportunities"] == pytest.approx(50)  # 10 deals / 0.2


# -- --set -------------------------------------------------------------------------------

def test_set_changes_values_by_path_id_and_quarter(gtm, plan_file):
    r = gtm("funnel", plan_file(), "-f", "json", "--set", "sales.assumptions.win_rate=0.2",
            "--set", "sales.targets.2027Q3=150000", "--set", "marketing.programs[seo].expected_leads=800")
    assert r.code == 0
    q = json.loads(r.out)["quarters"]
    assert q[0]["opportunities"] == pytest.approx(50)
    assert q[2]["target"] == 150000 and q[2]["deals"] == pytest.approx(15)
    assert q[0]["mqls_planned"] == pytest.approx(100 + 800 * 0.25 + 20)


def test_set_applies_after_the_scenario(plan_dir):
    d = plan_dir({"s": "sales:\n  assumptions:\n    win_rate: 0.2\n"})
    loaded = load_plan(str(d), "s", ["sales.assumptions.win_rate=0.3"])
    assert loaded.plan.sales.assumptions.win_rate == 0.3


def test_set_value_is_yaml_and_replaces_lists(plan_file):
    loaded = load_plan(str(plan_file()), None, ["marketing.programs[webinars].quarters=[2027Q1, 2027Q2]"])
    assert [str(q) for q in loaded.plan.marketing.programs[0].quarters] == ["2027Q1", "2027Q2"]


def test_set_problems_are_reported_as_set_n(gtm, plan_file):
    r = gtm("check", plan_file(), "--set", "sales.assumptions.win_rate=0.2",
            "--set", "sales.assumptions.win_rate=2", "--set", "marketing.programs[nope].cost=1",
            "--set", "oops", "--set", "version=3")
    assert r.code == 2
    assert r.err.splitlines() == [
        "--set:3: marketing.programs[nope].cost: marketing.programs has no item with id 'nope' "
        "(its ids: webinars, seo, events)",
        "--set:4: expected PATH=VALUE, e.g. sales.assumptions.win_rate=0.2; got 'oops'",
        "--set:5: version: --set cannot change the plan's format version",
    ]
    r = gtm("check", plan_file(), "--set", "sales.assumptions.win_rate=0.2", "--set", "sales.assumptions.win_rate=2")
    assert r.err == "--set:2: sales.assumptions.win_rate: must be at most 1, got 2 (a fraction: write 30% as 0.30)\n"
    r = gtm("check", plan_file(), "--set", "sales.assumptons.win_rate=0.2")
    assert r.code == 2 and r.err.startswith("--set:1: unknown key 'assumptons' in sales; did you mean 'assumptions'?")
    r = gtm("check", plan_file(), "--set", "sales.assumptions.win_rate=[0.2")
    assert r.code == 2 and r.err.startswith("--set:1: sales.assumptions.win_rate: the value is not valid YAML")


def test_set_remove_true_removes_the_item_as_a_scenario_does(gtm, plan_file):
    loaded = load_plan(str(plan_file()), None, ["marketing.programs[seo].remove=true"])
    assert ids(loaded) == ["webinars", "events"]
    r = gtm("check", plan_file(), "--set", "marketing.programs[seo].remove=false")
    assert r.code == 2
    assert r.err == "--set:1:32: marketing.programs[seo]: 'remove' takes only the value true (it removes the item)\n"


def test_finding_about_a_set_value_points_at_the_flag(gtm, plan_file):
    r = gtm("check", plan_file(), "-f", "json", "--set", "marketing.assumptions.mql_to_sql=0.6")
    (a101,) = [f for f in json.loads(r.out)["findings"] if f["code"] == "A101"]
    assert (a101["file"], a101["line"]) == ("--set", 1)


def test_scenario_and_set_on_render_and_review(gtm, plan_dir, tmp_path):
    d = plan_dir({"s": "company: Scenario Co\n"})
    r = gtm("render", d, "--scenario", "s", "--set", "sales.targets.2027Q1=200000")
    assert r.code == 0 and r.out.startswith("# Scenario Co go-to-market plan") and "$200,000" in r.out
    leads = tmp_path / "leads.csv"
    leads.write_text("id,created,source,mql_date,sql_date,opportunity_date\n1,2027-01-05,web,,,\n", encoding="utf-8")
    r = gtm("review", d, "--quarter", "2027Q1", "--leads", leads, "-f", "json",
            "--set", "marketing.programs[seo].expected_leads=800")
    assert r.code == 0
    assert json.loads(r.out)["metrics"]["leads"]["plan"] == pytest.approx(100 / 0.25 + 800 + 20 / 0.25)


# -- compare -----------------------------------------------------------------------------

DOWNSIDE = """description: Deals get harder to win and events are cut
sales:
  assumptions:
    win_rate: 0.2
marketing:
  programs:
    - {id: events, remove: true}
"""
UPSIDE = """description: A bigger Q4 with a partner program
sales:
  targets:
    2027Q4: 120000
marketing:
  programs:
    - {id: partners, channel: partners, segments: [core], quarters: [2027Q4], cost: 4000, expected_mqls: 60}
"""


def test_compare_json_with_two_scenarios_hand_checked(gtm, plan_dir):
    d = plan_dir({"downside": DOWNSIDE, "upside": UPSIDE})
    r = gtm("compare", d, "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["plan"] == str(d)
    base, down, up = doc["scenarios"]
    assert [s["name"] for s in doc["scenarios"]] == ["base", "downside", "upside"]
    assert (base["description"], down["description"]) == (None, "Deals get harder to win and events are cut")
    # base: 4 x 100,000; 10 deals, 200 MQLs needed and 220 planned a quarter; capacity 2 x 240,000 / 4
    assert base["figures"] == {"target": 400000.0, "deals": 40.0, "mqls_needed": 800.0, "mqls_planned": 880.0,
                               "largest_mql_shortfall": None,
                               "lowest_coverage": {"quarter": "2027Q1", "coverage": 1.2},
                               "program_cost": 80000.0, "budget": 100000.0}
    # downside: 10 deals / 0.2 = 50 opps, 100 SQLs, 250 MQLs a quarter; events gone: 100 + 400 x 0.25 = 200 planned
    f = down["figures"]
    assert f["target"] == 400000 and f["deals"] == 40
    assert f["mqls_needed"] == pytest.approx(1000) and f["mqls_planned"] == pytest.approx(800)
    assert f["largest_mql_shortfall"]["quarter"] == "2027Q1"
    assert f["largest_mql_shortfall"]["mqls"] == pytest.approx(50)
    assert f["program_cost"] == 72000 and f["budget"] == 100000
    # upside: 2027Q4 is 120,000 (12 deals, 240 MQLs); the partner program adds 60 MQLs and 4,000 there
    f = up["figures"]
    assert f["target"] == 420000 and f["deals"] == pytest.approx(42)
    assert f["mqls_needed"] == pytest.approx(840) and f["mqls_planned"] == pytest.approx(940)
    assert f["largest_mql_shortfall"] is None
    assert f["lowest_coverage"] == {"quarter": "2027Q4", "coverage": pytest.approx(1.0)}
    assert f["program_cost"] == 84000
    # findings by severity are those of check on the same scenario
    for name, col in (("downside", down), ("upside", up)):
        summary = json.loads(gtm("check", d, "--scenario", name, "-f", "json").out)["summary"]
        assert col["findings"] == summary
    assert down["findings"]["error"] >= 4  # A102 in each quarter: 200 planned vs 250 demanded
    assert base["findings"] == {"error": 0, "warning": 0, "info": 0}


def test_compare_picks_scenarios_and_writes_md_by_extension(gtm, plan_dir, tmp_path):
    d = plan_dir({"downside": DOWNSIDE, "upside": UPSIDE})
    out = tmp_path / "compare.md"
    r = gtm("compare", d, "--scenario", "upside", "-o", out)
    assert r.code == 0
    text = out.read_text(encoding="utf-8")
    assert "| | base | upside |" in text.replace("|  |", "| |")
    assert "| Bookings target | $400,000 | $420,000 |" in text
    assert "downside" not in text
    r = gtm("compare", d)
    assert "Largest MQL shortfall" in r.out and "50 in 2027Q1" in r.out


def test_compare_in_the_plan_folder_is_titled_by_the_company_and_shows_a_repeated_name_once(
        gtm, plan_dir, monkeypatch):
    d = plan_dir({"downside": DOWNSIDE, "upside": UPSIDE})
    monkeypatch.chdir(d)
    r = gtm("compare", "--scenario", "downside", "--scenario", "downside")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == f"{base_plan()['company']}: the plan and 1 scenario, over the horizon"
    assert lines[2].split() == ["base", "downside"]
    assert gtm("compare", "-f", "md").out.startswith(f"## Scenarios: {base_plan()['company']}\n")


def test_shipped_example_has_downside_and_upside(gtm):
    r = gtm("compare", LUMEN, "-f", "json")
    assert r.code == 0
    assert [s["name"] for s in json.loads(r.out)["scenarios"]] == ["base", "downside", "upside"]


def test_init_example_copies_scenarios(gtm, tmp_path):
    r = gtm("init", "--example", "lumen-analytics", tmp_path / "p")
    assert r.code == 0
    assert (tmp_path / "p" / "scenarios" / "downside.yaml").is_file()
    assert gtm("check", tmp_path / "p", "--scenario", "upside").code == 1


def test_render_adds_scenarios_section_only_when_there_are_scenarios(gtm, plan_dir):
    d = plan_dir()
    assert "## Scenarios" not in gtm("render", d).out
    d = plan_dir({"downside": DOWNSIDE})
    r = gtm("render", d)
    assert r.code == 0
    section = r.out.split("## Scenarios", 1)[1]
    assert "| MQLs planned | 880 | 800 |" in section
    assert "- **downside**: Deals get harder to win and events are cut" in section
    html = gtm("render", d, "-f", "html").out
    assert '<section id="scenarios">' in html


def test_compare_invalid_scenario_exits_2_located(gtm, plan_dir):
    d = plan_dir({"bad": "sales:\n  team: 3\n"})
    r = gtm("compare", d)
    assert r.code == 2 and r.err.startswith(f"{d}/scenarios/bad.yaml:2:9: sales.team:")


def test_set_picks_items_without_ids_by_position(gtm, plan_file):
    path = plan_file()
    loaded = load_plan(str(path), None, ["sales.team[0].count=5", "reviews[1].date=2027-06-21"])
    assert loaded.plan.sales.team[0].count == 5 and loaded.plan.sales.team[0].role == "AE"
    assert str(loaded.plan.reviews[1].date) == "2027-06-21" and len(loaded.plan.reviews) == 5
    assert loaded.source.locate(("sales", "team", 0, "count")).file == "--set"
    assert loaded.source.locate(("sales", "team", 0, "role")).file == str(path)
    r = gtm("check", path, "--set", "sales.team[2].count=5")
    assert (r.code, r.err) == (2, "--set:1: sales.team[2].count: the items of sales.team have no id; "
                                  "pick one by its position, from [0] to [0]\n")


def test_set_position_just_past_the_last_row_is_a_located_problem(gtm, plan_file):
    # Two team rows: positions [0] and [1]; [2] is one past the end (not an IndexError traceback).
    path = plan_file({"sales": {"team": [{"role": "AE", "count": 2, "annual_quota": 240000},
                                         {"role": "SDR", "count": 1, "annual_quota": 120000}]}})
    r = gtm("check", path, "--set", "sales.team[2].count=3")
    assert (r.code, r.err) == (2, "--set:1: sales.team[2].count: the items of sales.team have no id; "
                                  "pick one by its position, from [0] to [1]\n")
    # a position written with other digits than 0-9 (a superscript two), or thousands of them, is no position
    for odd in ("\u00b2", "9" * 5000):
        r = gtm("check", path, "--set", f"sales.team[{odd}].count=3")
        assert (r.code, r.err) == (2, f"--set:1: sales.team[{odd}].count: the items of sales.team have no id; "
                                      "pick one by its position, from [0] to [1]\n")
    loaded = load_plan(str(path), None, ["sales.team[1].count=3"])  # the last row itself
    assert [row.count for row in loaded.plan.sales.team] == [2, 3]


def test_set_changes_one_key_of_a_split_and_keeps_the_others(gtm):
    # Fernhill's webinars split {smb: 0.7, enterprise: 0.3}: --set of smb alone keeps
    # enterprise (the same value gives the same findings); a scenario's split replaces the map.
    plan = FERNHILL
    same = gtm("check", plan, "--set", "marketing.programs[webinars].split.smb=0.7")
    assert same.code == gtm("check", plan).code == 1 and same.out == gtm("check", plan).out
    r = gtm("check", plan, "--set", "marketing.programs[webinars].split.smb=0.6")
    assert r.code == 2
    assert r.err.strip().endswith("marketing.programs[1].split: split's fractions add up to 0.9 (0.6 + 0.3); "
                                  "they must add up to 1")
