"""``gtmplan check`` in its common shapes, without typer: start-up as fast as yamllint's.

pre-commit and CI run ``gtmplan check [PLAN] [--format F] [--select S] [--ignore I]
[--strict]`` on every commit. typer and its click cost about a quarter of such a run
(callgrind), so :func:`run` parses exactly these shapes itself and runs the same
library calls as ``cli.check``. Anything else (``--help``, ``-o``, a repeated or
unknown flag, a bad value, any other command) returns None and :mod:`gtmplan.cli`
handles it, errors and help included; so a flag added to ``check`` keeps working
through typer until this module learns it. ``tests/test_fastpath.py`` runs both
paths on the same arguments and requires the same output and exit code.
"""

from __future__ import annotations

import sys
from typing import Optional

FORMATS = ("text", "json", "github", "sarif")  # cli.check's --format choices
_VALUED = {"--format": "fmt", "-f": "fmt", "--select": "select", "--ignore": "ignore"}


def parse(argv: list[str]) -> Optional[dict]:
    """The keyword arguments of ``cli.check`` for ARGV, or None for anything else."""
    if not argv or argv[0] != "check":
        return None
    args: dict = {}
    rest = argv[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        name, value = token, None
        if token.startswith("--") and "=" in token:
            name, value = token.split("=", 1)
        if name == "--strict" and value is None:
            key, value = "strict", True
        elif name in _VALUED:
            key = _VALUED[name]
            if value is None:
                if i == len(rest):
                    return None
                value = rest[i]
                i += 1
            if value.startswith("-") or (key == "fmt" and value not in FORMATS):
                return None
        elif not token.startswith("-") and "plan" not in args:
            key, value = "plan", token
        else:
            return None
        if key in args:  # repeated: typer takes the last; leave that to it
            return None
        args[key] = value
    return args


def run(argv: list[str]) -> Optional[int]:
    """The exit code of ``gtmplan ARGV`` if it is a common ``check``, else None."""
    args = parse(argv)
    if args is None:
        return None
    import gc

    from .errors import InputError

    # Everything loaded stays alive until the end: the cyclic collector would only
    # re-traverse it (5,000-program plan: 3,336M instructions with it, 3,170M paused).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(**args)
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gtmplan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        from .outputs import silence_stdout

        silence_stdout()  # `gtmplan check | head`: stdout went away; no traceback on exit
        return 1
    finally:
        if was_enabled:
            gc.enable()


def _check(plan: str = ".", fmt: str = "text", select: Optional[str] = None, ignore: Optional[str] = None,
           strict: bool = False) -> int:
    # The body of cli.check without -o (which is left to typer).
    from .checker import parse_codes, run_check
    from .loader import load_plan
    from .reporters import get_reporter

    sel, ign = parse_codes(select, "--select"), parse_codes(ignore, "--ignore")
    result = run_check(load_plan(plan), sel, ign)
    from .outputs import emit, use_color

    emit(get_reporter(fmt)(color=use_color(None)).render(result), None)
    return result.exit_code(strict)
