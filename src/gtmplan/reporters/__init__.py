"""Reporters for ``gtmplan check``: name -> class, imported only when chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..outputs import Reporter, reporter

if TYPE_CHECKING:
    from ..checker import CheckResult

REPORTERS = {
    "text": ("gtmplan.reporters.text", "TextReporter"),
    "json": ("gtmplan.reporters.json", "JsonReporter"),
    "github": ("gtmplan.reporters.github", "GithubReporter"),
    "sarif": ("gtmplan.reporters.sarif", "SarifReporter"),
}


def get_reporter(name: str) -> type[Reporter[CheckResult]]:
    return reporter(REPORTERS, name)
