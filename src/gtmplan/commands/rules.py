"""``gtmplan rules``: the catalogue as a table, or one rule explained."""

from __future__ import annotations

from gtmplan.errors import InputError
from gtmplan.rules import FAMILIES, REGISTRY, all_rules


def table() -> str:
    rules = all_rules()
    width = max(len(r.name) for r in rules)
    lines = []
    family = None
    for r in rules:
        if r.code[0] != family:
            family = r.code[0]
            lines.append(("" if not lines else "\n") + f"{family} — {FAMILIES[family]}")
        lines.append(f"  {r.code}  {r.name:<{width}}  {r.severity:<7}  {r.summary()}")
    lines.append("\n'gtmplan rules CODE' explains one rule.")
    return "\n".join(lines) + "\n"


def explain(code: str) -> str:
    rule = REGISTRY.get(code.upper())
    if rule is None:
        raise InputError.single(None, f"no rule {code!r}; 'gtmplan rules' lists them")
    header = f"{rule.code} {rule.name} (default severity: {rule.severity})"
    return f"{header}\n{'=' * len(header)}\n\n{rule.documentation()}\n"
