"""``gtmplan compare``: the plan and its scenarios side by side (docs/reference/cli.md 0.2), as
text, Markdown or JSON. The columns, their figures and the table are
:mod:`gtmplan.output.compare_table`'s (``gtmplan render`` embeds the same table).
"""

from __future__ import annotations

from typing import Optional

from gtmplan.output import fmt, term
from gtmplan.output.compare_table import Column, run_compare, table
from gtmplan.output.markdown import md as md_escape

# Deferred imports: the terminal tables (rich, about 30 ms) only for the text output; JSON and Markdown never pay them.

__all__ = ["Column", "render_json", "render_md", "render_text", "run_compare", "table"]


# -- output ------------------------------------------------------------------------------

def render_json(target: str, cols: list[Column]) -> str:
    return fmt.json_text({"plan": target, "scenarios": [c.as_dict() for c in cols]})


def _descriptions(cols: list[Column]) -> list[str]:
    return [f"{c.name}: {c.description}" for c in cols if c.description]


def _title(target: str, cols: list[Column]) -> str:
    """The company's name; else the plan folder's or file's name (never "." for the current folder)."""
    from pathlib import Path

    if cols and cols[0].company.strip():
        return cols[0].company.strip()
    path = Path(target).resolve()
    return (path.parent.name if path.is_file() and path.parent.name else path.name) or target


def render_text(target: str, cols: list[Column], width: Optional[int] = None) -> str:
    """The side-by-side table in ``width`` columns (docs/reference/cli.md, 'Terminal output'):
    the terminal's or ``COLUMNS``; piped without ``COLUMNS``, as wide as its text (0.2)."""
    from gtmplan.output.tables import NUMBER, TEXT, fit, header_rows, key_values, paragraph, plain_rows
    from gtmplan.output.tables import Column as TableColumn

    width = width or term.width(None)
    target = _title(target, cols)
    header, rows = table(cols)
    header = [fmt.printable(h) for h in header]
    rows = [[fmt.printable(x) for x in r] for r in rows]
    # the figure's label wraps between words; a scenario's name and its figures are never cut
    columns = [TableColumn(header[0], TEXT), *(TableColumn(h, NUMBER) for h in header[1:])]
    if len(cols) > 1:
        title = f"{target}: the plan and {fmt.plural(len(cols) - 1, 'scenario')}, over the horizon"
    else:
        title = f"{target}: the plan over the horizon (no scenarios: add them as scenarios/NAME.yaml)"
    lines = [*paragraph(fmt.printable(title), width), ""]
    widths = fit(columns, rows, width, 2 * (len(columns) - 1))
    if widths is None:  # narrower than the narrowest table: each figure as key: value lines
        lines.extend(line for line, *_ in key_values(columns, rows, width or 0))
    else:
        lines.extend(header_rows(columns, widths))
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(plain_rows(columns, rows, widths))
    notes = _descriptions(cols)
    if notes:
        lines.append("")
        lines.extend(line for n in notes for line in paragraph(fmt.printable(n), width))
    lines.append("")
    lines.extend(paragraph("Shortfall: MQLs sales' targets need created in that quarter minus those marketing plans; "
                           "coverage: ramped sales capacity / bookings target.", width))
    if any(c.segments for c in cols):
        lines.extend(paragraph("Indented rows are each segment's part: a segment's shortfall is never covered by "
                               "another's surplus; its coverage counts its own sellers only.", width))
    return "\n".join(lines) + "\n"


def render_md(target: str, cols: list[Column]) -> str:
    target = _title(target, cols)
    header, rows = table(cols, sub="↳ ")
    out = [f"## Scenarios: {md_escape(target)}", ""]
    out.append("| " + " | ".join(md_escape(h) for h in header) + " |")
    out.append("|---" + "|---:" * (len(header) - 1) + "|")
    for r in rows:
        out.append("| " + " | ".join(md_escape(x) for x in r) + " |")
    notes = _descriptions(cols)
    if notes:
        out.append("")
        out.extend(f"- **{md_escape(c.name)}**: {md_escape(c.description)}" for c in cols if c.description)
    return "\n".join(out) + "\n"
