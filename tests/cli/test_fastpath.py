"""`gtmplan check` and `gtmplan diff` without typer (gtmplan.fastpath): the same output,
files and exit code as typer's path."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import typing

import pytest
from conftest import EXAMPLES, apply_patch, base_plan, write_plan

from gtmplan import cli, fastpath

BRIGHT, LUMEN = str(EXAMPLES / "brightwater-pumps"), str(EXAMPLES / "lumen-analytics")


@pytest.mark.parametrize("argv, expected", [
    (["check"], {}),
    (["check", "p"], {"plan": "p"}),
    (["check", "--strict", "p", "-f", "json"], {"strict": True, "plan": "p", "fmt": "json"}),
    (["check", "--format=sarif", "--select", "A,L2", "--ignore=R"],
     {"fmt": "sarif", "select": "A,L2", "ignore": "R"}),
    (["check", "--select", ""], {"select": ""}),
    (["diff", "--base", "origin/main"], {"base": "origin/main"}),
    (["diff", "p", "--base=HEAD~1", "--head", "HEAD", "-f", "md", "--fail-on", "new-errors", "-o", "d.md"],
     {"plan": "p", "base": "HEAD~1", "head": "HEAD", "fmt": "md", "fail_on": "new-errors", "output": "d.md"}),
    (["diff", "--format=json", "--fail-on=any-change", "--base", "a", "--output=x"],
     {"fmt": "json", "fail_on": "any-change", "base": "a", "output": "x"}),
])
def test_common_shapes_are_parsed(argv, expected):
    assert fastpath.parse(argv) == expected


@pytest.mark.parametrize("argv", [
    [], ["--version"], ["--help"], ["funnel", "p"], ["render", "p"],
    ["check", "--help"], ["check", "-o", "out.json"], ["check", "--output=x.sarif"],
    ["check", "-f", "JSON"], ["check", "-f", "xml"], ["check", "-fjson"], ["check", "-f"],
    ["check", "--stric"], ["check", "--strict=yes"], ["check", "a", "b"], ["check", "--", "p"],
    ["check", "-"], ["check", "--select", "-A"], ["check", "--strict", "--strict"],
    ["check", "-f", "json", "--format", "text"], ["check", "--scenario", "s"],
    ["diff"], ["diff", "p"], ["diff", "--head", "HEAD"], ["diff", "--help"], ["diff", "--base"],
    ["diff", "--base", "a", "--base", "b"], ["diff", "--base", "a", "-f", "sarif"], ["diff", "--base", "a", "-f", "MD"],
    ["diff", "--base", "a", "--fail-on", "never"], ["diff", "--base", "a", "--strict"],
    ["diff", "--base", "a", "--scenario", "s"], ["diff", "--base", "a", "--set", "company=X"],
    ["diff", "--base", "a", "-o", "x", "-o", "y"], ["diff", "--base", "-x"], ["diff", "a", "b", "--base", "c"],
    ["diff", "--base", "a", "--select", "A"],
])
def test_everything_else_is_left_to_typer(argv):
    assert fastpath.parse(argv) is None


def test_the_fast_path_knows_check_as_cli_defines_it():
    """Names, choices and defaults of the flags it parses are cli.check's."""
    params = inspect.signature(cli.check).parameters
    hints = typing.get_type_hints(cli.check)
    literal = next(a for a in typing.get_args(hints["fmt"]) if a is not type(None))  # Optional: -o may choose it
    assert typing.get_args(literal) == fastpath.FORMATS
    fast = inspect.signature(fastpath._check).parameters
    for name in ("plan", "select", "ignore", "strict"):
        assert fast[name].default == params[name].default.default, name
    # no --format and no -o (which the fast path leaves to typer): text, as outputs.choose_format says
    assert params["fmt"].default.default is None and fast["fmt"].default == "text"
    declared = {d for p in params.values() for d in getattr(p.default, "param_decls", ()) or ()}
    assert set(fastpath._VALUED) | {"--strict"} <= declared


def test_the_fast_path_knows_diff_as_cli_defines_it():
    params = inspect.signature(cli.diff).parameters
    hints = typing.get_type_hints(cli.diff)

    def choices(hint):
        literal = next(a for a in typing.get_args(hint) if a is not type(None))
        return typing.get_args(literal)

    assert choices(hints["fmt"]) == fastpath.DIFF_FORMATS
    assert choices(hints["fail_on"]) == fastpath.FAIL_ON
    fast = inspect.signature(fastpath._diff).parameters
    for name in ("plan", "head", "fmt", "fail_on", "output"):
        assert fast[name].default == params[name].default.default, name
    assert params["base"].default.default is ... and fast["base"].default is inspect.Parameter.empty  # required
    declared = {d for p in params.values() for d in getattr(p.default, "param_decls", ()) or ()}
    assert set(fastpath._DIFF_VALUED) <= declared


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


ARGS = [[], ["-f", "json"], ["--format=github"], ["-f", "sarif"], ["--select", "A"], ["--ignore", "A1,R"],
        ["--strict"], ["--select", "ZZZ"], ["--ignore=A,nope"], ["--select=A,F", "--strict", "-f", "json"]]


def _both(capsys, argv):
    capsys.readouterr()
    fast = fastpath.run(argv)
    fast_out = capsys.readouterr()
    typer_code = cli.run(argv)
    typer_out = capsys.readouterr()
    assert fast is not None, f"{argv} was left to typer"
    return (fast, fast_out.out, fast_out.err), (typer_code, typer_out.out, typer_out.err)


