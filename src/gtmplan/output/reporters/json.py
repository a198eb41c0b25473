"""Findings as JSON, in exactly the shape docs/reference/cli.md documents."""

from __future__ import annotations

from gtmplan.output.fmt import json_text
from gtmplan.rules.checker import CheckResult


class JsonReporter:
    def __init__(self, color: bool = False) -> None:
        pass

    def render(self, result: CheckResult) -> str:
        segmented = result.context is not None and bool(result.context.plan.sales.segments)
        doc = {"plan": result.target,
               "findings": [f.as_dict(with_segment=segmented) for f in result.findings],
               "summary": result.summary}
        return json_text(doc)
