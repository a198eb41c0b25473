"""JSON Schema (draft 2020-12) of the plan format, generated from :mod:`gtmplan.plan.model`."""

from __future__ import annotations

from typing import Any

from gtmplan.plan.compiled import model_class
from gtmplan.plan.vocabulary import SLUG_PATTERN

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:gtmplan:schema:plan:1"


def plan_schema(fragment: bool = False) -> dict[str, Any]:
    """The schema of a plan file; ``fragment=True`` for one file of a plan directory
    (``sales.yaml`` holds only ``sales:``), where no top-level key is required."""
    schema = model_class("Plan").model_json_schema(mode="validation")
    _close_maps(schema)
    _text_as_written(schema)
    # Top-level keys starting with x- are extension fields gtmplan ignores (a place for YAML anchors).
    schema["patternProperties"] = {"^x-": {}}
    schema = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}
    schema["title"] = "gtmplan plan (format version 1)"
    if fragment:
        schema.pop("required", None)
        schema["title"] += ", one file of a plan directory"
    return schema


_YAML_SCALARS = ["string", "number", "boolean"]


def _text_as_written(node: Any) -> None:
    """Agree with the validator on text fields: YAML reads ``company: 1e3`` or
    ``region: NO`` as a number or boolean, but gtmplan keeps the text as written, so
    free-text fields accept any scalar; ids accept non-negative integers (``404``)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not any(k in node for k in ("format", "enum", "const")):
            if "pattern" not in node:
                node["type"] = list(_YAML_SCALARS)
            elif node["pattern"] == SLUG_PATTERN:
                slug = {k: node.pop(k) for k in ("type", "pattern")}
                node["anyOf"] = [slug, {"type": "integer", "minimum": 0}]
                return
        for key, value in node.items():
            if key != "propertyNames":
                _text_as_written(value)
    elif isinstance(node, list):
        for value in node:
            _text_as_written(value)


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
