"""`gtmplan check` without typer (gtmplan.fastpath): the same output and exit code as typer's path."""

from __future__ import annotations

import inspect
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
