"""User text inside the Markdown that gtmplan writes itself (compare, diff): one line,
no raw HTML, no formatting, no broken table cells (as the render templates escape it)."""

from __future__ import annotations

from gtmplan.output.fmt import printable


def md(text) -> str:
    s = printable(str(text).replace("\r", " ").replace("\n", " "))
    for ch in "\\`*_[]<>|#~":
        s = s.replace(ch, "\\" + ch)
    return s


def code(text) -> str:
    """Text in a code span: backticks can't close it, pipes can't split a table cell."""
    s = printable(str(text).replace("\r", " ").replace("\n", " ")).replace("|", "\\|")
    fence = "``" if "`" in s else "`"
    return f"{fence} {s} {fence}" if fence == "``" else f"`{s}`"
