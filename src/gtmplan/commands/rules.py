"""``gtmplan rules``: the catalogue as a table, or one rule explained."""

from __future__ import annotations

from typing import Optional

from gtmplan.errors import InputError
from gtmplan.rules import FAMILIES, REGISTRY, all_rules

# Deferred imports: the terminal tables (rich, about 30 ms) only for `gtmplan rules` in a terminal.


def table(width: Optional[int] = None) -> str:
    """The catalogue, a section per family, in ``width`` columns (docs/reference/cli.md,
    'Terminal output'): the terminal's or ``COLUMNS``; piped without ``COLUMNS``, as wide as
    its text (0.2). The summaries wrap under themselves; narrower, key: value lines."""
    from gtmplan.output import term
    from gtmplan.output.tables import NAME, TEXT, Column, fit, key_values, paragraph, plain_rows

    width = width or term.width(None)
    rules = all_rules()
    cols = [Column("Rule", NAME), Column("Name", NAME), Column("Severity", NAME), Column("Summary", TEXT)]
    rows = [[r.code, r.name, r.severity, r.summary()] for r in rules]
    # the severity takes 7 columns ("warning") even when no rule of the catalogue has it, as in 0.2
    widths = fit([*cols[:2], Column("Severity", NAME), cols[3]], [*rows, ["", "", "warning", ""]], width,
                 2 + 2 * 3, headers=False)
    lines: list[str] = []
    family = None
    for r, row in zip(rules, rows):
        if r.code[0] != family:
            family = r.code[0]
            if lines:
                lines.append("")
            lines.extend(paragraph(f"{family} — {FAMILIES[family]}", width))
        if widths is None:
            lines.extend(line for line, *_ in key_values(cols, [row], width or 0))
        else:
            lines.extend(plain_rows(cols, [row], widths, indent="  "))
    lines.append("")
    lines.extend(paragraph("'gtmplan rules CODE' explains one rule.", width))
    return "\n".join(lines) + "\n"


def explain(code: str) -> str:
    rule = REGISTRY.get(code.upper())
    if rule is None:
        raise InputError.single(None, f"no rule {code!r}; 'gtmplan rules' lists them")
    header = f"{rule.code} {rule.name} (default severity: {rule.severity})"
    return f"{header}\n{'=' * len(header)}\n\n{rule.documentation()}\n"
