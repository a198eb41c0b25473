"""Input problems: anything that makes a plan, a CSV or a flag unusable (exit 2).

Each problem is one line for a person: ``FILE:LINE:COLUMN: message`` wherever a
location exists. Commands collect every problem they can find before giving up,
so a user fixes a file in one go rather than one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str | None
    line: int | None  # 1-based
    column: int | None  # 1-based
    message: str

    def __str__(self) -> str:
        from gtmplan.output.fmt import printable  # a plan's text may hold control characters: one line, no ESC

        if self.file is None:
            return printable(f"gtmplan: {self.message}")
        if self.line is None:
            return printable(f"{self.file}: {self.message}")
        return printable(f"{self.file}:{self.line}:{self.column or 1}: {self.message}")


class InputError(Exception):
    """One or more problems that stop a command; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def single(cls, file: str | None, message: str, line: int | None = None, column: int | None = None) -> InputError:
        return cls([Problem(file, line, column, message)])


class Terminated(BaseException):
    """A terminating signal (SIGTERM, SIGHUP, ...) arrived while a file was being
    written; the temporary file is removed, then the process ends as the signal says."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
