"""The reference pages' generated parts, made from the code at build time (an MkDocs hook).

A page writes a marker on a line of its own and the build replaces it:

    <!-- generated: plan-fields -->   every plan field: type, required or default, meaning
    <!-- generated: rules -->         every rule from its docstring (what `gtmplan rules CODE` shows)
    <!-- generated: commands -->      every command's arguments and options from the typer app

The fields come from the JSON Schema `gtmplan schema` prints (itself generated from the
pydantic models), the rules from the rule classes, the commands from the click command
typer builds: nothing here is copied by hand, so the pages cannot go stale. A field's
meaning is its model description; for fields whose model has none yet, from
docs/reference/field-meanings.yaml (tests/docs/test_docs.py fails on a field that has neither,
and on a meaning for a field that does not exist).

The functions are plain, so tests call them without building the site.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
MEANINGS_FILE = DOCS / "reference" / "field-meanings.yaml"
MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.M)


# --- plan fields -----------------------------------------------------------------------------

def _schema() -> dict[str, Any]:
    from gtmplan.plan.schema import plan_schema

    return plan_schema()


def _meanings() -> dict[str, str]:
    import yaml

    if not MEANINGS_FILE.exists():
        return {}
    return {str(k): str(v) for k, v in (yaml.safe_load(MEANINGS_FILE.read_text(encoding="utf-8")) or {}).items()}


def _ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _type(node: dict[str, Any]) -> str:
    """A field's type in words: `string`, `list of Program`, `map quarter -> number` ..."""
    if "$ref" in node:
        return f"[{_ref_name(node)}](#{_ref_name(node).lower()})"
    if "anyOf" in node or "oneOf" in node:
        parts = [_type(n) for n in node.get("anyOf", node.get("oneOf")) if n.get("type") != "null"]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    t = node.get("type")
    if isinstance(t, list):
        t = [x for x in t if x != "null"]
        return "text" if set(t) == {"string", "number", "boolean"} else " or ".join(t)
    if t == "array":
        return "list of " + _type(node.get("items", {}))
    if t == "object":
        if "patternProperties" in node:
            pattern, inner = next(iter(node["patternProperties"].items()))
            key = "quarter" if "Q" in pattern else "rule code" if "A-Za-z" in pattern else "key"
            return f"map {key} -> " + _type(inner)
        if isinstance(node.get("additionalProperties"), dict):
            return "map -> " + _type(node["additionalProperties"])
        return "mapping"
    if t == "string" and node.get("format") == "date":
        return "date (YYYY-MM-DD)"
    if t == "string" and "pattern" in node:
        return "quarter (YYYYQn)" if "Q" in node["pattern"] else "text matching `" + node["pattern"] + "`"
    if t == "integer":
        return "whole number"
    return t or "any"


def _bounds(node: dict[str, Any]) -> str:
    nodes = [node] + [n for n in node.get("anyOf", []) if n.get("type") != "null"]
    words = []
    for n in nodes:
        for key, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
            if key in n:
                words.append(f"{word} {n[key]}")
    return ", ".join(dict.fromkeys(words))


def plan_fields() -> list[tuple[str, str, str, str, str]]:
    """(object, field, type, required/default, meaning) for every field of every object of the format."""
    schema = _schema()
    meanings = _meanings()
    objects = {"Plan": schema, **schema.get("$defs", {})}
    rows = []
    for obj, node in objects.items():
        required = set(node.get("required", ()))
        for field, prop in node.get("properties", {}).items():
            if field in required:
                need = "required"
            elif "default" in prop and prop["default"] is not None:
                need = "default " + json.dumps(prop["default"])
            else:
                need = "optional"
            meaning = prop.get("description") or meanings.get(f"{obj}.{field}", "")
            bounds = _bounds(prop)
            rows.append((obj, field, _type(prop) + (f" ({bounds})" if bounds else ""), need, meaning))
    return rows


def plan_fields_markdown() -> str:
    out = []
    current = None
    for obj, field, typ, need, meaning in plan_fields():
        if obj != current:
            current = obj
            title = "Plan (the top level)" if obj == "Plan" else obj
            out += ["", f"### {title} {{ #{obj.lower()} }}", "", "| field | type | required / default | meaning |",
                    "|---|---|---|---|"]
        cell = meaning.replace("|", "\\|").replace("\n", " ")
        out.append(f"| `{field}` | {typ} | {need} | {cell} |")
    return "\n".join(out).lstrip("\n") + "\n"


