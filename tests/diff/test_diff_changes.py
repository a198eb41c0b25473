"""gtmplan diff: which inputs, figures and findings changed (issue 21, the comparison itself).

docs/reference/cli.md, 'gtmplan diff': inputs compared path by path (list items with an id by
id, other lists of mappings by position), each located in the side that holds it; the funnel
figures of each quarter (old, new, difference; a mapping such as other_by_source one entry
each); findings matched by code, path (items by id), quarter and segment; --fail-on.

The plans are tests/data/base_plan.yaml (and segments_plan.yaml) patched and written by
yaml.safe_dump (block style, keys in order): the line numbers quoted in the comments are
those of the files the tests write.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import BRIGHTWATER, SDR, base_plan, case_base, run_cli, write_split

Diff = Callable[..., tuple[int, str, str]]


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Diff:
    """diff(base, head, *options): base.yaml and head.yaml written, `gtmplan diff head.yaml --base base.yaml`."""
    monkeypatch.chdir(tmp_path)

    def _run(base: dict, head: dict, *args: str) -> tuple[int, str, str]:
        _write(tmp_path / "base.yaml", base)
        _write(tmp_path / "head.yaml", head)
        return tuple(run_cli("diff", "head.yaml", "--base", "base.yaml", *args))  # type: ignore[return-value]

    return _run


def _json(diff: Diff, base: dict, head: dict) -> dict:
    code, out, err = diff(base, head, "-f", "json")
    assert code == 0, err
    return json.loads(out)


def _section(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1:end]


def _exit_codes(diff: Diff, base: dict, head: dict) -> tuple[int, ...]:
    """The exit code without --fail-on, then with new-errors, new-warnings, any-change."""
    return tuple(diff(base, head, *opt)[0] for opt in
                 ((), ("--fail-on", "new-errors"), ("--fail-on", "new-warnings"), ("--fail-on", "any-change")))


# -- inputs: values as written ----------------------------------------------------------------

def test_a_switch_turned_off_is_a_change_and_a_number_written_another_way_is_not(diff: Diff) -> None:
    base = base_plan()
    head = base_plan()
    head["marketing"]["content"][0]["used_by_sales"] = False  # the guide no longer serves sales
    head["sales"]["team"][0]["annual_quota"] = 2.4e5  # 240000 written 240000.0: the same quota
    code, out, err = diff(base, head)
    assert code == 0, err
    # head.yaml line 157 is the guide's "used_by_sales: false" (column 20: its value)
    assert _section(out, "Inputs changed") == [
        "  marketing.content[guide].used_by_sales: true -> false   (head.yaml:157:20)"]
    assert "Funnel figures that moved" not in out
    assert out.splitlines()[-1] == ("1 input changed, figures moved in 0 quarters, 0 new errors, 0 new warnings, "
                                    "0 new info, 0 resolved")


def test_a_switch_turned_on_again(diff: Diff) -> None:
    base = base_plan()
    base["marketing"]["content"][2]["used_by_sales"] = False
    doc = _json(diff, base, base_plan())
    assert doc["inputs"] == [{"path": "marketing.content[roi].used_by_sales", "old": False, "new": True,
                              "file": "head.yaml", "line": 163, "column": 20}]  # roi's "used_by_sales: true"


def test_the_first_review_calendar_added_and_removed(diff: Diff) -> None:
    """A whole list written where there was none: JSON shows it, its dates as text."""
    without = base_plan()
    del without["reviews"]
    calendar = [{"date": d, "attendees": ["sales", "marketing"], "agenda": a} for d, a in (
        ("2027-03-20", ["win-loss"]), ("2027-06-20", ["lead-quality"]), ("2027-09-20", ["win-loss"]),
        ("2027-12-10", ["win-loss", "lead-quality"]), ("2028-01-20", ["win-loss"]))]
    doc = _json(diff, without, base_plan())
    # the list is located at its first row: head.yaml line 51, "- date: 2027-03-20" (yaml.safe_dump
    # writes a top-level list's rows at column 1)
    assert doc["inputs"] == [{"path": "reviews", "old": None, "new": calendar, "file": "head.yaml", "line": 51,
                              "column": 1}]
    # without reviews, R501 fires for each quarter (error) and R503 (warning): all resolved
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 0, "resolved": 5}
    assert [(f["code"], f["quarter"]) for f in doc["findings"]["resolved"]] == [
        ("R501", "2027Q1"), ("R501", "2027Q2"), ("R501", "2027Q3"), ("R501", "2027Q4"), ("R503", None)]
    # removed: located where it was, in the base
    doc = _json(diff, base_plan(), without)
    assert doc["inputs"] == [{"path": "reviews", "old": calendar, "new": None, "file": "base.yaml", "line": 51,
                              "column": 1}]
    assert doc["summary"] == {"inputs": 1, "new_errors": 4, "new_warnings": 1, "new_info": 0, "resolved": 0}


def test_a_review_removed_from_the_end_shows_its_date_as_text(diff: Diff) -> None:
    head = base_plan()
    del head["reviews"][4]  # the 2028-01-20 review: no review after the horizon any more (R503)
    doc = _json(diff, base_plan(), head)
    # base.yaml line 76 is the fifth review's row ("- date: 2028-01-20"; column 3, its first key)
    assert doc["inputs"] == [{"path": "reviews[4]", "old": {"date": "2028-01-20", "attendees": ["sales", "marketing"],
                                                            "agenda": ["win-loss"]},
                              "new": None, "file": "base.yaml", "line": 76, "column": 3}]
    assert [(f["code"], f["severity"], f["file"], f["line"]) for f in doc["findings"]["new"]] == [
        ("R503", "warning", "head.yaml", 51)]  # at the reviews list


def test_an_item_added_at_the_end_of_a_plain_list_is_a_change(diff: Diff) -> None:
    """A review's agenda gains an item at its end: the shorter list is not 'the same' as its
    longer self (lists of plain values are compared whole)."""
    head = base_plan()
    head["reviews"][0]["agenda"] = ["win-loss", "content-feedback"]
    doc = _json(diff, base_plan(), head)
    # head.yaml line 56 is the first review's "agenda:" list (its first row, column 3)
    assert [(i["path"], i["old"], i["new"], i["line"]) for i in doc["inputs"]] == [
        ("reviews[0].agenda", ["win-loss"], ["win-loss", "content-feedback"], 56)]


def test_one_share_becoming_a_share_per_quarter(diff: Diff) -> None:
    """sales.other_pipeline's share, one fraction -> one per quarter: the value changes kind
    (a number, then a mapping), and only 2027Q2's figures move."""
    base = base_plan()
    base["sales"]["other_pipeline"] = [{"id": "partners", "share": 0.2}]
    head = copy.deepcopy(base)
    head["sales"]["other_pipeline"][0]["share"] = {"2027Q1": 0.2, "2027Q2": 0.1, "2027Q3": 0.2, "2027Q4": 0.2}
    code, out, err = diff(base, head)
    assert code == 0, err
    assert _section(out, "Inputs changed") == [
        '  sales.other_pipeline[partners].share: 0.2 -> {"2027Q1": 0.2, "2027Q2": 0.1, "2027Q3": 0.2, '
        '"2027Q4": 0.2}   (head.yaml:115:7)']
    # 2027Q2: 40 opportunities x 0.2 = 8 from partners -> x 0.1 = 4; SQLs (40 - 8) / 0.5 = 64 -> (40 - 4) / 0.5
    # = 72; MQLs 64 / 0.4 = 160 -> 180; leads 160 / 0.25 = 640 -> 720
    assert _section(out, "Funnel figures that moved") == [
        "  2027Q2  other opportunities: 8 -> 4 (−4)",
        "  2027Q2  sqls: 64 -> 72 (+8)",
        "  2027Q2  mqls needed: 160 -> 180 (+20)",
        "  2027Q2  leads needed: 640 -> 720 (+80)",
        "  2027Q2  mqls demanded: 160 -> 180 (+20)",
        "  2027Q2  other by source[partners]: 8 -> 4 (−4)",
    ]


