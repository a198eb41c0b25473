"""The shell examples of docs/concepts/*.md show real output: each ```console block's
command (``$ ...``, run from the repository's root) prints exactly the lines below it."""

from __future__ import annotations

import re
import shlex

import pytest
from conftest import ROOT

PAGES = sorted((ROOT / "docs" / "concepts").glob("*.md"))


def console_blocks(text: str) -> list[tuple[str, str]]:
    """(command, output) for each ```console block that starts with ``$ ``."""
    out = []
    for block in re.findall(r"^```console\n(.*?)^```$", text, re.M | re.S):
        first, _, rest = block.partition("\n")
        if first.startswith("$ "):
            out.append((first[2:], rest))
    return out


CASES = [(page, cmd, out) for page in PAGES for cmd, out in console_blocks(page.read_text(encoding="utf-8"))]


def test_the_concepts_pages_have_examples():
    assert any(page.name == "other-pipeline.md" for page, _, _ in CASES)


@pytest.mark.parametrize("page,command,expected", CASES, ids=[f"{p.name}: {c}" for p, c, _ in CASES])
def test_a_shown_command_prints_what_the_page_shows(gtm, monkeypatch, page, command, expected):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("COLUMNS", raising=False)
    words = shlex.split(command)
    while "=" in words[0]:  # VAR=value before the command
        name, _, value = words.pop(0).partition("=")
        monkeypatch.setenv(name, value)
    assert words[0] == "gtmplan"
    r = gtm(*words[1:])
    assert r.out == expected, f"{page.name}: `{command}` prints something else now; paste its output"
