"""How wide the text reports may be: the terminal's width, so that tables fit."""

from __future__ import annotations

import os

DEFAULT = 100  # not a terminal and no COLUMNS: a width most terminals and editors show whole
MINIMUM = 60


def width() -> int:
    """``COLUMNS`` when set (as shells export it), else the terminal's width, else 100."""
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return max(MINIMUM, int(env))
    try:
        return max(MINIMUM, os.get_terminal_size(1).columns)  # stdout
    except OSError:
        return DEFAULT
