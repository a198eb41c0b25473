"""compare, diff and funnel on plans with sales.segments (docs/reference/cli.md, 'Segments in
every command' and 'Resolutions (0.3)'), with goldens of the shipped segmented example
(examples/fernhill-payroll; tests/golden, see its README)."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FERNHILL, LUMEN, ROOT, apply_patch, base_plan, case_base, run_cli, write_plan


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(ROOT)


# -- goldens of the shipped example ------------------------------------------------------

@pytest.mark.parametrize("args,name", [
    (["funnel", "examples/fernhill-payroll"], "fernhill-payroll.funnel.txt"),
    (["funnel", "examples/fernhill-payroll", "--format", "json"], "fernhill-payroll.funnel.json"),
    (["compare", "examples/fernhill-payroll"], "fernhill-payroll.compare.txt"),
    (["compare", "examples/fernhill-payroll", "--format", "md"], "fernhill-payroll.compare.md"),
    (["compare", "examples/fernhill-payroll", "--format", "json"], "fernhill-payroll.compare.json"),
])
def test_golden_outputs_of_the_segmented_example(golden, in_repo, monkeypatch, args, name):
    monkeypatch.delenv("COLUMNS", raising=False)
    r = run_cli(*args)
    assert r.code in (0, 1), r.err
    golden(name, r.out.encode("utf-8"))


@pytest.fixture
def webinars_moved(tmp_path, monkeypatch):
    """Two copies of the example, ``base`` and ``head``, in the current directory; in ``head`` the
    webinars split 50/50 instead of 70/30 (smb/enterprise)."""
    for side in ("base", "head"):
        shutil.copytree(FERNHILL, tmp_path / side)
    marketing = tmp_path / "head" / "marketing.yaml"
    text = marketing.read_text(encoding="utf-8")
    old = "split: {smb: 0.7, enterprise: 0.3}"
    assert old in text
    marketing.write_text(text.replace(old, "split: {smb: 0.5, enterprise: 0.5}"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_golden_diff_of_the_segmented_example(golden, webinars_moved, fmt):
    r = run_cli("diff", "head", "--base", "base", "--format", fmt)
    assert r.code == 0, r.err
    golden(f"fernhill-payroll.diff.{ {'text': 'txt'}.get(fmt, fmt) }", r.out.encode("utf-8"))


# -- compare -------------------------------------------------------------------------------

def test_compare_per_segment_and_in_total(gtm, tmp_path):
    """tests/data/segments_plan.yaml with webinars split 80/20 (smb/enterprise), by hand:
    smb:        160 MQLs needed a quarter (see the plan's header); planned 100 x 0.8 = 80 + seo 120 = 200.
    enterprise: 50 needed for the next quarter; planned 100 x 0.2 = 20: short by 30 in 2027Q1-2027Q3.
    The company's sums, 220 planned against 210 demanded, look covered: its largest shortfall is
    enterprise's 30 (the first quarter of three equal ones), never the blend's 0."""
    data = apply_patch(case_base("segments"), {"marketing": {"programs": {0: {"split": {"smb": 0.8, "enterprise": 0.2}}}}})
    plan = write_plan(tmp_path, data)
    doc = json.loads(gtm("compare", plan, "-f", "json").out)
    base = doc["scenarios"][0]
    assert list(base) == ["name", "description", "figures", "segments", "findings"]
    assert base["figures"]["largest_mql_shortfall"] == {"quarter": "2027Q1", "mqls": 30.0, "shown": 30,
                                                         "segment": "enterprise"}
    assert base["figures"]["mqls_planned"] == pytest.approx(4 * 220)  # (200 + 20) a quarter
    smb, ent = base["segments"]["smb"], base["segments"]["enterprise"]
    assert smb["largest_mql_shortfall"] is None and smb["budget"] is None
    assert smb["target"] == 160_000 and smb["deals"] == pytest.approx(32)  # 4 x 40,000; 4 x 8 deals
    assert smb["mqls_planned"] == pytest.approx(800) and ent["mqls_planned"] == pytest.approx(80)
    assert ent["largest_mql_shortfall"] == {"quarter": "2027Q1", "mqls": pytest.approx(30), "shown": 30}
    # program cost: webinars 10,000 x 0.8 + seo 8,000 = 16,000 a quarter for smb; 2,000 for enterprise
    assert smb["program_cost"] == pytest.approx(64_000) and ent["program_cost"] == pytest.approx(8_000)
    # coverage by own sellers: smb 48,000 / 40,000 = 1.2; enterprise 60,000 / 60,000 = 1.0
    assert smb["lowest_coverage"]["coverage"] == pytest.approx(1.2)
    assert ent["lowest_coverage"]["coverage"] == pytest.approx(1.0)
    text = gtm("compare", plan).out
    assert ("Largest MQL shortfall                30 in 2027Q1 (enterprise)\n"
            "  smb                                                     none\n"
            "  enterprise                                      30 in 2027Q1\n") in text
    md = gtm("compare", plan, "-f", "md").out
    assert "| ↳ enterprise | 30 in 2027Q1 |" in md and "| ↳ smb | $64,000 |" in md


def test_compare_of_a_plan_without_segments_has_no_segments_key(gtm):
    doc = json.loads(gtm("compare", LUMEN, "-f", "json").out)
    assert all("segments" not in c for c in doc["scenarios"])
    assert "↳" not in gtm("compare", LUMEN, "-f", "md").out


def test_compare_a_scenario_that_closes_a_segments_gap(gtm):
    """examples/fernhill-payroll/scenarios/enterprise-events.yaml adds 100 MQLs a quarter for
    enterprise in 2027Q1-2027Q3: 120 + 100 = 220 >= 178 (2027Q1), 220 >= 204, 150 + 100 = 250 >= 229."""
    doc = json.loads(gtm("compare", FERNHILL, "-f", "json").out)
    base, events = doc["scenarios"]
    assert base["segments"]["enterprise"]["largest_mql_shortfall"]["shown"] == 84  # 204 - 120 in 2027Q2
    assert events["name"] == "enterprise-events"
    assert events["figures"]["largest_mql_shortfall"] is None
    assert events["segments"]["enterprise"]["mqls_planned"] == pytest.approx(510 + 300)
    assert events["findings"] == {"error": 0, "warning": 0, "info": 0}


# -- diff ----------------------------------------------------------------------------------

def test_diff_figures_are_keyed_by_segment(gtm, webinars_moved):
    """Webinars' 400 MQLs a quarter split 50/50 instead of 70/30: smb 400 x 0.2 = 80 fewer,
    enterprise 80 more; cost 16,000 x 0.2 = 3,200 moves. The company's sums do not move."""
    doc = json.loads(gtm("diff", "head", "--base", "base", "-f", "json").out)
    q1 = doc["quarters"][0]
    assert q1["quarter"] == "2027Q1"
    assert q1["figures"] == {
        "smb.mqls_planned": {"old": 1090.0, "new": 1010.0, "delta": pytest.approx(-80)},
        "smb.program_cost": {"old": 50200.0, "new": 47000.0, "delta": pytest.approx(-3200)},
        "enterprise.mqls_planned": {"old": 120.0, "new": 200.0, "delta": pytest.approx(80)},
        "enterprise.program_cost": {"old": 4800.0, "new": 8000.0, "delta": pytest.approx(3200)},
    }
    # enterprise's three A102 findings resolve: 200 >= 178 in 2027Q1; 2027Q2's 204 - 200 = 4 is within
    # the 10% tolerance; 230 >= 229 in 2027Q3. Findings carry their segment.
    assert [(f["code"], f["quarter"], f["segment"]) for f in doc["findings"]["resolved"]] == [
        ("A102", "2027Q1", "enterprise"), ("A102", "2027Q2", "enterprise"), ("A102", "2027Q3", "enterprise")]
    text = gtm("diff", "head", "--base", "base").out
    # the headline judges each segment's shortfall (84 -> 4 in 2027Q2), not the company's sums
    assert "enterprise: the MQL shortfall in 2027Q2 shrinks from 84 to 4." in text.splitlines()[1]
    assert "  2027Q1  enterprise: mqls planned: 120 -> 200 (+80)" in text


def test_diff_matches_findings_by_segment_too(gtm, tmp_path):
    """The same code, path and quarter in another segment is a new finding, not the old one moved:
    base: webinars 80/20, enterprise short in 2027Q1-2027Q3 (20 planned against 50);
    head: seo brings 200 leads x 0.30 = 60 MQLs, smb short in 2027Q1-2027Q4 (50 + 60 = 110 against 160)."""
    (tmp_path / "b").mkdir()
    (tmp_path / "h").mkdir()
    base = write_plan(tmp_path / "b", apply_patch(case_base("segments"),
                      {"marketing": {"programs": {0: {"split": {"smb": 0.8, "enterprise": 0.2}}}}}))
    head = write_plan(tmp_path / "h", apply_patch(case_base("segments"),
                      {"marketing": {"programs": {1: {"expected_leads": 200}}}}))
    doc = json.loads(gtm("diff", head, "--base", base, "-f", "json").out)
    new = [(f["code"], f["path"], f["quarter"], f["segment"]) for f in doc["findings"]["new"] if f["code"] == "A102"]
    resolved = [(f["code"], f["quarter"], f["segment"]) for f in doc["findings"]["resolved"]]
    assert new == [("A102", "marketing.programs", f"2027Q{n}", "smb") for n in (1, 2, 3, 4)]
    assert resolved == [("A102", f"2027Q{n}", "enterprise") for n in (1, 2, 3)]


def test_diff_of_a_plan_without_segments_keeps_its_keys(gtm, tmp_path, plan_file):
    base = plan_file()
    (tmp_path / "h").mkdir()
    head = write_plan(tmp_path / "h", apply_patch(base_plan(), {"sales": {"assumptions": {"win_rate": 0.2}}}))
    doc = json.loads(gtm("diff", head, "--base", base, "-f", "json").out)
    keys = {k for q in doc["quarters"] for k in q["figures"]}
    assert keys and not any("." in k for k in keys)
    assert all("segment" not in f for f in doc["findings"]["new"] + doc["findings"]["resolved"])