# --- rules -----------------------------------------------------------------------------------

LABELS = ("Why:", "Fires when:", "How to fix:")


def rule_markdown(rule: Any) -> str:
    doc = inspect.cleandoc(rule.documentation())
    head, _, example = doc.partition("\nExample:\n")
    paragraphs = [p.strip() for p in head.split("\n\n") if p.strip()]
    out = [f"### {rule.code} {rule.name} {{ #{rule.code.lower()} }}", "",
           f"Default severity: **{rule.severity}**. `gtmplan rules {rule.code}` prints this page.", ""]
    for p in paragraphs:
        label = next((lab for lab in LABELS if p.startswith(lab)), None)
        out += [f"**{label}**{p[len(label):]}" if label else p, ""]
    if example.strip():
        out += ["**Example:**", "", "```text", inspect.cleandoc(example), "```", ""]
    return "\n".join(out)


def rules_markdown() -> str:
    from gtmplan.rules import FAMILIES, all_rules

    out = []
    family = None
    for rule in all_rules():
        if rule.code[0] != family:
            family = rule.code[0]
            out += [f"## {family}: {FAMILIES[family]} (generated)", ""]
        out.append(rule_markdown(rule))
    return "\n".join(out)


# --- commands --------------------------------------------------------------------------------

def _click_root():
    import typer.main

    from gtmplan.cli import app

    return typer.main.get_command(app)


def commands() -> dict[str, Any]:
    return dict(_click_root().commands)


def _takes(p: Any) -> str:
    """What a parameter takes, from click's public parameter type (the same with every typer
    release we support): `text | json`, `number`, `PATH=VALUE` ..."""
    if getattr(p, "is_flag", False):
        return "flag"
    import typing

    descriptor = getattr(p, "type_descriptor", None)  # typer >= 0.29 keeps the annotation here
    if descriptor is not None:
        ann = descriptor.annotation
        if typing.get_origin(ann) is list:
            ann = typing.get_args(ann)[0]
        choices = typing.get_args(ann) if typing.get_origin(ann) is typing.Literal else None
        name = {int: "integer", float: "float"}.get(ann, "")
    else:  # older typer: click's parameter type
        kind = getattr(p, "type", None)
        choices = getattr(kind, "choices", None)
        name = str(getattr(kind, "name", "")).lower()
    if choices:
        takes = " \\| ".join(str(c) for c in choices)
    else:
        named = {"integer": "whole number", "integer range": "whole number", "float": "number",
                 "float range": "number"}.get(name, "text")
        takes = p.metavar or named
    return takes + (" (repeatable)" if p.multiple else "")


def command_markdown(name: str, cmd: Any) -> str:
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    usage = " ".join(p.name.upper() if p.required else f"[{p.name.upper()}]" for p in args)
    help_text = inspect.cleandoc(cmd.help or "").split("\f")[0].strip()
    out = [f"### gtmplan {name} {{ #command-{name} }}", "", "```text", f"gtmplan {name} {usage} [OPTIONS]".replace("  ", " "),
           "```", ""]
    if help_text:
        out += [help_text, ""]
    out += ["| argument or option | takes | default | help |", "|---|---|---|---|"]
    for p in cmd.params:
        if p.name == "help" or getattr(p, "hidden", False):
            continue
        names = ", ".join(f"`{o}`" for o in p.opts) if p.param_type_name == "option" else f"`{p.name.upper()}`"
        default = p.default
        shown = "" if default in (None, False, (), []) or callable(default) else f"`{default}`"
        helptext = (p.help or "").replace("|", "\\|").replace("\n", " ")
        out.append(f"| {names} | {_takes(p)} | {shown} | {helptext} |")
    return "\n".join(out) + "\n"


def commands_markdown() -> str:
    return "\n".join(command_markdown(name, cmd) for name, cmd in commands().items())


# --- the hook --------------------------------------------------------------------------------

GENERATORS = {"plan-fields": plan_fields_markdown, "rules": rules_markdown, "commands": commands_markdown}


def expand(markdown: str) -> str:
    return MARKER.sub(lambda m: GENERATORS[m.group(1)](), markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return expand(markdown)
