"""The code keeps the rules docs/contributing.md gives it ("Layout of the code").

Every import sits at the top of its module, unless a measured start-up reason is written
down: on the import's line, in a comment above it (and the imports grouped with it), or once for the module in a comment
starting "# Deferred imports:" (what is deferred and what importing it costs).
"""

from __future__ import annotations

import ast

from conftest import ROOT

SRC = ROOT / "src" / "gtmplan"
GENERATED = {"_compiled_plan.py"}


def _imports_inside_functions(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    yield inner.lineno, lines[inner.lineno - 1], _block_above(lines, inner.lineno - 1)


def _block_above(lines, index):
    """The comment lines among the imports and comments just above line ``index`` (0-based)."""
    above = []
    for line in reversed(lines[:index]):
        stripped = line.strip()
        if not stripped.startswith(("#", "import ", "from ")):
            break
        above.append(stripped)
    return "\n".join(x for x in above if "#" in x)


def test_every_import_inside_a_function_says_why():
    unexplained = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in GENERATED:
            continue
        module_reason = "\n# Deferred imports: " in path.read_text(encoding="utf-8")
        for lineno, line, above in _imports_inside_functions(path):
            if not (module_reason or "#" in line or above):
                unexplained.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert unexplained == [], "imports inside functions without a reason:\n" + "\n".join(unexplained)
