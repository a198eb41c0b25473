"""Entry point: ``gtmplan`` and ``python -m gtmplan``."""

from __future__ import annotations

import sys

# Deferred imports: the CLI (typer for most commands: 43 ms) is imported only after the cyclic garbage collector is paused; gc is
# imported where the pause is decided.


def main(argv: list[str] | None = None) -> None:
    import gc

    from gtmplan.fastpath import run as fast_run  # check, diff, review and usage errors, without typer

    # The process ends with the command: keep the collector off, so that no full
    # collection runs when the command returns, and freeze what is left so that
    # interpreter shutdown does not traverse it. (cli.run and fastpath.run, for
    # in-process callers, restore the collector instead.)
    gc.disable()
    code = fast_run(sys.argv[1:] if argv is None else argv)
    if code is None:
        from gtmplan.cli import run

        code = run(argv)
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
