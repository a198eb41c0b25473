"""How wide the text reports may be: the terminal's width, so that tables fit.

docs/reference/cli.md, 'Terminal output' and its resolution: the width is ``COLUMNS``
when set, else the terminal's when stdout is a terminal (80 when the terminal does not
say); output piped without ``COLUMNS`` keeps the width the command had in 0.2 (100 for
``funnel`` and ``review``, 120 for ``calibrate``, none for ``compare`` and ``rules``),
so that files and scripts read what they always read.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

DEFAULT = 100  # funnel's and review's width in 0.2 when not on a terminal
TERMINAL = 80  # a terminal that does not say how wide it is
MINIMUM = 20  # narrower than this, a report is laid out for 20 columns (key: value lines)


def width(default: Optional[int] = DEFAULT) -> Optional[int]:
    """``COLUMNS`` when set (as shells export it), else the terminal's width when stdout is
    a terminal, else ``default`` (the command's 0.2 width; None: as wide as the text)."""
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return max(MINIMUM, int(env))
    if not _stdout_is_terminal():
        return default
    try:
        columns = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    return max(MINIMUM, columns) if columns > 0 else TERMINAL


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stdout
        return False
