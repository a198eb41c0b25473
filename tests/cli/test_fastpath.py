"""`gtmplan check`, `diff` and `review` without typer (gtmplan.fastpath) against the same
commands through typer (gtmplan.cli): both read one declaration (gtmplan.options), so every
declared option, in every spelling, must give the same stdout, stderr, files and exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import EXAMPLES, apply_patch, base_plan, write_plan

from gtmplan import cli, fastpath, options

BRIGHT, LUMEN = str(EXAMPLES / "brightwater-pumps"), str(EXAMPLES / "lumen-analytics")


def _both(capsys, argv):
    """(exit code, stdout, stderr) of ARGV through the fast path, then through typer."""
    capsys.readouterr()
    fast = fastpath.run(argv)
    fast_out = capsys.readouterr()
    typer_code = cli.run(argv)
    typer_out = capsys.readouterr()
    assert fast is not None, f"{argv} was left to typer"
    return (fast, fast_out.out, fast_out.err), (typer_code, typer_out.out, typer_out.err)


# A value for every declared parameter of check (diff's: DIFF_SAMPLES; review's: test_fastpath_review.py),
# each given alone in each of its spellings; a test fails when an option is declared without one.
SAMPLES = {
    ("check", "plan"): ["lumen", "bright"], ("check", "fmt"): ["json", "github", "sarif", "text"],
    ("check", "select"): ["A", "ZZZ"], ("check", "ignore"): ["A1,R"], ("check", "strict"): [None],
    ("check", "output"): ["out.json", "out.pdf"], ("check", "scenario"): ["downside", "nope"],
    ("check", "sets"): ["sales.assumptions.win_rate=0.2", "nope=1"],
}


def _spellings(param, value):
    if not param.flags:
        return [[value]]
    if value is None:  # a switch
        return [[flag] for flag in param.flags]
    return [[flag, value] for flag in param.flags] + [[f"{param.flags[0]}={value}"]] + \
        [[flag + value] for flag in param.flags if not flag.startswith("--")]


def _lines(command, samples, plan, required=()):
    """A command line per sample value and spelling of each declared parameter of COMMAND."""
    for param in options.COMMANDS[command].params:
        for value in samples[(command, param.key)]:
            for spelling in _spellings(param, value):
                yield [command, *([] if not param.flags else [plan]), *required, *spelling]


def test_every_declared_option_of_check_and_diff_has_samples():
    for command, samples in (("check", SAMPLES), ("diff", DIFF_SAMPLES)):
        assert set(samples) == {(command, p.key) for p in options.COMMANDS[command].params}


def _both_with_files(capsys, argv, where):
    """_both, each path's run also giving the files it wrote under WHERE (removed after it)."""
    got = []
    for run in (fastpath.run, cli.run):
        before = set(where.rglob("*"))
        capsys.readouterr()
        code = run(argv)
        out = capsys.readouterr()
        written = sorted(p for p in set(where.rglob("*")) - before if p.is_file())
        got.append((code, out.out, out.err, [(str(p.relative_to(where)), p.read_bytes()) for p in written]))
        for p in written:
            p.unlink()
    return got


def test_every_declared_option_of_check_same_through_both_paths(capsys, tmp_path, monkeypatch):
    shutil.copytree(LUMEN, tmp_path / "lumen")
    shutil.copytree(BRIGHT, tmp_path / "bright")
    monkeypatch.chdir(tmp_path)
    seen = set()
    for argv in _lines("check", SAMPLES, "lumen"):
        fast, slow = _both_with_files(capsys, argv, tmp_path)
        assert fast == slow, argv
        seen.add(fast[0])
    assert seen == {0, 1, 2}


def test_check_options_given_together_and_repeated_same_through_both_paths(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["check", LUMEN, "--select=A,F", "--strict", "-f", "json"], ["check", "-fjson", "--strict", LUMEN],
                 ["check", LUMEN, "-f", "json", "--format", "text"], ["check", "--", LUMEN],
                 ["check", LUMEN, "--select", "-A"], ["check", LUMEN, "--strict", "--strict"],
                 ["check", LUMEN, "--scenario", "downside", "--scenario", "upside"],
                 ["check", LUMEN, "--set", "company=X", "--set", "sales.assumptions.win_rate=0.5", "-f", "json"]):
        fast, slow = _both(capsys, argv)
        assert fast == slow, argv


