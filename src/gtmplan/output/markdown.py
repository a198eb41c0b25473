"""User text inside the Markdown that gtmplan writes (compare, diff, and the review and
plan templates through their ``md`` and ``code`` filters): one line, no raw HTML, no
formatting, no broken table cells, and nothing GitHub turns into a notification or a link.

GitHub links ``@name``, ``@org/team``, ``#123``, ``https://...`` and ``www....`` after the
Markdown is parsed, so a backslash does not stop it (github/markup#1168,
github/cmark-gfm#181): a zero-width space, written as the entity ``&#8203;``, goes
after the ``@`` (``@&#8203;octocat``), the ``#`` of a number, the ``:`` of ``://`` and the
``www``: the text reads the same and nobody is pinged.
"""

from __future__ import annotations

import re

from gtmplan.output.fmt import printable

ZWSP = "&#8203;"
_SPECIAL = re.compile(r"[\\`*_\[\]<>|#~&]")
_LIVE = re.compile(r"(?<=@)(?=[^\s@])|(?<=\\#)(?=\d)|(?<=:)(?=//)|(?<=\bwww)(?=\.)", re.IGNORECASE)


def md(text: object) -> str:
    s = printable(str(text).replace("\r", " ").replace("\n", " "))
    s = _SPECIAL.sub(lambda m: "\\" + m.group(), s)
    return _LIVE.sub(ZWSP, s)


def code(text: object) -> str:
    """Text as a code span that no backtick inside can close (CommonMark 6.1: a fence
    longer than any run of backticks in the text, padded with spaces); pipes can't split
    a table cell. GitHub links nothing inside a code span."""
    s = printable(str(text).replace("\r", " ").replace("\n", " ")).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{s}{pad}{fence}"
