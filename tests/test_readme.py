"""The README's "Layout of the code" names every module and package, and only those."""

from __future__ import annotations

import re

from conftest import ROOT


def test_layout_of_the_code_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout of the code", 1)[1].split("```")[1]
    listed = set(re.findall(r"^  ([a-z_]+(?:\.py|/))\s", block, re.M))
    package = ROOT / "src" / "gtmplan"
    actual = {p.name for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    actual |= {p.name + "/" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert listed == actual
