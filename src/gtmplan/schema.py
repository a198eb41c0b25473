"""JSON Schema (draft 2020-12) of the plan format, generated from :mod:`gtmplan.model`."""

from __future__ import annotations

from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:gtmplan:schema:plan:1"


def plan_schema(fragment: bool = False) -> dict[str, Any]:
    """The schema of a plan file; ``fragment=True`` for one file of a plan directory
    (``sales.yaml`` holds only ``sales:``), where no top-level key is required."""
    from .model import Plan

    schema = Plan.model_json_schema(mode="validation")
    _close_maps(schema)
    schema = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}
    schema["title"] = "gtmplan plan (format version 1)"
    if fragment:
        schema.pop("required", None)
        schema["title"] += ", one file of a plan directory"
    return schema


def _close_maps(node: Any) -> None:
    """Quarter-keyed maps: keys that are not quarters are invalid, as in the validator."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for v in node.values():
            _close_maps(v)
    elif isinstance(node, list):
        for v in node:
            _close_maps(v)