# -- per-source pipeline figures: other_by_source[SOURCE] ------------------------------------

def _sdr(tmp_path: Path, count: int) -> Path:
    """examples/sdr-motion with its first SDR row's count changed (same lines)."""
    text = (SDR / "gtmplan.yaml").read_text(encoding="utf-8")
    row = "          - {role: SDR, count: 2}\n"
    assert text.count(row) == 1
    path = tmp_path / f"sdr-{count}.yaml"
    path.write_text(text.replace(row, row.replace("2", str(count))), encoding="utf-8")
    return path


def test_one_more_sdr_moves_the_sources_figure_and_the_ask_of_marketing(tmp_path: Path) -> None:
    base, head = _sdr(tmp_path, 2), _sdr(tmp_path, 3)
    r = run_cli("diff", head, "--base", base, "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert [(i["path"], i["old"], i["new"], i["line"], i["column"]) for i in doc["inputs"]] == [
        ("sales.other_pipeline[sdr-outbound].capacity.team[0].count", 2, 3, 71, 32)]
    q1 = doc["quarters"][0]
    # 2027Q1: 2 SDRs x 3 opportunities a month x 3 months = 18 -> 3 x 3 x 3 = 27 (the ramping pair starts
    # 2027-04-01); 80 opportunities: SQLs (80 - 18) / 0.5 = 124 -> (80 - 27) / 0.5 = 106; MQLs / 0.4: 310 -> 265;
    # leads / 0.25: 1,240 -> 1,060
    assert q1 == {"quarter": "2027Q1", "figures": {
        "other_opportunities": {"old": 18.0, "new": 27.0, "delta": 9.0},
        "sqls": {"old": 124.0, "new": 106.0, "delta": -18.0},
        "mqls_needed": {"old": 310.0, "new": 265.0, "delta": -45.0},
        "leads_needed": {"old": 1240.0, "new": 1060.0, "delta": -180.0},
        "mqls_demanded": {"old": 310.0, "new": 265.0, "delta": -45.0},
        "other_by_source[sdr-outbound]": {"old": 18.0, "new": 27.0, "delta": 9.0},
    }}
    assert [q["quarter"] for q in doc["quarters"]] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    assert all(q["figures"]["other_by_source[sdr-outbound]"]["delta"] == 9.0 for q in doc["quarters"])


