"""Which format a command writes: ``--format`` if given, else the ``-o`` file's extension.

docs/reference/cli.md (0.2, "Every command"): ``-o FILE`` chooses the format from the file's
extension when ``--format`` is not given, in every command that writes one; an
extension the command cannot write is exit 2 naming those it can.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Optional, Protocol, TypeVar

from gtmplan.errors import InputError

# Deferred imports: the atomic writer (tempfile, signals) only when an output goes to a file (-o).

EXTENSIONS: dict[str, str] = {
    ".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".csv": "csv", ".sarif": "sarif", ".ics": "ics", ".txt": "text", ".xlsx": "xlsx",
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
    if name is not None and name in formats:
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


# -- writing what a command produces ----------------------------------------------------

def emit(data: str | bytes, output: Optional[str]) -> None:
    """Write to the -o file (atomically) or to stdout; bytes are written as they are."""
    if output:
        from gtmplan.output.fsutil import write_atomic

        write_atomic(output, data)
        return
    if sys.stdout is None:  # started with standard output closed (`gtmplan ... >&-`)
        raise InputError.single(None, "standard output is closed: nothing to write to (give -o FILE)")
    buffer = getattr(sys.stdout, "buffer", None)  # absent when stdout is redirected to a text stream
    try:
        if buffer is not None:  # bytes as they are; text as UTF-8 whatever the locale says
            sys.stdout.flush()
            buffer.write(data if isinstance(data, bytes) else data.encode("utf-8", "backslashreplace"))
            buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8") if isinstance(data, bytes) else data)
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        silence_stdout()
        raise InputError.single(None, f"cannot write to standard output: {e.strerror or e}") from None


def use_color(output: Optional[str]) -> bool:
    return output is None and "NO_COLOR" not in os.environ and sys.stdout is not None and sys.stdout.isatty()


def silence_stdout() -> None:
    # `gtmplan check | head` or a full disk: stdout is unusable; don't print a traceback on
    # exit (Python flushes stdout once more then), and drop what is still buffered.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
