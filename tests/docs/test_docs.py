"""The README and the documentation site (docs/, MkDocs) say what gtmplan does, as it does it.

- Every shell example on a page runs as written: each command of a ```console block
  (after `$ `) and each line of a ```sh block, in order, in a fresh directory holding a
  copy of the repository's examples/. A ```console block's output must be what the
  command prints on stdout (trailing spaces aside; a line `...` stands for any number
  of lines). A command must exit 0 or 1 (1: `check` found problems) without a
  traceback. Set-up steps are not run here: creating and activating a virtual
  environment, `pip install`, `pytest` itself, `mkdocs serve`, and regenerating the
  compiled validator (tests/plan/test_compiled.py checks that one); the rest of such a
  line runs (`pip install . && gtmplan check ...` runs the check).
- The reference is complete: every rule code, every command and every plan field
  appears in the site (the generator's output always; the built HTML when MkDocs is
  installed, as .ci/run installs it), and every plan field has a meaning.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
FENCE = re.compile(r"^```(console|sh)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
SETUP = re.compile(r"^(python3? -m venv\b|\. \.venv/bin/activate$|pip install\b|pytest\b|mkdocs serve\b"
                   r"|python3? -m gtmplan\.plan\.compiled$)")


def _hooks():
    spec = importlib.util.spec_from_file_location("gtmplan_docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _runnable(command: str) -> str:
    """The command without its set-up steps (see the module's docstring)."""
    parts = [p.strip() for p in command.split(" && ")]
    return " && ".join(p for p in parts if not SETUP.match(p))


def _logical_lines(text: str) -> list[str]:
    lines, current = [], ""
    for line in text.splitlines():
        if line.endswith("\\"):
            current += line[:-1].rstrip() + " "
        else:
            lines.append(current + line)
            current = ""
    return lines


def examples(page: Path) -> list[tuple[str, str | None]]:
    """(command, expected stdout or None) for every shell example of a page, in order."""
    found: list[tuple[str, str | None]] = []
    for kind, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if kind == "sh":
            for line in _logical_lines(body):
                command = re.sub(r"\s+#.*$", "", line).strip()
                if command and not command.startswith("#"):
                    found.append((command, None))
            continue
        command, output = None, []
        for line in body.splitlines() + ["$ "]:
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, "\n".join(output)))
                command, output = line[2:], []
            elif command is not None and command.endswith("\\"):
                command = command[:-1].rstrip() + " " + line.strip()
            else:
                output.append(line)
    return [(c.strip(), out) for c, out in found if c.strip()]


def _matches(expected: str, actual: str) -> bool:
    want = [line.rstrip() for line in expected.rstrip("\n").splitlines()] if expected.strip() else []
    got = [line.rstrip() for line in actual.rstrip("\n").splitlines()] if actual.strip() else []
    pattern = "".join("(?:.*\n)*?" if line == "..." else re.escape(line) + "\n" for line in want)
    return re.fullmatch(pattern, "".join(line + "\n" for line in got)) is not None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "SOURCE_DATE_EPOCH", "NO_COLOR")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", [p for p in PAGES if examples(p)], ids=_page_id)
def test_every_shell_example_runs_as_written(page, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")  # files a page's example reads (docs/how-to/…)
    env = _env()
    for command, expected in examples(page):
        runnable = _runnable(command)
        if not runnable:
            continue
        r = subprocess.run(["bash", "-c", "set -o pipefail; " + runnable], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
        where = f"{_page_id(page)}: $ {command}"
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, f"{where}\nexit {r.returncode}\n{r.stderr}"
        if expected is not None:
            assert _matches(expected, r.stdout), f"{where}\n--- the page shows:\n{expected}\n--- it prints:\n{r.stdout}"


def test_the_readme_shows_the_two_set_up_commands_and_stays_short():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme) < 12_000
    commands = [c for c, out in examples(ROOT / "README.md") if out is None]
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && gtmplan check examples/lumen-analytics",
        "python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci  # CI runs exactly the README's test command


def test_the_examples_parser_reads_console_and_sh_blocks(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```console\n$ gtmplan a \\\n  --b\nout 1\n\nout 2\n$ gtmplan c\n```\n\n"
                    "```sh\npip install . && gtmplan d   # why\n# a comment\n```\n\n```yaml\nx: 1\n```\n")
    assert examples(page) == [("gtmplan a --b", "out 1\n\nout 2"), ("gtmplan c", ""),
                              ("pip install . && gtmplan d", None)]
    assert _runnable("pip install . && gtmplan d") == "gtmplan d"
    assert _runnable("python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && pytest") == ""
    assert _matches("a\n...\nz", "a\nb\nc\nz\n") and _matches("a\n...\nz", "a\nz") and not _matches("a\nz", "a\nb\nz")


# --- the reference is complete ------------------------------------------------------------

def _names():
    hooks = _hooks()
    from gtmplan.rules import REGISTRY

    fields = {(obj, field) for obj, field, *_ in hooks.plan_fields()}
    return hooks, sorted(REGISTRY), sorted(hooks.commands()), fields


def test_every_plan_field_has_a_meaning_and_every_meaning_a_field():
    hooks = _hooks()
    rows = hooks.plan_fields()
    assert [f"{obj}.{field}" for obj, field, _, _, meaning in rows if not meaning.strip()] == []
    fields = {f"{obj}.{field}" for obj, field, *_ in rows}
    assert sorted(set(hooks._meanings()) - fields) == []


def test_the_generated_reference_names_every_rule_command_and_field():
    hooks, codes, commands, fields = _names()
    rules, cli, plan = hooks.rules_markdown(), hooks.commands_markdown(), hooks.plan_fields_markdown()
    assert [c for c in codes if f"### {c} " not in rules] == []
    assert [c for c in commands if f"### gtmplan {c} " not in cli] == []
    assert [f for f in fields if f"| `{f[1]}` |" not in plan] == []
    for page, marker in (("plan-format.md", "plan-fields"), ("rules.md", "rules"), ("cli.md", "commands")):
        assert f"<!-- generated: {marker} -->" in (DOCS / "reference" / page).read_text(encoding="utf-8")


def test_the_contract_pages_have_every_section_the_code_cites():
    """Code and tests cite the reference pages by section name: `docs/reference/plan-format.md, "Actual results"`."""
    cited = set()
    for path in [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py")]:
        cited |= set(re.findall(r'((?:plan-format|rules|cli)\.md), "([^"]+)"', path.read_text(encoding="utf-8")))
    assert cited
    for page, section in sorted(cited):
        headings = re.findall(r"^#+ (.*)$", (DOCS / "reference" / page).read_text(encoding="utf-8"), re.M)
        assert any(h == section or h.startswith(section + ":") or h.startswith(section + " (") for h in headings), \
            (page, section)


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="MkDocs is in the docs extra (.ci/run installs it)")
def test_the_built_site_names_every_rule_command_and_field(tmp_path):
    _, codes, commands, fields = _names()
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                       cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert r.returncode == 0, r.stderr
    html = lambda page: (tmp_path / "site" / "reference" / page / "index.html").read_text(encoding="utf-8")  # noqa: E731
    rules, cli, plan = html("rules"), html("cli"), html("plan-format")
    assert [c for c in codes if f'id="{c.lower()}"' not in rules] == []
    assert [c for c in commands if f'id="command-{c}"' not in cli] == []
    assert [f for f in fields if f"<code>{f[1]}</code>" not in plan] == []
    assert not (tmp_path / "site" / "hooks.py").exists()
