"""Entry point: ``gtmplan`` and ``python -m gtmplan``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    import gc

    from .cli import run

    # The process ends with the command: keep the collector off, so that no full
    # collection runs when the command returns, and freeze what is left so that
    # interpreter shutdown does not traverse it. (cli.run, for in-process callers,
    # restores the collector instead.)
    gc.disable()
    code = run(argv)
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