def _warning_only(tmp_path):  # exit 0, or 1 with --strict
    mismatch = {"marketing": {"assumptions": {"mql_to_sql": 0.30}}, "check": {"severity": {"A101": "warning"}}}
    return str(write_plan(tmp_path, apply_patch(base_plan(), mismatch), "warning.yaml"))


def _bad_plans(tmp_path):
    bad_yaml = write_plan(tmp_path, "version: 1\ncompany: [unclosed\n", "bad-yaml.yaml")
    bad_model = write_plan(tmp_path, apply_patch(base_plan(), {"company": 5, "currency": "usd"}), "bad-model.yaml")
    dangling = write_plan(tmp_path, apply_patch(base_plan(), {"marketing": {"programs": {0: {"segments": ["nope"]}}}}),
                          "dangling.yaml")
    ignored = write_plan(tmp_path, apply_patch(base_plan(), {"check": {"ignore": ["Z9"]}}), "bad-setting.yaml")
    return [str(p) for p in (bad_yaml, bad_model, dangling, ignored)] + [str(tmp_path / "missing")]


def test_check_same_on_good_and_bad_plans(capsys, tmp_path):
    seen = set()
    for plan in [BRIGHT, LUMEN, _warning_only(tmp_path), *_bad_plans(tmp_path)]:
        for args in ([], ["-f", "json"], ["--strict"], ["-f", "sarif", "--select", "A"]):
            fast, slow = _both(capsys, ["check", plan, *args])
            assert fast == slow, (plan, args)
            seen.add(fast[0])
    assert seen == {0, 1, 2}


def test_same_without_a_plan_argument(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLES / "lumen-analytics")
    fast, slow = _both(capsys, ["check", "--strict"])
    assert fast == slow and fast[0] == 1 and "A102 error" in fast[1]


def test_other_commands_help_and_version_are_left_to_typer(capsys):
    for argv in ([], ["--help"], ["--version"], ["check", "--help"], ["diff", "--base", "a", "--help"],
                 ["review", "-f", "xml", "--help"], ["funnel", LUMEN], ["rules", "A101"], ["schema"]):
        assert fastpath.run(argv) is None, argv
    assert capsys.readouterr() == ("", "")


def test_check_output_files_same_through_both_paths(capsys, tmp_path):
    for extra, name, expected in (([], "c.json", 1), (["-f", "github"], "c.txt", 1), ([], "c.pdf", 2),
                                  ([], "nodir/c.sarif", 2)):
        argv = ["check", LUMEN, *extra, "-o", str(tmp_path / name)]
        fast, slow = _both_with_files(capsys, argv, tmp_path)
        assert fast == slow and fast[0] == expected, name
    assert fast[2] == f"gtmplan: {tmp_path / 'nodir'}: the directory does not exist\n" or "nodir" in fast[2]


def _imported(stderr):
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def _console(*args, cwd=None):
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "gtmplan", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_the_console_script_runs_check_without_typer():
    r = _console("check", BRIGHT, "--strict")
    assert (r.returncode, r.stdout) == (0, f"{BRIGHT}: no problems found (32 rules checked)\n")
    assert "typer" not in _imported(r.stderr) and "pydantic" not in _imported(r.stderr)
    r = _console("init", "x", "--quarters", "many")  # a usage error of any command: without typer
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == "gtmplan: --quarters: 'many' is not a whole number"
    assert "typer" not in _imported(r.stderr)
    r = _console("check", "--help")  # typer answers
    assert r.returncode == 0 and "--strict" in r.stdout and "typer" in _imported(r.stderr)


def test_in_process_callers_keep_their_garbage_collector(capsys):
    import gc

    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    assert fastpath.run(["check", LUMEN]) == 1
    assert fastpath.run(["check", "--bogus"]) == 2
    assert gc.isenabled() and gc.get_freeze_count() == frozen


