"""Plain words for the commonest YAML slips, with the fix.

PyYAML says "mapping values are not allowed in this context" or "did not find
expected key"; a user needs "put the text in quotes" or "line this key up with
the keys above it". Two entry points, each returning a message or None (None:
keep the generic message):

- :func:`syntax_message` for a YAML syntax error (called from ``yamlsource``);
- :func:`quoted_scalar_message` for a value written in quotes where a number,
  date or true/false is expected (called from the model-error translator).

The location of the problem is kept by the callers; these only word it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Optional

_KEY_RE = re.compile(r"^(\s*)(?:-\s+)?([^\s#:'\"][^:#]*?|\"[^\"]*\"|'[^']*'):(?:\s|$)")


def _line(text: str, index: int) -> str:
    lines = text.splitlines()
    return lines[index] if 0 <= index < len(lines) else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _spaces(n: int) -> str:
    return f"{n} space" + ("" if n == 1 else "s")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def syntax_message(problem: str, context: Optional[str], text: str, line: Optional[int],
                   column: Optional[int], context_line: Optional[int] = None,
                   context_column: Optional[int] = None) -> Optional[str]:
    """A plain-word message for a YAML syntax error at 0-based (line, column), or None."""
    if line is None or column is None:
        return None
    here = _line(text, line)
    if problem.startswith("mapping values are not allowed"):
        return _colon_message(here, column, text, line)
    if problem.startswith("did not find expected key") and context_column is not None \
            and _indent(here) != context_column:
        return _indent_message(here, line, context_line, context_column)
    if problem.startswith("did not find expected '-' indicator") and context_line is not None \
            and context_column is not None:
        return _item_indent_message(text, here, line, context_line, context_column)
    if problem.startswith("did not find expected <document start>"):
        return ("this line is indented less than the plan's first key: every top-level key starts in the "
                "same column (the first), and keys inside a section line up with each other")
    if problem.startswith("could not find expected ':'"):
        return ("a line that is neither 'key: value' nor '- item': a text value that runs over several "
                "lines must be in quotes, and each key needs a ':' after it")
    return None


def _colon_message(here: str, column: int, text: str, line: int) -> str:
    before = here[:column]
    m = _KEY_RE.match(here)
    if m and m.end() <= column and ": " in before + " ":
        key = m.group(2).strip().strip("'\"")
        value = here[m.end():].split(" #", 1)[0].strip()
        if len(key) > 40 or len(value) > 60:  # a long line: say what to do without repeating it
            return ("a value contains ': ', which YAML reads as the start of another key: put the text in "
                    "quotes, e.g. name: \"Webinars: spring edition\"")
        return (f"the value of {key!r} contains ': ', which YAML reads as the start of another key: "
                f"put the text in quotes, e.g. {key}: {_quoted(value)}")
    above = next((_line(text, i) for i in range(line - 1, -1, -1)
                  if _line(text, i).strip() and not _line(text, i).lstrip().startswith("#")), "")
    key = m.group(2).strip() if m else "this key"
    return (f"{key!r} is indented deeper ({_spaces(_indent(here))}) than the line above it "
            f"({_spaces(_indent(above))}), which already has a value: line it up with the keys of its section")


def _indent_message(here: str, line: int, context_line: Optional[int], context_column: int) -> str:
    m = _KEY_RE.match(here)
    what = f"key {m.group(2).strip()!r}" if m else "this line"
    since = f" (from line {context_line + 1})" if context_line is not None else ""
    return (f"{what} is indented {_spaces(_indent(here))}, but the keys of its section{since} are indented "
            f"{context_column}: YAML reads the structure from the indentation, so line it up with them")


def _item_indent_message(text: str, here: str, line: int, list_line: int, dash_column: int) -> str:
    """A line inside a list that lines up with neither the list's '-' nor the keys of its
    items (``- role: AE`` then ``     count: 5``, one space short)."""
    m = _KEY_RE.match(here)
    what = f"key {m.group(2).strip()!r}" if m else "this line"
    item_line = next((i for i in range(line - 1, list_line - 1, -1)
                      if _line(text, i)[dash_column:dash_column + 2] in ("- ", "-")
                      and _indent(_line(text, i)) == dash_column), list_line)
    item = _line(text, item_line)
    keys_at = dash_column + 1 + (len(item[dash_column + 1:]) - len(item[dash_column + 1:].lstrip(" ")))
    return (f"{what} is indented {_spaces(_indent(here))}, but the keys of the list item it belongs to "
            f"(line {item_line + 1}) are indented {keys_at}: line it up with them (a new item starts with "
            f"'- ' at {_spaces(dash_column)})")


def quoted_scalar_message(expected: str, value: Any, field: str) -> Optional[str]:
    """For a text value where ``expected`` ("number", "whole number", "date", "true or
    false") is wanted and the text is exactly such a value: say to remove the quotes."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    ok = False
    if expected in ("number", "whole number"):
        plain = text.replace(",", "").replace("_", "")
        try:
            number = float(plain)
            ok = math.isfinite(number) and (expected == "number" or number.is_integer())
        except ValueError:
            ok = False
        shown = plain
    elif expected == "date":
        try:
            dt.date.fromisoformat(text)
            ok = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
        except ValueError:
            ok = False
        shown = text
    elif expected == "true or false":
        ok = text.lower() in ("true", "false")
        shown = text.lower()
    if not ok:
        return None
    return (f"expected a {expected}, got the text {_quoted(value)}: remove the quotes "
            f"({field}: {shown})") if expected != "true or false" else (
            f"expected true or false, got the text {_quoted(value)}: remove the quotes ({field}: {shown})")
