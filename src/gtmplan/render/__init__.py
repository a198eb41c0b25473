"""``gtmplan render``: the integrated go-to-market plan as Markdown, HTML or iCalendar."""

from __future__ import annotations

from typing import Optional

from ..plan import LoadedPlan, quarter_in_horizon
from ..quarters import Quarter

def parse_quarter(text: Optional[str], loaded: LoadedPlan) -> Optional[Quarter]:
    return None if text is None else quarter_in_horizon(text, loaded)


def render(loaded: LoadedPlan, fmt: str, quarter: Optional[Quarter] = None,
           templates: Optional[str] = None) -> bytes:
    """The document as bytes (UTF-8). A plan with check errors renders; they are listed."""
    from ..checker import run_check

    result = run_check(loaded)
    if fmt == "ics":
        from .ics import render_ics

        return render_ics(loaded, result.findings, quarter)
    from .templating import render_template
    from .view import build_view

    view = build_view(loaded, result.findings, quarter, result.funnel)
    return _no_controls(render_template(f"plan.{fmt}.j2", view, templates)).encode("utf-8")


def _no_controls(text: str) -> str:
    """Whatever a template let through: no control character (NUL, ESC, ...) other than
    line breaks and tabs reaches a document (shown escaped, as \\x1b)."""
    import re

    from ..fmt import printable

    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", lambda m: printable(m.group()), text)
