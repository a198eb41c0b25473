"""Input problems: anything that makes a plan, a CSV or a flag unusable (exit 2).

Each problem is one line for a person: ``FILE:LINE:COLUMN: message`` wherever a
location exists. Commands collect every problem they can find before giving up,
so a user fixes a file in one go rather than one error per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# C0 and C1 control characters, DEL and Unicode line/paragraph separators: printed
# raw, they break lines or drive the terminal (ESC sequences). Bidirectional controls
# (U+202E RIGHT-TO-LEFT OVERRIDE...) reorder what people read ("evil\u202etxt.exe").
# Lone surrogates (a file name that is not UTF-8, as Python decodes it) cannot be
# written as UTF-8 at all: shown as the byte they stand for.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")


def printable(text: str) -> str:
    """User text safe to print on one terminal line: control characters escaped (\\x1b)."""
    return _CONTROL_RE.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    if c < 256:
        return f"\\x{c:02x}"
    if 0xDC80 <= c <= 0xDCFF:  # surrogateescape: the undecodable byte
        return f"\\x{c - 0xDC00:02x}"
    return f"\\u{c:04x}"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str | None
    line: int | None  # 1-based
    column: int | None  # 1-based
    message: str

    def __str__(self) -> str:
        # A plan's text may hold control characters: one line, no ESC (printable above).
        if self.file is None:
            return printable(f"gtmplan: {self.message}")
        if self.line is None:
            return printable(f"{self.file}: {self.message}")
        return printable(f"{self.file}:{self.line}:{self.column or 1}: {self.message}")


class InputError(Exception):
    """One or more problems that stop a command; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def single(cls, file: str | None, message: str, line: int | None = None, column: int | None = None) -> InputError:
        return cls([Problem(file, line, column, message)])


class Terminated(BaseException):
    """A terminating signal (SIGTERM, SIGHUP, ...) arrived while a file was being
    written; the temporary file is removed, then the process ends as the signal says."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
