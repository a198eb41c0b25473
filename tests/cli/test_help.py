"""`gtmplan --help` and each command's help: whole summaries, placeholders a person reads
(FILE, QUARTER, the choices of --format) instead of Python types, and an example that runs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import EXAMPLES

COMMANDS = ["init", "check", "funnel", "render", "review", "calibrate", "compare", "forecast", "diff", "rules", "schema"]


def _help(*args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "gtmplan", *args, "--help"], capture_output=True, text=True,
                       env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_the_command_list_shows_whole_summaries_in_80_columns():
    out = _help()
    listed = out.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == COMMANDS
    assert not any(line.rstrip().endswith(("...", "…")) for line in listed), out
    assert all(len(line) <= 80 for line in out.splitlines())


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_shows_placeholders_not_python_types(command):
    out = _help(command)
    assert not re.search(r"<(str|int|float|list\[[^\]]*\]|int range)>", out), out
    assert "Example:" in out


def test_review_format_lists_its_choices():
    assert "-f, --format [text|md|html|json]" in _help("review")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_example_runs_as_written(command, tmp_path):
    # The example is run in a folder holding a copy of the shipped examples; diff's
    # example compares the working copy with the branch main of a fresh repository.
    example = _help(command).split("Example:", 1)[1].strip()
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    if command == "diff":
        for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                     ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
            subprocess.run(["git", *args], cwd=tmp_path, check=True)
    argv = shlex.split(example)
    assert argv[0] == "gtmplan"
    r = subprocess.run([sys.executable, "-m", "gtmplan", *argv[1:]], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode in (0, 1), (example, r.stderr)  # 1: check found problems in the example
    assert "Traceback" not in r.stderr