def test_a_pipeline_source_removed_leaves_its_figures_unknown(tmp_path: Path) -> None:
    base = _sdr(tmp_path, 2)
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    del data["sales"]["other_pipeline"]
    head = _write(tmp_path / "no-sdr.yaml", data)
    doc = json.loads(run_cli("diff", head, "--base", base, "-f", "json").out)
    q1 = doc["quarters"][0]["figures"]
    # without the SDRs marketing is asked for all 80 opportunities: SQLs 80 / 0.5 = 160, MQLs 160 / 0.4 = 400
    assert q1["other_opportunities"] == {"old": 18.0, "new": 0.0, "delta": -18.0}
    assert q1["mqls_needed"] == {"old": 310.0, "new": 400.0, "delta": 90.0}
    # a figure the head no longer has is unknown there (null), never 0: no difference to show
    assert q1["other_by_source[sdr-outbound]"] == {"old": 18.0, "new": None, "delta": None}
    assert q1["other_pipeline_cost"] == {"old": 36000.0, "new": None, "delta": None}
    assert list(q1)[-2:] == ["other_by_source[sdr-outbound]", "other_pipeline_cost"]  # the head's keys first


# -- findings and --fail-on --------------------------------------------------------------------

def _review_change(kind: str) -> dict:
    head = base_plan()
    if kind == "error":  # R502: the 2027-09-20 review without marketing
        head["reviews"][2]["attendees"] = ["sales"]
    elif kind == "warning":  # R503: the 2028-01-20 review, the only one after the horizon, removed
        del head["reviews"][4]
    elif kind == "info":  # R504: the 2027-12-10 review about the next quarter only
        head["reviews"][3]["agenda"] = ["next-quarter"]
    else:  # no finding: a new company name
        head["company"] = "Renamed"
    return head


