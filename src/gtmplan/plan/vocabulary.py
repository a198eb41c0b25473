"""The plan format's fixed words, each written once: sides, buying stages, severities, ids.

Plain Python (no pydantic), so that rules, reporters and templates can use them
without loading the models.
"""

from __future__ import annotations

from typing import Literal, get_args

Side = Literal["sales", "marketing"]
SIDES: tuple[Side, ...] = get_args(Side)
"""The two sides of the plan, in the order messages name them."""

Stage = Literal["awareness", "consideration", "decision"]
STAGES: tuple[Stage, ...] = get_args(Stage)
"""The buying stages content and programs are written for, in buying order."""

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
"""A finding's severity, most serious first."""

SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
"""An id: lower-case letters, digits and dashes, starting with a letter or digit."""
