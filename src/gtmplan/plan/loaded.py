"""A plan as the commands use it: the validated model, where each value was written,
and the PLAN argument as the user typed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.errors import InputError
from gtmplan.plan.quarters import Quarter
from gtmplan.plan.sourcemap import SourceMap

if TYPE_CHECKING:  # the model module imports pydantic: loaded only once a plan is validated
    from gtmplan.plan.model import Plan
    from gtmplan.read.actuals import TrackRecord


@dataclass
class LoadedPlan:
    plan: Plan
    source: SourceMap
    target: str  # the PLAN argument as the user wrote it
    actuals: Optional[TrackRecord] = None  # the recorded quarters (actuals/), part of the plan
    data: Any = None  # the plain data the model was validated from (after a scenario and --set)
    scenario: Any = None  # the gtmplan.read.overlay.Scenario applied, if any


def quarter_in_horizon(text: str, loaded: LoadedPlan, hint: str = "") -> Quarter:
    """A --quarter flag: a quarter of the plan's horizon, or an InputError saying why not
    (and ``hint``, what else the command can do)."""
    try:
        q = Quarter.parse(text.strip().upper())
    except ValueError as e:
        raise InputError.single(None, f"--quarter: {e}") from None
    h = loaded.plan.horizon
    if not h.start <= q <= h.end:
        raise InputError.single(None, f"--quarter: {q} is outside the plan's horizon ({h.start}-{h.end}){hint}")
    return q
