"""What every rule shares: the Rule class, Finding, and the context rules read from.

A rule is a small class in the module of its family (``a_funnel.py`` for A1xx ...)
with a code, a name, a default severity and a docstring. The docstring *is* the
user documentation that ``gtmplan rules CODE`` prints: first line a summary, then
sections "Why", "Fires when", "How to fix" and "Example".
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Optional

from gtmplan.engine.funnel import Funnel, compute
from gtmplan.output.fmt import money
from gtmplan.plan.quarters import Quarter
from gtmplan.plan.sourcemap import Location, PathT, SourceMap
from gtmplan.plan.vocabulary import SEVERITIES, Severity
from gtmplan.read.actuals import TrackRecord  # the recorded quarters read with the plan (E rules)

if TYPE_CHECKING:  # pydantic is not imported at run time: plans may be compiled records
    from gtmplan.plan.model import Plan


@dataclass
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    quarter: Optional[Quarter] = None
    related: list[Location] = field(default_factory=list)
    segment: Optional[str] = None  # the sales.segments id a finding is about; None: the company's

    def as_dict(self, with_segment: bool = False) -> dict:
        """The JSON shape of cli.md (the quarter written as 2027Q2). ``with_segment`` (a plan
        with sales.segments) adds ``segment``, null for the company's findings."""
        loc = self.location
        out = {"code": self.code, "name": self.name, "severity": self.severity, "message": self.message,
               "file": loc.file, "line": loc.line, "column": loc.column, "path": loc.path,
               "quarter": None if self.quarter is None else str(self.quarter)}
        if with_segment:
            out["segment"] = self.segment
        out["related"] = [r.as_dict() for r in self.related]
        return out


class Context:
    """The plan as the rules see it: the model, positions, the funnel and settings."""

    def __init__(self, plan: Plan, source: SourceMap, actuals: Optional[TrackRecord] = None,
                 funnel: Optional[Funnel] = None) -> None:
        self.plan = plan
        self.source = source
        self.actuals: TrackRecord = actuals if actuals is not None else TrackRecord()
        self.evidence_quarters = plan.check.evidence_quarters
        self.tolerance = plan.check.tolerance
        self.max_channel_share = plan.check.max_channel_share
        if funnel is not None:
            self.__dict__["funnel"] = funnel

    @cached_property
    def funnel(self) -> Funnel:
        """Computed once, when the first rule needs it (or given by the caller)."""
        return compute(self.plan)

    def value(self, key: str) -> Optional[float]:
        """The assumption the engine uses (owner's value, else the other side's)."""
        return self.funnel.assumptions[key].value

    @property
    def segmented(self) -> bool:
        """Whether the plan has sales.segments (one funnel per segment)."""
        return bool(self.plan.sales.segments)

    def funnels(self) -> list[Funnel]:
        """The funnels the A rules judge: one per segment, or the company's alone."""
        f = self.funnel
        return list(f.segments.values()) if f.segments else [f]

    def money(self, x: Optional[float]) -> str:
        return money(x, self.plan.currency)

    def at(self, path: PathT) -> Location:
        return self.source.locate(path)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]

    def check(self, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, ctx: Context, path: PathT, message: str, quarter: Optional[Quarter] = None,
                related: tuple[PathT, ...] = (), segment: Optional[str] = None) -> Finding:
        return Finding(self.code, self.name, self.severity, message, ctx.at(path), quarter,
                       [ctx.at(p) for p in related], segment)

    @classmethod
    def summary(cls) -> str:
        return (inspect.getdoc(cls) or "").splitlines()[0]

    @classmethod
    def documentation(cls) -> str:
        return inspect.getdoc(cls) or ""


REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    assert cls.code not in REGISTRY, f"duplicate rule code {cls.code}"
    assert cls.severity in SEVERITIES, cls.severity
    REGISTRY[cls.code] = cls
    return cls