def test_each_new_finding_in_the_head_with_its_place_and_the_summary(diff: Diff) -> None:
    code, out, _ = diff(base_plan(), _review_change("error"))
    # head.yaml line 65 is the third review's attendees (its first row, column 3)
    assert _section(out, "New findings (1):") == [
        "  head.yaml:65:3 R502 error: the review on 2027-09-20 has no marketing among its attendees"]
    assert out.splitlines()[1] == "1 new error: R502 the review on 2027-09-20 has no marketing among its attendees."
    code, out, _ = diff(base_plan(), _review_change("warning"))
    assert _section(out, "New findings (1):") == [
        "  head.yaml:51:1 R503 warning: no review is scheduled after the horizon ends on 2027-12-31: "
        "the next one is not on the calendar"]
    assert out.splitlines()[-1] == ("1 input changed, figures moved in 0 quarters, 0 new errors, 1 new warning, "
                                    "0 new info, 0 resolved")
    doc = _json(diff, base_plan(), _review_change("info"))
    # head.yaml line 74 is the fourth review's agenda
    assert [(f["code"], f["severity"], f["quarter"], f["file"], f["line"], f["column"], f["path"])
            for f in doc["findings"]["new"]] == [("R504", "info", "2027Q4", "head.yaml", 74, 3, "reviews[3].agenda")]
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 1, "resolved": 0}
    assert doc["changed"] is True


@pytest.mark.parametrize(("kind", "codes"), [
    # (no --fail-on, new-errors, new-warnings, any-change)
    ("error", (0, 1, 1, 1)),    # an error is also "a warning or worse"
    ("warning", (0, 0, 1, 1)),  # at the new-warnings threshold, under new-errors'
    ("info", (0, 0, 0, 1)),     # just under new-warnings': info never fails it
    ("input", (0, 0, 0, 1)),    # a value changed, no finding
])
def test_fail_on_at_and_just_under_each_threshold(diff: Diff, kind: str, codes: tuple[int, ...]) -> None:
    assert _exit_codes(diff, base_plan(), _review_change(kind)) == codes


def test_fail_on_when_findings_are_only_resolved(diff: Diff) -> None:
    """The head fixes an error and adds nothing: only any-change fails."""
    assert _exit_codes(diff, _review_change("error"), base_plan()) == (0, 0, 0, 1)
    doc = _json(diff, _review_change("error"), base_plan())
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 0, "resolved": 1}
    # resolved: located in the base, where it was
    assert [(f["code"], f["file"], f["line"]) for f in doc["findings"]["resolved"]] == [("R502", "base.yaml", 65)]


def test_nothing_changed_fails_nothing(diff: Diff) -> None:
    assert _exit_codes(diff, base_plan(), base_plan()) == (0, 0, 0, 0)
    doc = _json(diff, base_plan(), base_plan())
    assert (doc["changed"], doc["inputs"], doc["quarters"]) == (False, [], [])


def test_a_finding_on_the_first_program_follows_it_when_one_is_put_in_front(diff: Diff) -> None:
    """B403 points at webinars' channel: marketing.programs[0] in the base, [1] once ads is put in
    front. Matched by webinars' id it is the same finding: neither new nor resolved."""
    base = base_plan()
    base["marketing"]["programs"][0]["expected_mqls"] = 400  # webinars: 1,600 of 2,080 MQLs (77%): B403
    head = copy.deepcopy(base)
    head["marketing"]["programs"].insert(0, {"id": "ads", "channel": "paid", "segments": ["core"],
                                             "quarters": ["2027Q1"], "cost": 100, "expected_mqls": 1})
    doc = _json(diff, base, head)
    assert doc["findings"] == {"new": [], "resolved": []}
    assert [i["path"] for i in doc["inputs"]] == ["marketing.programs[ads]"]
    # the same change made to a list without ids is matched by position: the third review's R502
    # (reviews[2]) is another finding once a review is put in front of it (reviews[3])
    base = _review_change("error")
    head = copy.deepcopy(base)
    head["reviews"].insert(0, {"date": dt.date(2027, 2, 20), "attendees": ["sales", "marketing"],
                               "agenda": ["win-loss"]})
    doc = _json(diff, base, head)
    assert [(f["code"], f["path"]) for f in doc["findings"]["new"]] == [("R502", "reviews[3].attendees")]
    assert [(f["code"], f["path"]) for f in doc["findings"]["resolved"]] == [("R502", "reviews[2].attendees")]


