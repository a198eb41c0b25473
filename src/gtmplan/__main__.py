"""Entry point: ``gtmplan`` and ``python -m gtmplan``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from .cli import run

    sys.exit(run(argv))


if __name__ == "__main__":
    main()
