"""A bad command line, in gtmplan's own words: one whole line naming the flag, exit 2, the same
through the fast path (no typer) and through typer, whatever click release typer brings
(docs/reference/cli.md, 'Exit codes': a bad flag is exit 2, one line on stderr)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gtmplan import cli, fastpath, options

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "brightwater-pumps")

LINES = [
    # an unknown option: the command's help named, or the nearest option
    (["check", EXAMPLE, "--bogus"], "gtmplan: check has no option --bogus (see 'gtmplan check --help')"),
    (["check", EXAMPLE, "--stric"], "gtmplan: check has no option --stric; did you mean --strict?"),
    # a flag cut short is the one it starts (not --set, which is as close by spelling)
    (["check", EXAMPLE, "--sel=A"], "gtmplan: check has no option --sel; did you mean --select?"),
    # two options start so: no guess between them
    (["check", EXAMPLE, "--s"], "gtmplan: check has no option --s (see 'gtmplan check --help')"),
    (["diff", "--base", "HEAD", "--select", "A"], "gtmplan: diff has no option --select (see 'gtmplan diff --help')"),
    (["check", "-z"], "gtmplan: check has no option -z (see 'gtmplan check --help')"),
    (["--bogus"], "gtmplan: no option --bogus before the command (see 'gtmplan --help')"),
    (["--versio"], "gtmplan: no option --versio before the command; did you mean --version?"),
    (["check", "--help=yes"], "gtmplan: --help takes no value (got --help=yes)"),
    (["chek", EXAMPLE], "gtmplan: no command 'chek'; did you mean check?"),
    (["plan"], "gtmplan: no command 'plan' (see 'gtmplan --help')"),
    # a bad choice: the choices listed, the nearest one when only the case differs
    (["check", EXAMPLE, "--format", "xml"], "gtmplan: --format: 'xml' is not one of text, json, github, sarif"),
    (["check", EXAMPLE, "-f", "JSON"],
     "gtmplan: --format: 'JSON' is not one of text, json, github, sarif; did you mean json?"),
    (["review", EXAMPLE, "--quarter", "2027Q2", "-f", "pdf"], "gtmplan: --format: 'pdf' is not one of text, md, html, json"),
    (["diff", "--base", "HEAD", "--fail-on", "never"],
     "gtmplan: --fail-on: 'never' is not one of new-errors, new-warnings, any-change"),
    (["funnel", EXAMPLE, "--format=text"], "gtmplan: --format: 'text' is not one of table, json, csv"),
    # a missing value, a missing required option, a value given to a switch, an argument too many
    (["check", EXAMPLE, "-f"], "gtmplan: -f needs a value (one of text, json, github, sarif)"),
    (["diff", "--base"], "gtmplan: --base needs a value (REV|PATH)"),
    (["review", EXAMPLE, "--quarter", "2027Q2", "--leads"], "gtmplan: --leads needs a value (FILE)"),
    (["diff", EXAMPLE], "gtmplan: diff needs --base REV|PATH: a git revision (origin/main, HEAD~1, a tag) or a plan path"),
    (["review", EXAMPLE], "gtmplan: review needs --quarter QUARTER: the fiscal quarter to review, e.g. 2027Q2"),
    (["check", "--strict=yes"], "gtmplan: --strict takes no value (got --strict=yes)"),
    (["check", "a", "b"], "gtmplan: too many arguments: check takes one PLAN (got 'a', 'b')"),
    (["schema", "x"], "gtmplan: too many arguments: schema takes none (got 'x')"),
    # a bad number
    (["init", "p", "--yes", "--quarters", "many"], "gtmplan: --quarters: 'many' is not a whole number"),
    (["init", "p", "--yes", "--quarters", "2.5"], "gtmplan: --quarters: '2.5' is not a whole number"),
    (["init", "p", "--yes", "--other-pipeline", "half"], "gtmplan: --other-pipeline: 'half' is not a number"),
    (["calibrate", EXAMPLE, "--quarters", "0"], "gtmplan: --quarters: 0 is out of range (1 or more)"),
    # user text shown safely: no terminal control sequence reaches stderr
    (["check", "--\x1b[31mred"], "gtmplan: check has no option --\\x1b[31mred (see 'gtmplan check --help')"),
]


@pytest.mark.parametrize("argv, line", LINES, ids=[" ".join(a[:1] + a[2:]) for a, _ in LINES])
def test_a_usage_error_is_one_line_in_gtmplans_words_on_both_paths(capsys, tmp_path, monkeypatch, argv, line):
    monkeypatch.chdir(tmp_path)  # init p writes nothing: the line is refused before
    for run in (fastpath.run, cli.run):
        capsys.readouterr()
        code = run(argv)
        assert (code, *capsys.readouterr()) == (2, "", line + "\n"), run.__module__
    assert list(tmp_path.iterdir()) == []


def test_the_console_script_words_them_without_typer():
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "gtmplan", "check", EXAMPLE, "--format", "xml"],
                       capture_output=True, text=True, timeout=60)
    *imports, line = r.stderr.splitlines()
    assert (r.returncode, r.stdout, line) == (2, "", "gtmplan: --format: 'xml' is not one of text, json, github, sarif")
    assert not any(i.endswith((" typer", " click")) for i in imports)


def test_help_wins_over_a_bad_value_as_before(capsys):
    # --help after a bad value still shows the help (exit 0); after an unknown option, the option is refused
    assert cli.run(["check", "-f", "xml", "--help"]) == 0 and "--strict" in capsys.readouterr().out
    assert cli.run(["check", "--help", "--bogus"]) == 2
    assert capsys.readouterr().err == "gtmplan: check has no option --bogus (see 'gtmplan check --help')\n"


@pytest.mark.parametrize("command", list(options.COMMANDS))
def test_help_shows_every_declared_option_with_its_placeholder(capsys, command):
    """The typer app is built from the declaration: each flag and placeholder in --help."""
    assert cli.run([command, "--help"]) == 0
    shown = capsys.readouterr().out
    for param in options.COMMANDS[command].params:
        for flag in param.flags:
            assert flag in shown, (command, flag)
        if param.metavar:
            assert param.metavar in shown, (command, param.metavar)
    assert options.COMMANDS[command].example in shown
