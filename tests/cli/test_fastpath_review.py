"""`gtmplan review` without typer (gtmplan.fastpath): the same output, files and exit code
as typer's path, and everything the fast path does not parse left to typer."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from conftest import EXAMPLES
from test_fastpath import _both  # both paths on one argv: (code, stdout, stderr) each

from gtmplan import cli, fastpath
from gtmplan.commands.review import report

LUMEN = str(EXAMPLES / "lumen-analytics")
CRM = EXAMPLES.parent / "tests" / "data" / "crm"
CONTACTS, DEALS = str(CRM / "hubspot-contacts-current.csv"), str(CRM / "salesforce-opportunity-data-export.csv")


def test_review_shapes_are_parsed():
    assert fastpath.parse(["review", "--quarter", "2027Q2"]) == {"quarter": "2027Q2"}
    assert fastpath.parse(["review", "p", "--quarter=2027Q2", "--leads", "l.csv", "--deals=d.csv", "-f", "md",
                           "-o", "r.md", "--mapping", "m.yaml", "--encoding", "cp1252", "--fx", "fx.yaml"]) == {
        "plan": "p", "quarter": "2027Q2", "leads": "l.csv", "deals": "d.csv", "fmt": "md", "output": "r.md",
        "mapping": "m.yaml", "encoding": "cp1252", "fx": "fx.yaml"}


@pytest.mark.parametrize("argv", [
    ["review"], ["review", "p"], ["review", "--leads", "l.csv"], ["review", "--help"],
    ["review", "--quarter", "2027Q2", "--date-format", "%d.%m.%Y"], ["review", "--quarter", "2027Q2", "--record"],
    ["review", "--quarter", "2027Q2", "--record", "--force"], ["review", "--quarter", "2027Q2", "--scenario", "s"],
    ["review", "--quarter", "2027Q2", "--set", "company=X"], ["review", "--quarter", "2027Q2", "-f", "pdf"],
    ["review", "--quarter", "2027Q2", "-f", "JSON"], ["review", "--quarter", "a", "--quarter", "b"],
    ["review", "--quarter", "2027Q2", "--leads"], ["review", "--quarter", "2027Q2", "--strict"],
])
def test_everything_else_is_left_to_typer(argv):
    assert fastpath.parse(argv) is None


def test_the_fast_path_knows_review_as_cli_defines_it():
    params = inspect.signature(cli.review).parameters
    fast = inspect.signature(fastpath._review).parameters
    for name in ("plan", "leads", "deals", "mapping", "encoding", "fx", "fmt", "output"):
        assert fast[name].default == params[name].default.default, name
    assert params["quarter"].default.default is ... and fast["quarter"].default is inspect.Parameter.empty
    assert fastpath.REVIEW_FORMATS == tuple(report.REPORTERS)
    declared = {d for p in params.values() for d in getattr(p.default, "param_decls", ()) or ()}
    assert set(fastpath._REVIEW_VALUED) <= declared


def test_same_output_and_exit_code_as_typer(capsys, tmp_path):
    fx = tmp_path / "fx.yaml"
    fx.write_text("EUR: 1.1\nGBP: 1.25\n")
    bad_fx = tmp_path / "bad-fx.yaml"
    bad_fx.write_text("EUR: -1\n")
    seen = set()
    for files in (["--leads", CONTACTS], ["--deals", DEALS], ["--leads", CONTACTS, "--deals", DEALS],
                  ["--deals", DEALS, "--fx", str(fx)], ["--deals", DEALS, "--fx", str(bad_fx)],
                  ["--deals", DEALS, "--encoding", "latin-1"], ["--deals", DEALS, "--encoding", "klingon"],
                  ["--leads", str(tmp_path / "missing.csv")], []):
        for args in ([], ["-f", "json"], ["--format=md"], ["-f", "html"]):
            for quarter in ("2027Q2", "2031Q1"):  # the second is outside the plan's horizon
                argv = ["review", LUMEN, "--quarter", quarter, *files, *args]
                fast, slow = _both(capsys, argv)
                assert fast == slow, argv
                seen.add(fast[0])
    assert seen == {0, 2}


def test_output_file_same_as_typer(capsys, tmp_path):
    for name, expected in (("r.md", 0), ("r.json", 0), ("r.pdf", 2), ("nodir/r.md", 2)):
        got = {}
        for which, run in (("fast", fastpath.run), ("typer", cli.run)):
            (tmp_path / which).mkdir(exist_ok=True)
            capsys.readouterr()
            code = run(["review", LUMEN, "--quarter", "2027Q2", "--deals", DEALS, "-o", str(tmp_path / which / name)])
            captured = capsys.readouterr()
            target = tmp_path / which / name
            got[which] = (code, captured.out, captured.err.replace(str(tmp_path / which), "DIR"),
                          target.read_text(encoding="utf-8") if target.exists() else None)
        assert got["fast"] == got["typer"], name
        assert got["fast"][0] == expected, name


def test_the_console_script_reviews_without_typer():
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "gtmplan", "review", LUMEN, "--quarter", "2027Q2",
                        "--deals", DEALS, "-f", "json"], capture_output=True, text=True, timeout=60)
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert r.returncode == 0 and '"won"' in r.stdout
    assert "typer" not in imported and "pydantic" not in imported
