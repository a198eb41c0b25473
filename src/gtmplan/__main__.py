"""Entry point: ``gtmplan`` and ``python -m gtmplan``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from .fastpath import run as fast_check  # `check` in its common shapes, without typer

    code = fast_check(sys.argv[1:] if argv is None else argv)
    if code is None:
        from .cli import run

        code = run(argv)
    sys.exit(code)


if __name__ == "__main__":
    main()