# -- figures: a quarter that appears or goes, the currency of a side -------------------------------

def _one_more_quarter() -> dict:
    head = base_plan()
    head["horizon"]["end"] = "2028Q1"
    head["sales"]["targets"]["2028Q1"] = 100000
    head["marketing"]["budget"]["2028Q1"] = 25000
    head["reviews"].append({"date": dt.date(2028, 4, 20), "attendees": ["sales", "marketing"], "agenda": ["win-loss"]})
    return head


def test_a_quarter_added_to_the_horizon_has_figures_only_in_the_head(diff: Diff) -> None:
    doc = _json(diff, base_plan(), _one_more_quarter())
    assert [q["quarter"] for q in doc["quarters"]] == ["2028Q1"]  # 2027's quarters are unchanged
    figures = doc["quarters"][0]["figures"]
    # 100,000 / 10,000 = 10 deals / 0.25 = 40 opportunities / 0.5 = 80 SQLs / 0.4 = 200 MQLs / 0.25 = 800 leads;
    # no program runs in 2028Q1 (0 MQLs planned, $0 spent); unknown before: no difference
    assert {k: f["new"] for k, f in figures.items()} == {
        "target": 100000.0, "deals": 10.0, "opportunities": 40.0, "other_opportunities": 0, "sqls": 80.0,
        "mqls_needed": 200.0, "leads_needed": 800.0, "created_in": "2028Q1", "mqls_planned": 0.0,
        "mqls_demanded": 200.0, "capacity": 120000.0, "program_cost": 0.0, "budget": 25000.0}
    assert all(f["old"] is None and f["delta"] is None for f in figures.values())
    code, out, _ = diff(base_plan(), _one_more_quarter())
    assert "  2028Q1  target: – -> $100,000" in _section(out, "Funnel figures that moved")


def test_a_quarter_taken_off_the_horizon_has_figures_only_in_the_base(diff: Diff) -> None:
    doc = _json(diff, _one_more_quarter(), base_plan())
    (q,) = doc["quarters"]
    assert q["quarter"] == "2028Q1"
    assert q["figures"]["target"] == {"old": 100000.0, "new": None, "delta": None}
    assert q["figures"]["created_in"] == {"old": "2028Q1", "new": None, "delta": None}
    assert len(q["figures"]) == 13  # every figure of the base's row


