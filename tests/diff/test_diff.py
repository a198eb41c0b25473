"""gtmplan diff (docs/reference/cli.md 0.2): paths, real temporary git repositories, the pull-request comment."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import GIT_ENV, LUMEN, apply_patch, base_plan, commit, git, write_split

from gtmplan.commands.diff.report import CUT_NOTE, MD_LIMIT, cut

NO_CHANGE = "No change to the plan's numbers or findings."
@pytest.fixture
def repo(tmp_path, monkeypatch):
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    monkeypatch.chdir(r)
    return r


# -- the "Done when" case: HEAD~1, last commit changed marketing.assumptions.mql_to_sql ----

@pytest.fixture
def mql_repo(repo):
    """Two commits. The last one changes marketing.assumptions.mql_to_sql (0.4 -> 0.5) and, with it,
    sales' value (0.4 -> 0.32). The funnel takes sales' value for this stage (docs/reference/plan-format.md), so
    marketing's change alone moves no figure; together the quarters move and the sides now differ
    by 36%: a new A101 (and A102 where the MQLs planned fall short)."""
    before = apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.4}}})
    before = apply_patch(before, {"sales": {"assumptions": {"mql_to_sql": 0.4}}})
    write_split(repo / "plan", before)
    commit(repo, "plan")
    after = apply_patch(before, {"marketing": {"assumptions": {"mql_to_sql": 0.5}},
                                 "sales": {"assumptions": {"mql_to_sql": 0.32}}})
    write_split(repo / "plan", after)
    commit(repo, "CRM rates: marketing 0.5, sales 0.32")
    return repo


def test_diff_head_1_text(gtm, mql_repo):
    r = gtm("diff", "plan", "--base", "HEAD~1")
    assert r.code == 0, r.err
    out = r.out
    assert out.startswith("gtmplan diff: HEAD~1 -> working tree\n5 new errors: A101 sales assumes mql_to_sql 0.32, "
                          "marketing 0.50")
    assert "  marketing.assumptions.mql_to_sql: 0.4 -> 0.5   (plan/marketing.yaml:" in out
    assert "  sales.assumptions.mql_to_sql: 0.4 -> 0.32   (plan/sales.yaml:" in out
    # 80 SQLs / 0.32 = 250 MQLs needed (was 200), in every quarter
    for q in ("2027Q1", "2027Q2", "2027Q3", "2027Q4"):
        assert f"  {q}  mqls needed: 200 -> 250 (+50)" in out
    assert "plan/marketing.yaml:" in out and " A101 error: sales assumes mql_to_sql 0.32, marketing 0.50" in out
    assert out.rstrip().endswith("2 inputs changed, figures moved in 4 quarters, 5 new errors, 0 new warnings, "
                                 "0 new info, 0 resolved")


def test_plan_omitted_reads_plan_dir_on_both_sides(gtm, mql_repo):
    """docs/reference/cli.md: PLAN defaults to ./plan when the current directory holds no plan files; the git
    side is then read at plan/ too (not at the repository's root, where there is no plan)."""
    for head in ([], ["--head", "HEAD"]):
        r = gtm("diff", "--base", "HEAD~1", *head, "-f", "json")
        assert r.code == 0, r.err
        doc = json.loads(r.out)
        assert doc == json.loads(gtm("diff", "plan", "--base", "HEAD~1", *head, "-f", "json").out)
        assert doc["summary"] == {"inputs": 2, "new_errors": 5, "new_warnings": 0, "new_info": 0, "resolved": 0}
        files = {i["file"] for i in doc["inputs"]}
        assert files == ({"HEAD:plan/marketing.yaml", "HEAD:plan/sales.yaml"} if head
                         else {"plan/marketing.yaml", "plan/sales.yaml"})
    r = gtm("diff", "--base", "HEAD~1", "--head", "HEAD~1")
    assert r.code == 0 and "No change to the plan's numbers or findings." in r.out


def test_diff_head_1_md(gtm, mql_repo):
    r = gtm("diff", "plan", "--base", "HEAD~1", "--format", "md")
    assert r.code == 0
    first = r.out.splitlines()[0]
    assert first.startswith("❌ **5 new errors**: A101 sales assumes mql\\_to\\_sql 0.32, marketing 0.50")
    assert ". Also, the MQL shortfall" in first or ". Also, a shortfall of" in first
    assert "| `marketing.assumptions.mql_to_sql` | 0.4 | 0.5 | `plan/marketing.yaml:" in r.out
    assert "| 2027Q2 | mqls needed | 200 | 250 | +50 |" in r.out
    assert "- ❌ **A101** error: sales assumes mql\\_to\\_sql 0.32" in r.out


def test_diff_head_1_json(gtm, mql_repo):
    r = gtm("diff", "plan", "--base", "HEAD~1", "--format", "json")
    doc = json.loads(r.out)
    assert (doc["base"], doc["head"], doc["changed"]) == ("HEAD~1", "working tree", True)
    (m,) = [i for i in doc["inputs"] if i["path"] == "marketing.assumptions.mql_to_sql"]
    lines = (mql_repo / "plan" / "marketing.yaml").read_text().splitlines()
    assert (m["old"], m["new"], m["file"]) == (0.4, 0.5, "plan/marketing.yaml")
    assert lines[m["line"] - 1][m["column"] - 1:] == "0.5"
    assert [q["quarter"] for q in doc["quarters"]] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    fig = doc["quarters"][0]["figures"]
    assert fig["mqls_needed"] == {"old": 200.0, "new": 250.0, "delta": 50.0}
    row_keys = set(json.loads(gtm("funnel", "plan", "-f", "json").out)["quarters"][0])
    assert set(fig) <= row_keys
    codes = sorted(f["code"] for f in doc["findings"]["new"])
    assert codes == ["A101", "A102", "A102", "A102", "A102"]
    assert doc["findings"]["resolved"] == []
    assert doc["summary"] == {"inputs": 2, "new_errors": 5, "new_warnings": 0, "new_info": 0, "resolved": 0}


# -- sides: paths, commits, a plan that did not exist -----------------------------------------

def test_diff_between_two_paths(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "old", base_plan())
    write_split(tmp_path / "new", apply_patch(base_plan(), {"marketing": {"programs": {1: {"cost": 12000}}}}))
    r = gtm("diff", "new", "--base", "old", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert (doc["base"], doc["head"]) == ("old", "working tree")
    assert [(i["path"], i["old"], i["new"], i["file"]) for i in doc["inputs"]] == [
        ("marketing.programs[seo].cost", 8000, 12000, "new/marketing.yaml")]
    assert doc["quarters"][0]["figures"] == {"program_cost": {"old": 20000.0, "new": 24000.0, "delta": 4000.0}}
    r = gtm("diff", "x", "--base", "old", "--head", "new")
    assert r.code == 0 and "marketing.programs[seo].cost: 8000 -> 12000   (new/marketing.yaml:" in r.out


def test_diff_between_two_commits_reads_git_not_the_working_tree(gtm, repo):
    write_split(repo / "plan", base_plan())
    commit(repo, "one")
    write_split(repo / "plan", apply_patch(base_plan(), {"sales": {"targets": {"2027Q2": 150000}}}))
    second = commit(repo, "two")
    # a working tree change and an untracked file that must not count
    write_split(repo / "plan", apply_patch(base_plan(), {"company": "Working tree"}))
    status = git(repo, "status", "--porcelain")
    r = gtm("diff", "plan", "--base", "HEAD~1", "--head", second[:12], "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert [(i["path"], i["old"], i["new"]) for i in doc["inputs"]] == [("sales.targets.2027Q2", 100000, 150000)]
    assert doc["inputs"][0]["file"] == f"{second[:12]}:plan/sales.yaml"
    (q,) = doc["quarters"]
    assert q["quarter"] == "2027Q2" and q["figures"]["deals"] == {"old": 10.0, "new": 15.0, "delta": 5.0}
    assert git(repo, "status", "--porcelain") == status  # nothing touched


def test_diff_against_a_revision_without_the_plan(gtm, repo):
    (repo / "README.md").write_text("hello\n")
    commit(repo, "before the plan")
    write_split(repo / "plan", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    commit(repo, "add the plan")
    r = gtm("diff", "plan", "--base", "HEAD~1", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["changed"] is True
    assert all(i["old"] is None for i in doc["inputs"])
    assert {i["path"] for i in doc["inputs"]} >= {"version", "company", "sales", "marketing"}
    assert all(f["old"] is None for q in doc["quarters"] for f in q["figures"].values())
    assert [f["code"] for f in doc["findings"]["new"]] == ["A101"]
    md = gtm("diff", "plan", "--base", "HEAD~1", "-f", "md").out
    assert md.startswith("**A new plan** (none at `HEAD~1`): 1 error, 0 warnings, 0 info.")


def test_finding_that_only_moved_lines_is_neither_new_nor_resolved(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}})
    write_split(tmp_path / "old", bad)
    # the head moves every line (a comment on top) and inserts a program before the others
    moved = apply_patch(bad, {})
    moved["marketing"]["programs"].insert(0, {"id": "podcast", "channel": "content", "quarters": ["2027Q1"],
                                              "segments": ["core"], "cost": 0, "expected_mqls": 0})
    write_split(tmp_path / "new", moved)
    m = tmp_path / "new" / "marketing.yaml"
    m.write_text("# marketing's half\n\n" + m.read_text())
    r = gtm("diff", "new", "--base", "old", "-f", "json")
    doc = json.loads(r.out)
    assert doc["findings"] == {"new": [], "resolved": []}
    assert [i["path"] for i in doc["inputs"]] == ["marketing.programs[podcast]"]
    old_a101 = json.loads(gtm("check", "old", "-f", "json").out)["findings"][0]
    new_a101 = json.loads(gtm("check", "new", "-f", "json").out)["findings"][0]
    assert old_a101["code"] == new_a101["code"] == "A101" and old_a101["line"] != new_a101["line"]


def test_resolved_finding(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "old", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    write_split(tmp_path / "new", base_plan())
    doc = json.loads(gtm("diff", "new", "--base", "old", "-f", "json").out)
    assert [f["code"] for f in doc["findings"]["resolved"]] == ["A101"]
    assert doc["findings"]["resolved"][0]["file"] == "old/marketing.yaml"
    assert doc["inputs"][0] == {"path": "marketing.assumptions.mql_to_sql", "old": 0.6, "new": None,
                                "file": "old/marketing.yaml", "line": doc["inputs"][0]["line"], "column": 17}
    md = gtm("diff", "new", "--base", "old", "-f", "md").out
    assert md.startswith("✅ No new finding; **1 finding** resolved.")


# -- exit codes ------------------------------------------------------------------------------

def test_fail_on(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "base", base_plan())
    write_split(tmp_path / "err", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    write_split(tmp_path / "name", apply_patch(base_plan(), {"company": "Renamed"}))
    # a warning only: a program whose segment... use L203-free change: a goal owned by one side (G-rule warning)
    warn = apply_patch(base_plan(), {"goals": {0: {"owners": ["sales"]}}})
    write_split(tmp_path / "warn", warn)
    warn_doc = json.loads(gtm("diff", "warn", "--base", "base", "-f", "json").out)["summary"]
    assert warn_doc["new_errors"] == 0 and warn_doc["new_warnings"] >= 1
    cases = {  # head -> expected exit code for (none, new-errors, new-warnings, any-change)
        "err": (0, 1, 1, 1),
        "warn": (0, 0, 1, 1),
        "name": (0, 0, 0, 1),
        "base": (0, 0, 0, 0),
    }
    for head, codes in cases.items():
        got = [gtm("diff", head, "--base", "base").code] + [
            gtm("diff", head, "--base", "base", "--fail-on", f).code for f in ("new-errors", "new-warnings", "any-change")]
        assert tuple(got) == codes, head
    r = gtm("diff", "err", "--base", "base", "--fail-on", "new-bugs")
    assert r.code == 2 and "new-bugs" in r.err


def test_exit_2_names_the_side(gtm, tmp_path, monkeypatch, repo):
    write_split(repo / "plan", base_plan())
    commit(repo, "one")
    r = gtm("diff", "plan", "--base", "origin/nope")
    assert r.code == 2
    assert r.err.startswith("gtmplan: --base: 'origin/nope' is neither an existing path nor a revision")
    r = gtm("diff", "plan", "--base", "HEAD", "--head", "v9")
    assert r.code == 2 and r.err.startswith("gtmplan: --head: 'v9' is neither")
    # invalid at the base: located in the revision's file
    (repo / "plan" / "sales.yaml").write_text("sales:\n  targets: 3\n")
    commit(repo, "broken")
    write_split(repo / "plan", base_plan())
    r = gtm("diff", "plan", "--base", "HEAD")
    assert r.code == 2 and "HEAD:plan/sales.yaml:2:12: sales.targets: expected a mapping of keys, got 3" in r.err
    assert all(line.startswith("HEAD:plan/sales.yaml:") for line in r.err.splitlines())
    # invalid at the head
    r = gtm("diff", "plan", "--base", "HEAD~1", "--head", "HEAD")
    assert r.code == 2 and "HEAD:plan/sales.yaml:2:12: sales.targets:" in r.err
    # not a git repository
    outside = tmp_path / "outside"
    write_split(outside / "plan", base_plan())
    monkeypatch.chdir(outside)
    r = gtm("diff", "plan", "--base", "main")
    assert r.code == 2
    assert r.err == ("gtmplan: --base: 'main' is not an existing path, and plan is not in a git repository, "
                     "so it cannot be a revision\n")


def test_shallow_clone_with_the_base_fetched(gtm, repo, tmp_path, monkeypatch):
    write_split(repo / "plan", base_plan())
    commit(repo, "one")
    git(repo, "checkout", "-q", "-b", "feature")
    write_split(repo / "plan", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    commit(repo, "two")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "feature", f"file://{repo}", str(clone))
    monkeypatch.chdir(clone)
    r = gtm("diff", "plan", "--base", "origin/main")
    assert r.code == 2 and "fetch it first" in r.err
    git(clone, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
    r = gtm("diff", "plan", "--base", "origin/main", "--fail-on", "new-errors")
    assert r.code == 1 and "1 new error: A101" in r.out


# -- the pull-request comment ------------------------------------------------------------------

def test_no_change_is_one_line(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "a", base_plan())
    write_split(tmp_path / "b", base_plan())
    (tmp_path / "b" / "sales.yaml").write_text("# reformatted\n" + (tmp_path / "b" / "sales.yaml").read_text())
    r = gtm("diff", "b", "--base", "a", "-f", "md")
    assert (r.code, r.out) == (0, NO_CHANGE + "\n")
    doc = json.loads(gtm("diff", "b", "--base", "a", "-f", "json").out)
    assert doc["changed"] is False and doc["inputs"] == [] and doc["quarters"] == []
    assert gtm("diff", "b", "--base", "a", "--fail-on", "any-change").code == 0


def test_md_is_cut_at_60000_characters(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "a", base_plan())
    big = base_plan()
    big["marketing"]["programs"] += [
        {"id": f"program-{i:04d}", "name": "A long program name to make the comment long " * 2,
         "channel": "content", "segments": ["core"], "quarters": ["2027Q1"], "cost": 0, "expected_mqls": 0}
        for i in range(1500)]
    write_split(tmp_path / "b", big)
    r = gtm("diff", "b", "--base", "a", "-f", "md")
    assert r.code == 0
    assert len(r.out) <= MD_LIMIT
    assert r.out.endswith(CUT_NOTE)
    assert r.out.startswith("No change to the plan's numbers or findings; 1,500 inputs changed.")
    full = gtm("diff", "b", "--base", "a", "-f", "json").out
    assert len(json.loads(full)["inputs"]) == 1500  # JSON is never cut


def test_cut_keeps_whole_lines():
    text = "".join(f"line {i}\n" for i in range(20000))
    out = cut(text)
    assert len(out) <= MD_LIMIT and out.endswith(CUT_NOTE)
    body = out[:-len(CUT_NOTE)]
    assert body.endswith("\n") is False and body.splitlines()[-1].startswith("line ")
    assert cut("short\n") == "short\n"


def test_output_file_by_extension_and_scenario(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "a", base_plan())
    write_split(tmp_path / "b", base_plan())
    (tmp_path / "b" / "scenarios").mkdir()
    (tmp_path / "b" / "scenarios" / "s.yaml").write_text("sales:\n  assumptions:\n    win_rate: 0.2\n")
    (tmp_path / "a" / "scenarios").mkdir()
    (tmp_path / "a" / "scenarios" / "s.yaml").write_text("sales:\n  assumptions:\n    win_rate: 0.2\n")
    assert gtm("diff", "b", "--base", "a", "--scenario", "s", "-o", "d.json").code == 0
    assert json.loads((tmp_path / "d.json").read_text())["changed"] is False
    r = gtm("diff", "b", "--base", "a", "--set", "sales.assumptions.win_rate=0.2", "-o", "d.md")
    assert r.code == 0 and (tmp_path / "d.md").read_text() == NO_CHANGE + "\n"
    r = gtm("diff", "b", "--base", "a", "-o", "d.pdf")
    assert r.code == 2 and "cannot write .pdf" in r.err


# -- the shipped GitHub Actions workflow ---------------------------------------------------

WORKFLOW = Path(__file__).parents[2] / "docs" / "github-actions" / "gtmplan-diff.yml"


def _steps() -> dict:
    import yaml

    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {s.get("name", s.get("uses", "")): s for s in doc["jobs"]["diff"]["steps"]}


def test_workflow_comment_logic_matches_the_command():
    steps = _steps()
    run = steps["What this pull request does to the plan"]["run"]
    assert 'gtmplan diff "$PLAN" --base origin/${{ github.base_ref }} --format md --fail-on new-errors' in run
    script = steps["Create or update the one comment"]["with"]["script"]
    assert f'report === "{NO_CHANGE}"' in script  # skips the comment when nothing changed
    assert "updateComment" in script and "createComment" in script and "marker" in script


def test_workflow_shell_steps_in_a_shallow_clone(repo, tmp_path):
    """The fetch and diff steps, run by bash as Actions would, in a depth-1 clone of a pull request."""
    write_split(repo / "plan", base_plan())
    commit(repo, "plan")
    git(repo, "checkout", "-q", "-b", "feature")
    write_split(repo / "plan", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    commit(repo, "marketing's rate")
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "feature", f"file://{repo}", str(clone))
    steps = _steps()
    out = tmp_path / "github_output"
    env = {**os.environ, **GIT_ENV, "PLAN": "plan", "GITHUB_OUTPUT": str(out),
           "PATH": f"{Path(os.sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def step(name: str) -> subprocess.CompletedProcess:
        script = steps[name]["run"].replace("${{ github.base_ref }}", "main")
        return subprocess.run(["bash", "-e", "-c", script], cwd=clone, env=env, capture_output=True, text=True)

    assert step("Fetch the base branch (only its last commit is needed)").returncode == 0
    r = step("What this pull request does to the plan")
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "status=1\n"
    report = (clone / "gtmplan-diff.md").read_text(encoding="utf-8")
    assert report.startswith("❌ **1 new error**: A101 sales assumes mql\\_to\\_sql 0.40, marketing 0.60")


def test_plan_removed_at_the_head_and_no_plan_at_all(gtm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "old", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    r = gtm("diff", "gone", "--base", "old", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert all(i["new"] is None for i in doc["inputs"]) and [f["code"] for f in doc["findings"]["resolved"]] == ["A101"]
    assert gtm("diff", "gone", "--base", "old", "-f", "md").out.startswith("**The plan is removed** (none at `working tree`)")
    git(tmp_path, "init", "-q")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "empty")
    r = gtm("diff", "gone", "--base", "HEAD")
    assert r.code == 2 and r.err == "gtmplan: diff: no plan at 'gone' at either side (--base HEAD, --head working tree)\n"


def test_git_side_refuses_a_huge_file_without_reading_it(gtm, repo, monkeypatch):
    import gtmplan.read.yamlsource as ys

    write_split(repo / "plan", base_plan())
    (repo / "plan" / "zz-notes.yaml").write_text("x-notes: " + "a" * 5000 + "\n")
    commit(repo, "one")
    monkeypatch.setattr(ys, "MAX_FILE_BYTES", 4096)
    r = gtm("diff", "plan", "--base", "HEAD")
    assert r.code == 2
    assert "HEAD:plan/zz-notes.yaml: file is larger than 0 MiB; plan files this large are refused" in r.err


def test_actuals_are_read_from_the_revision_too(gtm, repo):
    """E rules use the recorded quarters (actuals/): at a revision they come from that revision."""
    import shutil


    shutil.copytree(LUMEN, repo / "plan", ignore=shutil.ignore_patterns("crm"))
    commit(repo, "plan with its track record")
    check = json.loads(gtm("check", "plan", "-f", "json").out)
    assert any(f["code"].startswith("E") for f in check["findings"])  # the example's actuals matter
    assert gtm("diff", "plan", "--base", "HEAD", "-f", "md").out == NO_CHANGE + "\n"
    a = repo / "plan" / "actuals" / "2026Q2.yaml"
    a.write_text(a.read_text().replace("quarter: 2026Q2", "quarter: 2026Q1"))
    commit(repo, "broken actuals")
    git(repo, "checkout", "-q", "HEAD~1", "--", "plan")
    r = gtm("diff", "plan", "--base", "HEAD")
    assert r.code == 2 and r.err.startswith("HEAD:plan/actuals/2026Q2.yaml:")


def test_diff_text_and_md_show_counts_rounded_up_as_funnel_does(gtm, tmp_path, monkeypatch):
    import re

    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "old", base_plan())
    write_split(tmp_path / "new", apply_patch(base_plan(), {"sales": {"assumptions": {"win_rate": 0.22}}}))
    doc = json.loads(gtm("diff", "new", "--base", "old", "-f", "json").out)
    exact = [(q["quarter"], k, f) for q in doc["quarters"] for k, f in q["figures"].items()]
    assert any(not float(f["new"]).is_integer() for _, _, f in exact)  # JSON keeps the exact values
    text = gtm("diff", "new", "--base", "old").out
    md = gtm("diff", "new", "--base", "old", "-f", "md").out
    for quarter, key, f in exact:
        old, new = -(-f["old"] // 1), -(-f["new"] // 1)  # rounded up, as funnel shows counts
        d = int(new - old)
        change = f"{'+' if d > 0 else '−'}{abs(d):,}" if d else "less than 1 (rounded up alike)"
        name = key.replace("_", " ")
        assert f"  {quarter}  {name}: {int(old):,} -> {int(new):,} ({change})" in text
        assert f"| {quarter} | {name} | {int(old):,} | {int(new):,} | {change} |" in md
    assert not re.search(r"\d\.\d", text.split("Funnel figures that moved:")[1].split("\n\n")[0])


def test_changes_inside_lists_without_ids_are_named_by_position(gtm, tmp_path, monkeypatch):
    # team rows and reviews have no id: a change is named by the item's position, located in the head
    monkeypatch.chdir(tmp_path)
    write_split(tmp_path / "old", base_plan())
    new = base_plan()
    new["sales"]["team"][0]["count"] = 3
    new["sales"]["team"].append({"role": "SDR", "count": 1, "annual_quota": 120000})
    new["reviews"][1]["date"] = datetime.date(2027, 6, 21)
    write_split(tmp_path / "new", new)
    r = gtm("diff", "new", "--base", "old", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert [(i["path"], i["old"], i["new"], i["file"]) for i in doc["inputs"]] == [
        ("reviews[1].date", "2027-06-20", "2027-06-21", "new/gtmplan.yaml"),
        ("sales.team[0].count", 2, 3, "new/sales.yaml"),
        ("sales.team[1]", None, {"role": "SDR", "count": 1, "annual_quota": 120000}, "new/sales.yaml")]
    # capacity per quarter: 2 AEs x 240,000 / 4 = 120,000 before; 3 x 60,000 + 1 SDR x 120,000 / 4 = 210,000 after
    assert doc["quarters"][0]["figures"] == {"capacity": {"old": 120000.0, "new": 210000.0, "delta": 90000.0}}
    r = gtm("diff", "new", "--base", "old")
    assert r.code == 0
    assert "  sales.team[0].count: 2 -> 3   (new/sales.yaml:16:12)\n" in r.out
    assert "  reviews[1].date: 2027-06-20 -> 2027-06-21   (new/gtmplan.yaml:57:9)\n" in r.out
    # the other way round, the SDR row is removed: located where it was, in the base
    doc = json.loads(gtm("diff", "old", "--base", "new", "-f", "json").out)
    assert [(i["path"], i["old"], i["new"], i["file"], i["line"]) for i in doc["inputs"]][2] == (
        "sales.team[1]", {"role": "SDR", "count": 1, "annual_quota": 120000}, None, "new/sales.yaml", 18)
