"""``gtmplan render``: the integrated go-to-market plan as Markdown, HTML, iCalendar or an
Excel workbook of live formulas (:mod:`gtmplan.output.xlsx`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from gtmplan.plan.loaded import LoadedPlan, quarter_in_horizon
from gtmplan.plan.quarters import Quarter

if TYPE_CHECKING:
    from gtmplan.rules.checker import CheckResult

# Deferred imports: each format's renderer is imported when that format is asked for: HTML and Markdown need jinja2
# (37 ms), ICS icalendar (59 ms), xlsx XlsxWriter (24 ms) and the compare table the checker (61 ms).


def parse_quarter(text: Optional[str], loaded: LoadedPlan) -> Optional[Quarter]:
    return None if text is None else quarter_in_horizon(text, loaded)


def render(loaded: LoadedPlan, fmt: str, quarter: Optional[Quarter] = None,
           templates: Optional[str] = None, sets: Sequence[str] = ()) -> bytes:
    """The document as bytes (UTF-8). A plan with check errors renders; they are listed.
    A plan directory with scenarios gets a "Scenarios" section (each with ``sets`` applied)."""
    from gtmplan.rules.checker import run_check

    result = run_check(loaded)
    if fmt == "xlsx":
        from gtmplan.output.xlsx import render_xlsx

        return render_xlsx(loaded, result.findings, result.funnel)
    if fmt == "ics":
        from gtmplan.output.render.ics import render_ics

        return render_ics(loaded, result.findings, quarter)
    from gtmplan.output.render.templating import render_template
    from gtmplan.output.render.view import build_view

    view = build_view(loaded, result.findings, quarter, result.funnel)
    view["scenarios"] = _scenarios(loaded, result, sets)
    return _no_controls(render_template(f"plan.{fmt}.j2", view, templates)).encode("utf-8")


def _scenarios(loaded: LoadedPlan, result: CheckResult, sets: Sequence[str]) -> Optional[dict]:
    """The compare table when PLAN has scenarios/. The base column is the plan being rendered
    (already checked); with --scenario, the plan without it, as compare shows it."""
    from gtmplan.output.compare_table import run_compare, table
    from gtmplan.read.sources import DiskSource

    source = DiskSource(loaded.target)
    if not source.scenario_names():
        return None
    cols = run_compare(source, None, sets, base=None if loaded.scenario else (loaded, result))
    header, rows = table(cols, sub="↳ ")
    return {"header": header, "rows": rows,
            "notes": [{"name": c.name, "description": c.description} for c in cols if c.description]}


def _no_controls(text: str) -> str:
    """Whatever a template let through: no control character (NUL, ESC, ...) other than
    line breaks and tabs reaches a document (shown escaped, as \\x1b)."""

    from gtmplan.output.fmt import printable

    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", lambda m: printable(m.group()), text)