def test_a_removed_plan_keeps_its_own_currency(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """brightwater-pumps plans in EUR: removed (no plan at the head), its figures are still euros."""
    monkeypatch.chdir(tmp_path)
    r = run_cli("diff", "gone", "--base", BRIGHTWATER)
    assert r.code == 0, r.err
    moved = _section(r.out, "Funnel figures that moved")
    assert "  2027Q1  target: €1,200,000 -> –" in moved
    assert "  2027Q1  budget: €95,000 -> –" in moved
    r = run_cli("diff", BRIGHTWATER, "--base", BRIGHTWATER)
    assert r.out.endswith("No change to the plan's numbers or findings.\n")


def test_a_list_that_was_empty(diff: Diff) -> None:
    """Items with ids are added one by one, by id; a list of mappings without ids that was empty
    has no position to compare with: the list is shown whole."""
    base = base_plan()
    base["goals"] = []
    base["reviews"] = []
    doc = _json(diff, base, base_plan())
    assert [(i["path"], i["old"], i["line"]) for i in doc["inputs"]] == [
        ("goals[bookings]", None, 9),  # head.yaml line 9: the first goal's row, line 15 the second's
        ("goals[mqls]", None, 15),
        ("reviews", [], 51),  # line 51: the list's first row
    ]
    assert doc["inputs"][2]["new"][0] == {"date": "2027-03-20", "attendees": ["sales", "marketing"],
                                          "agenda": ["win-loss"]}


def test_values_a_scenario_sets_are_located_in_that_sides_scenario_file(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """--scenario s on both sides: the base's s.yaml adds an opening pipeline, the head's lowers the
    win rate. The removed value is found where the base had it (its scenario file, read again once
    the base was set aside), the changed one in the head's."""
    monkeypatch.chdir(tmp_path)
    for side, text in (("old", "sales:\n  opening_pipeline: 400000\n"),
                       ("new", "sales:\n  assumptions:\n    win_rate: 0.2\n")):
        write_split(tmp_path / side, base_plan())
        (tmp_path / side / "scenarios").mkdir()
        (tmp_path / side / "scenarios" / "s.yaml").write_text(text, encoding="utf-8")
    r = run_cli("diff", "new", "--base", "old", "--scenario", "s")
    assert r.code == 0, r.err
    assert _section(r.out, "Inputs changed") == [
        "  sales.assumptions.win_rate: 0.25 -> 0.2   (new/scenarios/s.yaml:3:15)",
        "  sales.opening_pipeline: 400000 -> –   (old/scenarios/s.yaml:2:21)",
    ]
    # 10 deals / 0.2 = 50 opportunities (was 40), 100 SQLs, 250 MQLs needed: marketing's 220 fall short
    assert "  2027Q1  opportunities: 40 -> 50 (+10)" in _section(r.out, "Funnel figures that moved")
    assert r.out.splitlines()[-1] == ("2 inputs changed, figures moved in 4 quarters, 4 new errors, 0 new warnings, "
                                      "0 new info, 0 resolved")


def test_two_findings_of_one_rule_at_one_place_are_counted_one_by_one(diff: Diff) -> None:
    """F604 fires once per buyer stage without content, each at marketing.content: the same code,
    path and (no) quarter. With the guide alone, consideration and decision have nothing (two F604);
    the roi asset back serves decision: one of the two is resolved, the other stays."""
    guide_only = base_plan()
    del guide_only["marketing"]["content"][1:]
    guide_and_roi = base_plan()
    del guide_and_roi["marketing"]["content"][1]  # comparison, the consideration stage
    doc = _json(diff, guide_only, guide_and_roi)
    assert [i["path"] for i in doc["inputs"]] == ["marketing.content[roi]"]
    assert [(f["code"], f["message"]) for f in doc["findings"]["resolved"]] == [
        ("F604", "no content asset serves the decision stage")]
    assert doc["findings"]["new"] == []
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 0, "resolved": 1}
    doc = _json(diff, guide_and_roi, guide_only)
    assert [(f["code"], f["message"]) for f in doc["findings"]["new"]] == [
        ("F604", "no content asset serves the decision stage")]
    assert doc["findings"]["resolved"] == []
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 1, "resolved": 0}
    # the two on both sides, and another change: both stay, neither new nor resolved
    renamed = copy.deepcopy(guide_only)
    renamed["company"] = "Renamed"
    doc = _json(diff, guide_only, renamed)
    assert doc["findings"] == {"new": [], "resolved": []}
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 0, "resolved": 0}


def test_programs_reordered_with_costs_in_cents_change_nothing(diff: Diff) -> None:
    """The same three programs in the reverse order: the quarter's program cost is the same sum,
    added up in another order, so it differs in the last binary digit (24,179.9 against
    24,179.899999999998). That is not a change a person made: nothing moved."""
    base = base_plan()
    for program, cost in zip(base["marketing"]["programs"], (5175.87, 9959.16, 9044.87)):
        program["cost"] = cost  # 5,175.87 + 9,959.16 + 9,044.87 = 24,179.90 a quarter
    head = copy.deepcopy(base)
    head["marketing"]["programs"].reverse()
    code, out, _ = diff(base, head)
    assert out == "gtmplan diff: base.yaml -> working tree\nNo change to the plan's numbers or findings.\n"
    costs = [json.loads(run_cli("funnel", side, "-f", "json").out)["quarters"][0]["program_cost"]
             for side in ("base.yaml", "head.yaml")]
    assert costs[0] != costs[1] and abs(costs[0] - costs[1]) < 1e-9 * 24179.9  # the sums do differ, by noise


