"""``gtmplan check``, ``diff`` and ``review`` in their common shapes, without typer.

pre-commit and CI run ``gtmplan check [PLAN] [--format F] [--select S] [--ignore I]
[--strict]`` on every commit, and ``gtmplan diff [PLAN] --base REV [--head REV]
[--format F] [--fail-on WHEN] [-o FILE]`` on every pull request. typer and its
click (and the pydantic they pull in) cost about a quarter of such a run
(callgrind), and a tenth of a ``review [PLAN] --quarter Q [--leads F] [--deals F]
[--mapping F] [--encoding E] [--fx F] [--format F] [-o FILE]`` of a big export, so
:func:`run` parses exactly these shapes itself and runs the same library calls as
``cli.check``, ``cli.diff`` and ``cli.review``. Anything else (``--help``, a
repeated or unknown flag, a bad value, a missing ``--base``, any other command)
returns None and :mod:`gtmplan.cli` handles it, errors and help included; so a flag
added to a command keeps working through typer until this module learns it.
``tests/test_fastpath.py`` runs both paths on the same arguments and requires the
same output and exit code.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

FORMATS = ("text", "json", "github", "sarif")  # cli.check's --format choices
_VALUED = {"--format": "fmt", "-f": "fmt", "--select": "select", "--ignore": "ignore"}

DIFF_FORMATS = ("text", "md", "json")  # cli.diff's --format choices
FAIL_ON = ("new-errors", "new-warnings", "any-change")  # cli.diff's --fail-on choices
_DIFF_VALUED = {"--base": "base", "--head": "head", "--format": "fmt", "-f": "fmt", "--fail-on": "fail_on",
                "--output": "output", "-o": "output"}

REVIEW_FORMATS = ("text", "md", "html", "json")  # review.report.REPORTERS
_REVIEW_VALUED = {"--quarter": "quarter", "--leads": "leads", "--deals": "deals", "--mapping": "mapping",
                  "--encoding": "encoding", "--fx": "fx", "--format": "fmt", "-f": "fmt", "--output": "output",
                  "-o": "output"}

# command -> (flags taking a value, switches, choices of the valued ones, required keys)
_SHAPES = {
    "check": (_VALUED, {"--strict": "strict"}, {"fmt": FORMATS}, ()),
    "diff": (_DIFF_VALUED, {}, {"fmt": DIFF_FORMATS, "fail_on": FAIL_ON}, ("base",)),
    "review": (_REVIEW_VALUED, {}, {"fmt": REVIEW_FORMATS}, ("quarter",)),
}


def parse(argv: list[str]) -> Optional[dict]:
    """The keyword arguments of ``cli.check`` or ``cli.diff`` (as ARGV's first word
    says) for ARGV, or None for anything else."""
    shape = _SHAPES.get(argv[0]) if argv else None
    if shape is None:
        return None
    valued, switches, choices, required = shape
    args: dict = {}
    rest = argv[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        name, value = token, None
        if token.startswith("--") and "=" in token:
            name, value = token.split("=", 1)
        if name in switches and value is None:
            key, value = switches[name], True
        elif name in valued:
            key = valued[name]
            if value is None:
                if i == len(rest):
                    return None
                value = rest[i]
                i += 1
            if value.startswith("-") or (key in choices and value not in choices[key]):
                return None
        elif not token.startswith("-") and "plan" not in args:
            key, value = "plan", token
        else:
            return None
        if key in args:  # repeated: typer takes the last; leave that to it
            return None
        args[key] = value
    if any(key not in args for key in required):
        return None  # typer says what is missing
    return args


def run(argv: list[str]) -> Optional[int]:
    """The exit code of ``gtmplan ARGV`` if it is a common ``check`` or ``diff``, else None."""
    if "_GTMPLAN_COMPLETE" in os.environ:  # shell completion asked for: typer (click) answers it, whatever ARGV
        return None
    args = parse(argv)
    if args is None:
        return None
    import gc

    from gtmplan.errors import InputError, Terminated

    # Everything loaded stays alive until the end: the cyclic collector would only
    # re-traverse it (5,000-program plan: 3,336M instructions with it, 3,170M paused).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return {"check": _check, "diff": _diff, "review": _review}[argv[0]](**args)
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gtmplan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        from gtmplan.output.outputs import silence_stdout

        silence_stdout()  # `gtmplan check | head`: stdout went away; no traceback on exit
        return 1
    except OSError as e:  # as cli.run: anything not located by the command is still one line, exit 2
        from gtmplan.output.fmt import printable
        from gtmplan.output.outputs import silence_stdout

        where = f"{os.fsdecode(e.filename)}: " if e.filename is not None else ""
        print(printable(f"gtmplan: {where}{e.strerror or e}"), file=sys.stderr)
        silence_stdout()
        return 2
    except Terminated as e:  # -o FILE was being written: removed; now end as the signal says
        import signal

        signal.signal(e.signum, signal.SIG_DFL)
        os.kill(os.getpid(), e.signum)
        return 128 + e.signum
    finally:
        if was_enabled:
            gc.enable()


def _check(plan: str = ".", fmt: str = "text", select: Optional[str] = None, ignore: Optional[str] = None,
           strict: bool = False) -> int:
    # The body of cli.check without -o (which is left to typer).
    from gtmplan.output.reporters import get_reporter
    from gtmplan.read.loader import load_plan
    from gtmplan.rules.checker import parse_codes, run_check

    sel, ign = parse_codes(select, "--select"), parse_codes(ignore, "--ignore")
    result = run_check(load_plan(plan), sel, ign)
    from gtmplan.output.outputs import emit, use_color

    emit(get_reporter(fmt)(color=use_color(None)).render(result), None)
    return result.exit_code(strict)


def _diff(base: str, plan: str = ".", head: Optional[str] = None, fmt: Optional[str] = None,
          fail_on: Optional[str] = None, output: Optional[str] = None) -> int:
    # The body of cli.diff without --scenario and --set (which are left to typer).
    from gtmplan.commands.diff import render, run_diff
    from gtmplan.output.outputs import choose_format, emit

    chosen = choose_format("diff", fmt, output, DIFF_FORMATS, "text")
    result = run_diff(plan, base, head)
    emit(render(result, chosen), output)
    return result.exit_code(fail_on)


def _review(quarter: str, plan: str = ".", leads: Optional[str] = None, deals: Optional[str] = None,
            mapping: Optional[str] = None, encoding: Optional[str] = None, fx: Optional[str] = None,
            fmt: Optional[str] = None, output: Optional[str] = None) -> int:
    # The body of cli.review without --date-format, --record, --scenario and --set (left to typer).
    from gtmplan.commands.review import REVIEW_OUTSIDE, report, run_review
    from gtmplan.output.outputs import choose_format, emit, use_color
    from gtmplan.plan.loaded import quarter_in_horizon
    from gtmplan.read.loader import load_plan

    kind = choose_format("review", fmt, output, tuple(report.REPORTERS), "text")
    loaded = load_plan(plan)
    q = quarter_in_horizon(quarter, loaded, REVIEW_OUTSIDE)
    result = run_review(loaded, q, leads, deals, mapping, (), progress=True, encoding=encoding, fx=fx)
    emit(report.render(kind, loaded, result, color=kind == "text" and use_color(output)), output)
    return 0
