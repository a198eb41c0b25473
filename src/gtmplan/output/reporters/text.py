"""Findings for people: ``FILE:LINE:COL CODE severity: message``, grouped by file."""

from __future__ import annotations

from gtmplan.output.fmt import plural, printable
from gtmplan.rules.checker import CheckResult

_COLORS = {"error": "31", "warning": "33", "info": "36"}


class TextReporter:
    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _c(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def render(self, result: CheckResult) -> str:
        lines: list[str] = []
        current = None
        for f in result.findings:
            loc = f.location
            if current is not None and loc.file != current:
                lines.append("")
            current = loc.file
            where = self._c("1", printable(f"{loc.file}:{loc.line}:{loc.column}"))
            sev = self._c(_COLORS[f.severity], f"{f.severity}:")
            lines.append(f"{where} {self._c('1', f.code)} {sev} {printable(f.message)}")
        if lines:
            lines.append("")
        lines.append(self.summary_line(result))
        return "\n".join(lines) + "\n"

    def summary_line(self, result: CheckResult) -> str:
        s = result.summary
        checked = plural(len(result.rules), "rule")
        if not result.findings:
            return f"{result.target}: no problems found ({checked} checked)"
        parts = [plural(s["error"], "error"), plural(s["warning"], "warning"), f"{s['info']} info"]
        # the most severe finding first: the one to read about first
        first = min(result.findings, key=lambda f: ("error", "warning", "info").index(f.severity)).code
        return (f"{result.target}: {', '.join(parts)} ({checked} checked); "
                f"'gtmplan rules {first}' explains a finding and how to fix it")
