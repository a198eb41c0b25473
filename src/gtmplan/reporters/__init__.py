"""Reporters for ``gtmplan check``: name -> class, imported only when chosen."""

from __future__ import annotations

import importlib

REPORTERS = {
    "text": ("gtmplan.reporters.text", "TextReporter"),
    "json": ("gtmplan.reporters.json", "JsonReporter"),
    "github": ("gtmplan.reporters.github", "GithubReporter"),
    "sarif": ("gtmplan.reporters.sarif", "SarifReporter"),
}


def get_reporter(name: str):
    module, cls = REPORTERS[name]
    return getattr(importlib.import_module(module), cls)
