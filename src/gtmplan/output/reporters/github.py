"""GitHub Actions workflow commands: each finding annotates the pull request's diff."""

from __future__ import annotations

from gtmplan.output.fmt import printable
from gtmplan.rules.checker import CheckResult

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    def __init__(self, color: bool = False) -> None:
        pass

    def render(self, result: CheckResult) -> str:
        out = []
        for f in result.findings:
            loc = f.location
            title = f.code if f.segment is None else f"{f.code} ({f.segment})"  # a segment's finding says which
            out.append(f"::{_LEVEL[f.severity]} file={_prop(loc.file)},line={loc.line},col={loc.column},"
                       f"title={_prop(title)}::{_data(f'{f.name}: {f.message}')}")
        return "".join(line + "\n" for line in out)
