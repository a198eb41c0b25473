"""What every rule shares: the Rule class, Finding, and the context rules read from.

A rule is a small class in the module of its family (``a_funnel.py`` for A1xx ...)
with a code, a name, a default severity and a docstring. The docstring *is* the
user documentation that ``gtmplan rules CODE`` prints: first line a summary, then
sections "Why", "Fires when", "How to fix" and "Example".
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar, Iterator, Optional

from ..fmt import money
from ..funnel import Funnel, compute
from ..model import Plan
from ..sourcemap import Location, PathT, SourceMap

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    code: str
    name: str
    severity: str
    message: str
    location: Location
    quarter: Optional[str] = None
    related: list[Location] = field(default_factory=list)

    def as_dict(self) -> dict:
        loc = self.location
        return {"code": self.code, "name": self.name, "severity": self.severity, "message": self.message,
                "file": loc.file, "line": loc.line, "column": loc.column, "path": loc.path,
                "quarter": self.quarter, "related": [r.as_dict() for r in self.related]}


class Context:
    """The plan as the rules see it: the model, positions, the funnel and settings."""

    def __init__(self, plan: Plan, source: SourceMap, actuals=None):
        from ..actuals import TrackRecord

        self.plan = plan
        self.source = source
        self.actuals: TrackRecord = actuals if actuals is not None else TrackRecord()
        self.evidence_quarters = plan.check.evidence_quarters
        self.tolerance = plan.check.tolerance
        self.max_channel_share = plan.check.max_channel_share

    @cached_property
    def funnel(self) -> Funnel:
        return compute(self.plan)

    def value(self, key: str) -> Optional[float]:
        """The assumption the engine uses (owner's value, else the other side's)."""
        return self.funnel.assumptions[key].value

    def money(self, x: Optional[float]) -> str:
        return money(x, self.plan.currency)

    def at(self, path: PathT) -> Location:
        return self.source.locate(path)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]

    def check(self, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, ctx: Context, path: PathT, message: str, quarter=None,
                related: tuple[PathT, ...] = ()) -> Finding:
        return Finding(self.code, self.name, self.severity, message, ctx.at(path),
                       None if quarter is None else str(quarter), [ctx.at(p) for p in related])

    @classmethod
    def summary(cls) -> str:
        return (inspect.getdoc(cls) or "").splitlines()[0]

    @classmethod
    def documentation(cls) -> str:
        return inspect.getdoc(cls) or ""

    @classmethod
    def family(cls) -> str:
        return cls.code[0]


REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    assert cls.code not in REGISTRY, f"duplicate rule code {cls.code}"
    assert cls.severity in SEVERITIES, cls.severity
    REGISTRY[cls.code] = cls
    return cls
