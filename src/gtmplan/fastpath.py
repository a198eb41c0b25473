"""``gtmplan check``, ``diff`` and ``review`` without typer, and the exit codes of every command.

pre-commit and CI run ``gtmplan check`` on every commit and ``gtmplan diff`` on every
pull request; typer and its click (and the pydantic they pull in) cost about a quarter
of such a run (callgrind), and a tenth of a ``review`` of a big export. So :func:`run`
reads the command line by the one declaration (:mod:`gtmplan.options`, which typer's app
is built from too) and calls the bodies below, the very functions ``cli.py`` registers
with typer for these three commands. Anything the declaration leaves to typer (no
command, ``--help``, ``--version``) and the other commands return None, and
:mod:`gtmplan.cli` runs them. A usage error of any command is answered here, in
gtmplan's words, without importing typer.

:func:`guarded` maps what a command raises to its exit code (docs/reference/cli.md,
'Exit codes'), for both front-ends: 0 done; 1 ``check`` found problems (or ``diff
--fail-on``); 2 the input could not be used, one line per problem on stderr; 130
interrupted; a terminating signal ends the process as the signal says.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Optional

from gtmplan import options
from gtmplan.errors import InputError, Terminated, printable

# Deferred imports: check, diff and review import only what the command in hand needs: this module is on every
# command's start-up path (check's start-up is measured against yamllint by benchmarks/bench.py; the review
# package alone is 64 ms by python -X importtime).

COMPLETE = "_GTMPLAN_COMPLETE"  # shell completion asked for: typer (click) answers it, whatever the line


def check(plan: str, fmt: Optional[str], select: Optional[str], ignore: Optional[str], strict: bool,
          output: Optional[str], scenario: Optional[list[str]], sets: Optional[list[str]]) -> int:
    """Flag where the sales and marketing halves of the plan don't add up."""
    from gtmplan.output.outputs import choose_format, emit, use_color
    from gtmplan.output.reporters import get_reporter
    from gtmplan.read.loader import load_plan
    from gtmplan.rules.checker import parse_codes, run_check

    kind = choose_format("check", fmt, output, options.CHECK_FORMATS, "text")
    sel, ign = parse_codes(select, "--select"), parse_codes(ignore, "--ignore")
    result = run_check(load_plan(plan, options.one_scenario("check", scenario), sets or ()), sel, ign)
    emit(get_reporter(kind)(color=use_color(output)).render(result), output)
    return result.exit_code(strict)


def diff(plan: str, base: str, head: Optional[str], scenario: Optional[list[str]], sets: Optional[list[str]],
         fmt: Optional[str], fail_on: Optional[str], output: Optional[str]) -> int:
    """What a change does to the plan: inputs changed, funnel figures moved, findings new and resolved."""
    from gtmplan.commands.diff import render, run_diff
    from gtmplan.output.outputs import choose_format, emit

    kind = choose_format("diff", fmt, output, options.DIFF_FORMATS, "text")
    result = run_diff(plan, base, head, options.one_scenario("diff", scenario), sets or ())
    emit(render(result, kind), output)
    return result.exit_code(fail_on)


def review(plan: str, quarter: str, leads: Optional[str], deals: Optional[str], mapping: Optional[str],
           date_format: Optional[list[str]], encoding: Optional[str], fx: Optional[str], fmt: Optional[str],
           output: Optional[str], record: bool, force: bool, scenario: Optional[list[str]],
           sets: Optional[list[str]]) -> int:
    """Compare a quarter's plan with what happened, from HubSpot or Salesforce CSV exports."""
    from gtmplan.commands.review import REVIEW_OUTSIDE, report, run_review
    from gtmplan.output.outputs import choose_format, emit, use_color
    from gtmplan.plan.loaded import quarter_in_horizon
    from gtmplan.read.loader import load_plan

    kind = choose_format("review", fmt, output, options.REVIEW_FORMATS, "text")
    loaded = load_plan(plan, options.one_scenario("review", scenario), sets or ())
    if record:  # the track record before the plan is recorded too: any quarter
        from gtmplan.commands.record import parse_quarter, refuse_existing

        q = parse_quarter(quarter)
        refuse_existing(loaded.target, q, force, loaded.plan)
    else:
        q = quarter_in_horizon(quarter, loaded, REVIEW_OUTSIDE)
    result = run_review(loaded, q, leads, deals, mapping, tuple(date_format or ()), progress=True,
                        encoding=encoding, fx=fx)
    if record:
        from gtmplan.commands.record import write_record

        written = write_record(loaded, result.as_dict(), q, [leads, deals], force, result.streamed, result.opened)
        print(f"recorded {q} in {written}", file=sys.stderr)
    emit(report.render(kind, loaded, result, color=kind == "text" and use_color(output)), output)
    return 0


BODIES: dict[str, Callable[..., int]] = {"check": check, "diff": diff, "review": review}


def run(argv: list[str]) -> Optional[int]:
    """The exit code of ``gtmplan ARGV`` if it is ``check``, ``diff``, ``review`` or a usage error; else None."""
    if COMPLETE in os.environ:
        return None
    return guarded(lambda: _fast(argv))


def _fast(argv: list[str]) -> Optional[int]:
    call = options.parse(argv)
    if call is None or call.command not in BODIES:
        return None
    return BODIES[call.command](**call.kwargs)


def guarded(command: Callable[[], Optional[int]]) -> Optional[int]:
    """COMMAND's exit code (None: not run here), whatever it raises: problems printed one per line (exit 2), an
    interrupt (130), a closed pipe (1), a terminating signal while a file was written.

    The cyclic garbage collector is paused while the command runs (its garbage is freed by
    reference counting; the collector would only re-traverse the large loaded plan: a
    5,000-program plan, render --format html 2.02 CPU seconds with it, 1.09 paused) and
    left as it was found: in-process callers keep a working collector."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        code = command()
        return _flushed(code)
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gtmplan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()  # `gtmplan check | head`: stdout went away; no traceback on exit
        return 1
    except OSError as e:  # anything the commands did not locate themselves: still one line, exit 2

        where = f"{os.fsdecode(e.filename)}: " if e.filename is not None else ""
        print(printable(f"gtmplan: {where}{e.strerror or e}"), file=sys.stderr)
        _silence_stdout()
        return 2
    except Terminated as e:  # a temporary file was being written: removed; now end as the signal says
        import signal

        signal.signal(e.signum, signal.SIG_DFL)
        os.kill(os.getpid(), e.signum)
        return 128 + e.signum
    finally:
        if was_enabled:
            gc.enable()


def _flushed(code: Optional[int]) -> Optional[int]:
    """CODE, once what was printed reached stdout: a full disk is an error here, not at exit."""
    if code is None or sys.stdout is None:
        return code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except OSError as e:
        _silence_stdout()
        print(f"gtmplan: cannot write to standard output: {e.strerror or e}", file=sys.stderr)
        return 2
    return code


def _silence_stdout() -> None:
    from gtmplan.output.outputs import silence_stdout

    silence_stdout()
