"""Reporters for ``gtmplan check``: name -> class, imported only when chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gtmplan.output.outputs import Reporter, reporter

if TYPE_CHECKING:
    from gtmplan.rules.checker import CheckResult

REPORTERS = {
    "text": ("gtmplan.output.reporters.text", "TextReporter"),
    "json": ("gtmplan.output.reporters.json", "JsonReporter"),
    "github": ("gtmplan.output.reporters.github", "GithubReporter"),
    "sarif": ("gtmplan.output.reporters.sarif", "SarifReporter"),
}


def get_reporter(name: str) -> type[Reporter[CheckResult]]:
    return reporter(REPORTERS, name)
