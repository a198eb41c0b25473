"""Which format a command writes: ``--format`` if given, else the ``-o`` file's extension.

cli.md (0.2, "Every command"): ``-o FILE`` chooses the format from the file's
extension when ``--format`` is not given, in every command that writes one; an
extension the command cannot write is exit 2 naming those it can.
"""

from __future__ import annotations

import importlib
from pathlib import PurePath
from typing import Mapping, Optional, Protocol, Sequence, TypeVar

from .errors import InputError

EXTENSIONS: dict[str, str] = {
    ".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".csv": "csv", ".sarif": "sarif", ".ics": "ics", ".txt": "text",
}
"""File extension -> format name, shared by every command."""

_HINTS = {
    ".pdf": "for a PDF, write HTML (-o plan.html) and print it from a browser, or run "
            "'chromium --headless --print-to-pdf=plan.pdf plan.html'",
}


def choose_format(command: str, fmt: Optional[str], output: Optional[str],
                  formats: Sequence[str], default: str) -> str:
    """The format to write. ``formats`` are the ones the command can write; "text"
    stands for the command's plain-text form ("table" for ``funnel``, Markdown for
    ``render``)."""
    if fmt:
        return fmt
    if not output:
        return default
    suffix = PurePath(output).suffix.lower()
    if not suffix:  # -o report, -o /dev/stdout: nothing to go by
        return default
    name = _plain(EXTENSIONS.get(suffix), formats)
    if name in formats:
        return name
    can = sorted(ext for ext, f in EXTENSIONS.items() if _plain(f, formats) in formats)
    message = f"-o {output}: 'gtmplan {command}' cannot write {suffix} files; it writes {', '.join(can)}"
    hint = _HINTS.get(suffix)
    message += f"; {hint}" if hint else " (or give --format)"
    raise InputError.single(None, message)


R = TypeVar("R", contravariant=True)


class Reporter(Protocol[R]):
    """One output format of a command: made knowing whether to colour, it lays out a result."""

    def __init__(self, color: bool = False) -> None: ...

    def render(self, result: R) -> str: ...


def reporter(table: Mapping[str, tuple[str, str]], name: str) -> type[Reporter]:
    """The reporter class registered as ``name`` in a command's table of
    name -> (module, class); its module is imported only when it is chosen."""
    module, cls = table[name]
    return getattr(importlib.import_module(module), cls)


def _plain(name: Optional[str], formats: Sequence[str]) -> Optional[str]:
    """.txt is the command's plain-text form: text, else table, else Markdown."""
    if name == "text" and "text" not in formats:
        return next((f for f in ("table", "md") if f in formats), name)
    return name
