"""The "Layout of the code" (docs/contributing.md) names every module and package, and only those."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT


def test_layout_of_the_code_matches_the_tree():
    contributing = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    block = contributing.split("## Layout of the code", 1)[1].split("```")[1]
    package = ROOT / "src" / "gtmplan"

    def entries(folder: Path) -> set[str]:
        found = {p.name for p in folder.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
        return found | {p.name + "/" for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()}

    listed = set(re.findall(r"^  ([a-z_]+(?:\.py|/))\s", block, re.M))
    assert listed == entries(package)
    # each package of the path lists its modules one level deeper, under its own line
    for section in re.split(r"^(?=  [a-z_]+/)", block, flags=re.M)[1:]:
        name = section.split()[0]
        inner = set(re.findall(r"^    ([a-z_]+(?:\.py|/))\s", section, re.M))
        if inner:
            assert inner == entries(package / name.rstrip("/")), name