def test_same_output_and_exit_code_as_typer(capsys, tmp_path):
    seen = set()
    for plan in [BRIGHT, LUMEN, _warning_only(tmp_path), *_bad_plans(tmp_path)]:
        for args in ARGS:
            fast, slow = _both(capsys, ["check", plan, *args])
            assert fast == slow, (plan, args)
            seen.add(fast[0])
    assert seen == {0, 1, 2}


def test_same_without_a_plan_argument(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLES / "lumen-analytics")
    fast, slow = _both(capsys, ["check", "--strict"])
    assert fast == slow and fast[0] == 1 and "A102 error" in fast[1]


def test_the_console_script_takes_the_fast_path_and_falls_back():
    def gtmplan(*args):
        return subprocess.run([sys.executable, "-m", "gtmplan", *args], capture_output=True, text=True, timeout=60)

    r = gtmplan("check", BRIGHT, "--strict")
    assert (r.returncode, r.stderr) == (0, "") and r.stdout.startswith(f"{BRIGHT}: no problems found (")
    r = gtmplan("check", BRIGHT, "-f", "JSON")  # typer's error, via the fallback
    assert r.returncode == 2 and r.stderr.startswith("gtmplan: Invalid value for '--format' / '-f': 'JSON'")
    r = gtmplan("check", "--help")
    assert r.returncode == 0 and "--strict" in r.stdout


def test_in_process_callers_keep_their_garbage_collector(capsys):
    import gc

    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    assert fastpath.run(["check", LUMEN]) == 1
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


DIFF_ARGS = [[], ["-f", "json"], ["--format=md"], ["-f", "text"], ["--fail-on", "new-errors"],
             ["--fail-on=new-warnings", "-f", "md"], ["--fail-on", "any-change"]]


DIFF_PLANS = [["plan"], [], ["missing"]]
DIFF_SIDES = [["--base", "HEAD~2"], ["--base", "HEAD~2", "--head", "HEAD~1"], ["--base", "HEAD~1", "--head", "HEAD~2"],
              ["--base", "HEAD~1"], ["--base", "other"], ["--base", "HEAD~2", "--head", "other"],
              ["--base", "HEAD"], ["--base", "nope"], ["--base", "HEAD~2", "--head", "v9"], ["--base", ""]]


@pytest.mark.parametrize("combinations", [
    # every pair of values of any two of plan, sides and flags, each in at least one command line: 70 of 210
    "pairs",
    pytest.param("all", marks=pytest.mark.slow),  # every combination
])
def test_diff_same_output_and_exit_code_as_typer(capsys, diff_repo, combinations):
    seen = set()
    if combinations == "all":
        argvs = [(plan, side, args) for plan in DIFF_PLANS for side in DIFF_SIDES for args in DIFF_ARGS]
    else:  # the plan rotates: each side meets each plan and each flag set, each flag set each plan
        argvs = [(DIFF_PLANS[(i + j) % len(DIFF_PLANS)], side, args)
                 for i, side in enumerate(DIFF_SIDES) for j, args in enumerate(DIFF_ARGS)]
        assert {(tuple(p), tuple(s)) for p, s, _ in argvs} == {(tuple(p), tuple(s)) for p in DIFF_PLANS for s in DIFF_SIDES}
        assert {(tuple(p), tuple(a)) for p, _, a in argvs} == {(tuple(p), tuple(a)) for p in DIFF_PLANS for a in DIFF_ARGS}
    for plan, side, args in argvs:
        argv = ["diff", *plan, *side, *args]
        fast, slow = _both(capsys, argv)
        assert fast == slow, argv
        seen.add(fast[0])
    assert seen == {0, 1, 2}


def test_diff_output_file_same_as_typer(capsys, diff_repo):
    for name, args, expected in (("d.md", [], 0), ("d.json", ["--fail-on", "new-errors"], 1), ("d.txt", ["-f", "md"], 0),
                                 ("d.pdf", [], 2), ("nodir/d.md", [], 2)):
        got = {}
        for which, run in (("fast", fastpath.run), ("typer", cli.run)):
            (diff_repo / which).mkdir(exist_ok=True)
            capsys.readouterr()
            code = run(["diff", "plan", "--base", "HEAD~2", "-o", f"{which}/{name}", *args])
            captured = capsys.readouterr()
            target = diff_repo / which / name
            got[which] = (code, captured.out, captured.err.replace(which, "DIR"),
                          target.read_text(encoding="utf-8") if target.exists() else None)
        assert got["fast"] == got["typer"], name
        assert got["fast"][0] == expected, name
    assert (diff_repo / "fast" / "d.md").read_text(encoding="utf-8").startswith("❌ **1 new error**: A101 ")
    assert json.loads((diff_repo / "fast" / "d.json").read_text(encoding="utf-8"))["summary"]["new_errors"] == 1


def test_the_console_script_takes_the_diff_fast_path_and_falls_back(diff_repo):
    def gtmplan(*args):
        return subprocess.run([sys.executable, "-X", "importtime", "-m", "gtmplan", *args], capture_output=True,
                              text=True, timeout=60)

    def imported(stderr):
        return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}

    r = gtmplan("diff", "plan", "--base", "HEAD~2", "--fail-on", "new-errors")
    assert r.returncode == 1 and "A101" in r.stdout
    assert "typer" not in imported(r.stderr) and "pydantic" not in imported(r.stderr)
    r = gtmplan("diff", "plan", "--base", "HEAD~2", "--scenario", "s", "-f", "json")  # typer: a scenario
    assert r.returncode == 2 and "typer" in imported(r.stderr) and "no scenario 's'" in r.stderr
    r = gtmplan("diff", "plan")  # typer's error, via the fallback
    assert r.returncode == 2 and "Missing option '--base'" in r.stderr