def test_an_agenda_written_where_there_was_none(diff: Diff) -> None:
    """agenda: null (no agenda) -> [lead-quality]: the value is added, and R504 (a review without
    win-loss or lead-quality) is resolved, located in the base."""
    base = base_plan()
    base["reviews"][1]["agenda"] = None
    doc = _json(diff, base, base_plan())
    # head.yaml line 62 is the second review's agenda (its first row); base.yaml line 57 its review row
    assert [(i["path"], i["old"], i["new"], i["line"]) for i in doc["inputs"]] == [
        ("reviews[1].agenda", None, ["lead-quality"], 62)]
    assert [(f["code"], f["file"], f["line"]) for f in doc["findings"]["resolved"]] == [("R504", "base.yaml", 57)]


def test_figures_are_shown_in_the_heads_currency(diff: Diff) -> None:
    head = base_plan()
    head["currency"] = "EUR"
    head["sales"]["targets"]["2027Q2"] = 150000
    code, out, _ = diff(base_plan(), head)
    assert _section(out, "Inputs changed") == ["  currency: USD -> EUR   (head.yaml:3:11)",
                                               "  sales.targets.2027Q2: 100000 -> 150000   (head.yaml:98:13)"]
    # 150,000 / 10,000 = 15 deals (was 10)
    moved = _section(out, "Funnel figures that moved")
    assert moved[:2] == ["  2027Q2  target: €100,000 -> €150,000 (+€50,000)", "  2027Q2  deals: 10 -> 15 (+5)"]


def test_set_applies_to_both_sides_before_they_are_compared(diff: Diff) -> None:
    """--set sales.targets.2027Q2=200000 on both sides; the head lowers the win rate."""
    head = base_plan()
    head["sales"]["assumptions"]["win_rate"] = 0.2
    code, out, err = diff(base_plan(), head, "--set", "sales.targets.2027Q2=200000")
    assert code == 0, err
    # 2027Q2 at the set target: 200,000 / 10,000 = 20 deals; / 0.25 = 80 opportunities -> / 0.2 = 100
    # (at the written 100,000 it would be 40 -> 50)
    assert "  2027Q2  opportunities: 80 -> 100 (+20)" in _section(out, "Funnel figures that moved")
    assert "  2027Q1  opportunities: 40 -> 50 (+10)" in _section(out, "Funnel figures that moved")
    # the target itself is the same on both sides: not a change
    assert _section(out, "Inputs changed") == ["  sales.assumptions.win_rate: 0.25 -> 0.2   (head.yaml:105:15)"]  # its line in head.yaml


def test_a_plan_split_into_segments_shows_each_segments_figures_not_its_name(diff: Diff) -> None:
    """base_plan.yaml -> segments_plan.yaml (smb and enterprise): each segment's figures appear,
    keyed SEGMENT.KEY, unknown before; which segment a row is (its name) is not a figure."""
    doc = _json(diff, base_plan(), case_base("segments"))
    q1 = doc["quarters"][0]["figures"]
    assert not [k for k in q1 if k.endswith("segment")]
    # smb: 40,000 / 5,000 = 8 deals / 0.25 = 32 opportunities / 0.5 = 64 SQLs / 0.4 = 160 MQLs / 0.3 = 533.33
    # leads; 2 AEs x 96,000 / 4 = 48,000 capacity; webinars' half of 10,000 + seo's 8,000 = 13,000;
    # webinars' half of 100 MQLs + seo's 400 leads x 0.3 = 170 MQLs planned
    assert {k: f["new"] for k, f in q1.items() if k.startswith("smb.")} == {
        "smb.target": 40000.0, "smb.deals": 8.0, "smb.opportunities": 32.0, "smb.other_opportunities": 0,
        "smb.sqls": 64.0, "smb.mqls_needed": 160.0, "smb.leads_needed": pytest.approx(533.3333333),
        "smb.created_in": "2027Q1", "smb.mqls_planned": 170.0, "smb.mqls_demanded": 160.0, "smb.capacity": 48000.0,
        "smb.program_cost": 13000.0}
    assert all(f["old"] is None for k, f in q1.items() if "." in k)
    code, out, _ = diff(base_plan(), case_base("segments"))
    moved = _section(out, "Funnel figures that moved")
    assert "  2027Q1  smb: leads needed: – -> 534" in moved  # 533.33 rounded up, as funnel shows it
    assert not [line for line in moved if "segment:" in line]
