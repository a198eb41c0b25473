"""``gtmplan check``: run the selected rules on a loaded plan and decide the exit code.

Selection follows ruff: ``--select`` / ``--ignore`` take codes or prefixes
(``A``, ``A10``, ``A101``); the plan's ``check.ignore`` adds to ``--ignore``;
``check.severity`` overrides a rule's default severity; a comment
``# gtmplan: ignore[CODE]`` on the line a finding points at (or on the line of a
related location) suppresses it there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Optional

from gtmplan.engine.funnel import Funnel
from gtmplan.errors import InputError, Problem
from gtmplan.plan.loaded import LoadedPlan
from gtmplan.plan.vocabulary import SEVERITIES, Severity
from gtmplan.rules import Context, Finding, Rule, all_rules


@dataclass
class CheckResult:
    target: str
    findings: list[Finding]
    rules: list[type[Rule]] = field(default_factory=list)
    context: Optional[Context] = field(default=None, repr=False)

    @property
    def funnel(self) -> Funnel:
        """The funnel the rules used (computed now if none of them needed it)."""
        assert self.context is not None, "a CheckResult made by run_check"
        return self.context.funnel

    @property
    def summary(self) -> dict[Severity, int]:
        out = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def exit_code(self, strict: bool = False) -> int:
        s = self.summary
        return 1 if s["error"] or (strict and s["warning"]) else 0


def parse_codes(text: str | None, flag: str) -> list[str]:
    """``A101,B`` -> ["A101", "B"]; a code or prefix that matches no rule is a bad flag."""
    if not text:
        return []
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if not _matches_any(c)]
    if bad:
        raise InputError([Problem(None, None, None,
                                  f"{flag}: {c!r} matches no rule code (see 'gtmplan rules')") for c in bad])
    return codes


def _matches_any(prefix: str) -> bool:
    return any(r.code.startswith(prefix) for r in all_rules())


def _selected(code: str, select: Sequence[str], ignore: Iterable[str]) -> bool:
    if select and not any(code.startswith(p) for p in select):
        return False
    return not any(code.startswith(p) for p in ignore)


def _settings_problems(loaded: LoadedPlan) -> list[Problem]:
    settings = loaded.plan.check
    problems = []
    for i, code in enumerate(settings.ignore):
        if not _matches_any(code.upper()):
            loc = loaded.source.locate(("check", "ignore", i))
            problems.append(Problem(loc.file, loc.line, loc.column,
                                    f"check.ignore: {code!r} matches no rule code (see 'gtmplan rules')"))
    for code in settings.severity:
        if code.upper() not in {r.code for r in all_rules()}:
            loc = loaded.source.locate_key(("check", "severity", code))
            problems.append(Problem(loc.file, loc.line, loc.column,
                                    f"check.severity: {code!r} is not a rule code (see 'gtmplan rules')"))
    return problems


def run_check(loaded: LoadedPlan, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> CheckResult:
    problems = _settings_problems(loaded)
    if problems:
        raise InputError(problems)
    settings = loaded.plan.check
    ignored = [*ignore, *(c.upper() for c in settings.ignore)]
    overrides = {k.upper(): v for k, v in settings.severity.items()}
    rules = [r for r in all_rules() if _selected(r.code, select, ignored)]
    ctx = Context(loaded.plan, loaded.source, loaded.actuals)
    findings = []
    for rule_cls in rules:
        for f in rule_cls().check(ctx):
            f.severity = overrides.get(f.code, f.severity)
            if not _suppressed(f, loaded):
                findings.append(f)
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.column, f.code,
                                 str(f.quarter or ""), f.message))
    return CheckResult(loaded.target, findings, rules, ctx)


def _suppressed(f: Finding, loaded: LoadedPlan) -> bool:
    for loc in (f.location, *f.related):
        codes = loaded.source.ignored_codes(loc.file, loc.line)
        if any(f.code.startswith(c) for c in codes):
            return True
    return False
