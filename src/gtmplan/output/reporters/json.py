"""Findings as JSON, in exactly the shape cli.md documents."""

from __future__ import annotations

from gtmplan.output.fmt import json_text

from gtmplan.rules.checker import CheckResult


class JsonReporter:
    def __init__(self, color: bool = False):
        pass

    def render(self, result: CheckResult) -> str:
        doc = {"plan": result.target,
               "findings": [f.as_dict() for f in result.findings],
               "summary": result.summary}
        return json_text(doc)
