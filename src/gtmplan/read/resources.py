"""Where the shipped templates and example plans are.

In a wheel they are inside the package (``gtmplan/templates``, ``gtmplan/examples``);
in a source checkout (or an editable install) they are at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent


def _find(name: str) -> Path:
    for candidate in (_PKG / name, _PKG.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"gtmplan's {name} directory is missing from this installation")


def templates_dir() -> Path:
    return _find("templates")


def examples_dir() -> Path:
    return _find("examples")