@pytest.fixture
def diff_repo(tmp_path, monkeypatch):
    """A repository whose last commit adds an A101 error (marketing's mql_to_sql moved away from sales'),
    a plan directory beside it to diff against as a path, and a third commit that breaks the plan."""
    from conftest import commit, git, write_split

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    monkeypatch.chdir(repo)
    write_split(repo / "plan", base_plan())
    commit(repo, "plan")
    write_split(repo / "plan", apply_patch(base_plan(), {"marketing": {"assumptions": {"mql_to_sql": 0.6}}}))
    commit(repo, "marketing's rate")
    write_split(repo / "other", apply_patch(base_plan(), {"company": "Renamed", "sales": {"assumptions": {"win_rate": 0.2}}}))
    (repo / "plan" / "sales.yaml").write_text("sales:\n  targets: 3\n", encoding="utf-8")
    commit(repo, "broken")
    git(repo, "checkout", "-q", "HEAD~1", "--", "plan")  # the working tree: the second commit's plan
    return repo


DIFF_SAMPLES = {
    ("diff", "plan"): ["plan", "missing"], ("diff", "base"): ["HEAD~2", "other", "nope", ""],
    ("diff", "head"): ["HEAD~2", "other", "v9"], ("diff", "scenario"): ["s"], ("diff", "sets"): ["company=X"],
    ("diff", "fmt"): ["json", "md", "text"], ("diff", "fail_on"): ["new-errors", "new-warnings", "any-change"],
    ("diff", "output"): ["d.md", "d.json", "d.pdf", "nodir/d.md"],
}


def test_diff_every_declared_option_same_through_both_paths(capsys, diff_repo):
    seen = set()
    for param in options.COMMANDS["diff"].params:
        for value in DIFF_SAMPLES[("diff", param.key)]:
            for spelling in _spellings(param, value):
                base = [] if param.key == "base" else ["--base", "HEAD~2"]
                plan = [] if param.key == "plan" else ["plan"]
                argv = ["diff", *plan, *base, *spelling]
                fast, slow = _both_with_files(capsys, argv, diff_repo)
                assert fast == slow, argv
                seen.add(fast[0])
    assert seen == {0, 1, 2}


@pytest.mark.parametrize("combinations", ["pairs", pytest.param("all", marks=pytest.mark.slow)])
def test_diff_sides_and_flags_together_same_through_both_paths(capsys, diff_repo, combinations):
    plans = [["plan"], [], ["missing"]]
    sides = [["--base", "HEAD~2"], ["--base", "HEAD~2", "--head", "HEAD~1"], ["--base", "HEAD~1", "--head", "HEAD~2"],
             ["--base", "HEAD~1"], ["--base", "other"], ["--base", "HEAD~2", "--head", "other"], ["--base", "HEAD"]]
    flags = [[], ["-f", "json"], ["--fail-on=new-warnings", "-f", "md"], ["--fail-on", "any-change"]]
    if combinations == "all":
        lines = [(p, s, f) for p in plans for s in sides for f in flags]
    else:  # the plan rotates: each side meets each plan and each flag set
        lines = [(plans[(i + j) % len(plans)], s, f) for i, s in enumerate(sides) for j, f in enumerate(flags)]
    for plan, side, args in lines:
        argv = ["diff", *plan, *side, *args]
        fast, slow = _both(capsys, argv)
        assert fast == slow, argv
    assert json.loads(_both(capsys, ["diff", "plan", "--base", "HEAD~2", "-f", "json"])[0][1])["summary"][
        "new_errors"] == 1


def test_the_console_script_diffs_without_typer(diff_repo):
    r = _console("diff", "plan", "--base", "HEAD~2", "--fail-on", "new-errors")
    assert r.returncode == 1 and "A101" in r.stdout
    assert "typer" not in _imported(r.stderr) and "pydantic" not in _imported(r.stderr)
    r = _console("diff", "plan")
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == (
        "gtmplan: diff needs --base REV|PATH: a git revision (origin/main, HEAD~1, a tag) or a plan path")
    assert "typer" not in _imported(r.stderr)
