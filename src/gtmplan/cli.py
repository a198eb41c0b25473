"""The command line through typer: ``--help``, the docs' CLI reference, and the commands other
than ``check``, ``diff`` and ``review`` (which ``fastpath.py`` runs without typer).

Every command's arguments and options are declared once, in :mod:`gtmplan.options`; the typer
app is built from that table (:func:`_register`), so the fast path and typer read the same
flags. :func:`run` reads the line by the declaration first, so that a usage error is worded by
gtmplan, not by whichever click release typer brings; exit codes are mapped in
:func:`gtmplan.fastpath.guarded` for both paths (docs/reference/cli.md, 'Exit codes').
Everything heavy (pydantic models, rich, jinja2) is imported inside the command that needs it.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, Literal, Optional

import typer

from gtmplan import __version__, fastpath, options
from gtmplan.errors import InputError, printable
from gtmplan.options import one_scenario
from gtmplan.output.outputs import choose_format, emit, reporter, use_color

# Deferred imports: each command's code is imported when that command runs, so no command pays for another's
# (python -X importtime, cumulative: rules.checker 61 ms, commands.compare 78 ms, commands.diff 174 ms, output.render 4 ms
# plus jinja2 37 ms, commands.init 30 ms).

app = typer.Typer(
    name="gtmplan",
    help="One go-to-market plan for sales and marketing: scaffold it, check it, render it, review it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"gtmplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """gtmplan: one go-to-market plan, checked like code."""


def init(directory: str, yes: bool, company: Optional[str], currency: Optional[str], start: Optional[str],
         quarters: Optional[int], fy_start: Optional[str], fy_named_by: Optional[str], other_share: Optional[float],
         target: Optional[str], deal_size: Optional[str], segments: Optional[str], agreed: bool, single_file: bool,
         example: Optional[str], force: bool) -> int:
    """Scaffold a plan a first-time user can fill in (or copy a shipped example)."""
    from gtmplan.commands import init as scaffold

    for flag, value in (("--company", company), ("--currency", currency), ("--start", start)):
        if value is not None and any("\udc80" <= ch <= "\udcff" for ch in value):
            raise InputError.single(None, f"{flag} {printable(value)}: not UTF-8 text (check the terminal's encoding)")
    _check_init_ranges(start, quarters, _parsed(scaffold.parse_fy_start, fy_start), fy_named_by,
                       _parsed(scaffold.parse_amount, target), _parsed(scaffold.parse_amount, deal_size))
    if example is not None:
        if example == "list":
            emit(scaffold.list_examples(), None)
            return 0
        written = scaffold.copy_example(example, directory, force=force)
    else:
        answers = scaffold.Answers.from_flags(company=company, currency=currency, start=start, quarters=quarters,
                                              fy_start=fy_start, target=target, deal_size=deal_size,
                                              fy_named_by=fy_named_by, other_share=other_share, agreed=agreed,
                                              segments=segments)
        scaffold.check_targets(directory, scaffold.file_names(single_file), force=force)  # before any question
        if not yes and sys.stdin.isatty():
            answers = scaffold.ask(answers, start_given=start is not None)
        written = scaffold.write_plan(answers, directory, single_file=single_file, force=force)
    for path in written:
        print(f"wrote {path}")
    target_path = written[0] if single_file and example is None else directory
    print(f"next: edit the files, then run 'gtmplan check {target_path}'")
    return 0


def _parsed(parse: Callable[[str], float], value: Optional[str]) -> Optional[float]:
    """A flag's value parsed, or None (unset, or wrong: Answers.from_flags names it)."""
    try:
        return None if value is None else parse(value)
    except ValueError:
        return None


def _check_init_ranges(start: Optional[str], quarters: Optional[int], fy_start: Optional[float],
                       fy_named_by: Optional[str], target: Optional[float], deal_size: Optional[float]) -> None:
    """Numbers and dates the scaffold can turn into a valid plan (others are reported by it)."""
    from gtmplan.plan.quarters import FiscalCalendar, Quarter

    if start is not None:
        try:
            first: Optional[Quarter] = Quarter.parse(start.strip().upper())
        except ValueError:
            first = None
        n = quarters if quarters is not None and 1 <= quarters <= 12 else 4
        month = int(fy_start) if fy_start is not None and 1 <= fy_start <= 12 else 1
        fy = FiscalCalendar(month, "end" if fy_named_by == "end" else "start")
        if first is not None and not (first + n).in_calendar(fy):
            raise InputError.single(None, f"--start {start.strip()}: the plan ({n} quarters) and the review after it "
                                          "must end by 9999-12-31; start earlier")
    for flag, value in (("--target", target), ("--deal-size", deal_size)):
        if value is not None and value > 0 and not 1 <= value <= 1e14:
            raise InputError.single(None, f"{flag}: {value:g} is out of range (1 to 10^14)")
    if target is not None and deal_size is not None and target > 0 and deal_size >= 1 and target / deal_size > 1e9:
        raise InputError.single(None, f"--target {target:g} / --deal-size {deal_size:g} is more than a billion deals "
                                      "a year; out of range")


def funnel(plan: str, fmt: Optional[str], output: Optional[str], scenario: Optional[list[str]],
           sets: Optional[list[str]], segment: Optional[list[str]]) -> int:
    """Show the demand waterfall and sales capacity, quarter by quarter (per segment, then the company's total)."""
    from gtmplan.engine.funnel import compute
    from gtmplan.output.funnel_report import REPORTERS, FunnelReport, select_segments
    from gtmplan.read.loader import load_plan

    kind = choose_format("funnel", fmt, output, options.FUNNEL_FORMATS, "table")
    loaded = load_plan(plan, one_scenario("funnel", scenario), sets or ())
    computed = compute(loaded.plan)
    report = FunnelReport(loaded.plan, computed, select_segments(computed, segment))
    emit(reporter(REPORTERS, kind)(color=use_color(output)).render(report), output)
    return 0


def render(plan: str, fmt: Optional[str], quarter: Optional[str], output: Optional[str], templates: Optional[str],
           scenario: Optional[list[str]], sets: Optional[list[str]]) -> int:
    """Render the integrated plan document (Markdown, self-contained HTML, an iCalendar of reviews,
    or an Excel workbook whose figures are live formulas)."""
    from gtmplan.output.render import parse_quarter
    from gtmplan.output.render import render as render_document
    from gtmplan.read.loader import load_plan

    kind = choose_format("render", fmt, output, options.RENDER_FORMATS, "md")
    if kind == "xlsx":
        _xlsx_flags(output, quarter, templates)
    loaded = load_plan(plan, one_scenario("render", scenario), sets or ())
    data = render_document(loaded, kind, parse_quarter(quarter, loaded), templates, sets=sets or ())
    emit(data, output)
    return 0


def _xlsx_flags(output: Optional[str], quarter: Optional[str], templates: Optional[str]) -> None:
    """A workbook is written to a file (or a pipe), for the whole horizon, without templates."""
    if not output and sys.stdout is not None and sys.stdout.isatty():
        raise InputError.single(None, "render --format xlsx writes a binary workbook, not text for the terminal: "
                                      "give -o FILE.xlsx")
    if quarter is not None:
        raise InputError.single("--quarter", "the workbook covers the whole horizon; --quarter applies to md, "
                                             "html and ics")
    if templates is not None:
        raise InputError.single("--templates", "templates shape md and html documents; the workbook has none")


def calibrate(plan: str, quarters: Optional[int], fmt: Optional[str], output: Optional[str]) -> int:
    """Each funnel assumption against the recorded actuals (actuals/), with a proposed value where they contradict it."""
    from gtmplan.commands import calibrate as cal
    from gtmplan.read.loader import load_plan

    kind = choose_format("calibrate", fmt, output, options.CALIBRATE_FORMATS, "text")
    loaded = load_plan(plan)
    result = cal.calibrate(loaded, quarters)
    if kind == "json":
        emit(cal.render_json(result), output)
    elif kind == "md":
        emit(cal.render_md(loaded, result), output)
    else:
        emit(cal.render_text(loaded, result, color=use_color(output)), output)
    return 0


def compare(plan: str, scenarios: Optional[list[str]], sets: Optional[list[str]], fmt: Optional[str],
            output: Optional[str]) -> int:
    """The plan and its scenarios side by side: targets, MQLs, shortfall, coverage, cost, findings."""
    from gtmplan.commands.compare import render_json, render_md, render_text, run_compare
    from gtmplan.read.loader import resolve_target
    from gtmplan.read.sources import DiskSource

    kind = choose_format("compare", fmt, output, options.COMPARE_FORMATS, "text")
    target = resolve_target(plan)  # PLAN omitted, the plan in ./plan: its scenarios/ too
    cols = run_compare(DiskSource(target), scenarios or None, sets or ())
    render_out = {"json": render_json, "md": render_md}.get(kind, render_text)
    emit(render_out(target, cols), output)
    return 0


def forecast(plan: str, runs: Optional[str], seed: Optional[str], fixed_rates: bool, fixed_volume: bool,
             fmt: Optional[str], output: Optional[str], scenario: Optional[list[str]],
             sets: Optional[list[str]]) -> int:
    """The chance that the plan makes its numbers: a simulation of its funnel and its track record."""
    from gtmplan.commands import forecast as fc
    from gtmplan.read.loader import load_plan

    kind = choose_format("forecast", fmt, output, options.FORECAST_FORMATS, "text")
    n, s = fc.parse_runs(runs), fc.parse_seed(seed)
    loaded = load_plan(plan, one_scenario("forecast", scenario), sets or ())
    result = fc.run(loaded, n, s, fixed_rates, fixed_volume)
    if kind == "json":
        emit(fc.render_json(result), output)
    elif kind == "md":
        emit(fc.render_md(loaded, result), output)
    else:
        emit(fc.render_text(loaded, result), output)
    return 0


def rules(code: Optional[str]) -> int:
    """List every rule, or explain one: why it matters, what fires it, how to fix it."""
    from gtmplan.commands.rules import explain, table

    emit(explain(code) if code else table(), None)
    return 0


def schema(fragment: bool, output: Optional[str]) -> int:
    """Print the JSON Schema (draft 2020-12) of the plan format, for editors."""
    import json

    from gtmplan.plan.schema import plan_schema

    choose_format("schema", None, output, ("json",), "json")
    emit(json.dumps(plan_schema(fragment), indent=2) + "\n", output)
    return 0


BODIES: dict[str, Callable[..., int]] = {
    "init": init, "funnel": funnel, "render": render, "calibrate": calibrate, "compare": compare,
    "forecast": forecast, "rules": rules, "schema": schema, **fastpath.BODIES,
}


def _annotation(param: options.Param) -> Any:
    """The Python type typer reads for PARAM (it chooses click's parameter type by it)."""
    if param.kind == "switch":
        return bool
    if param.kind == "list":
        return Optional[list[str]]
    kind: Any = {"text": str, "int": int, "float": float}[param.kind]
    if param.choices and param.typer_choices:
        kind = Literal[param.choices]
    return kind if param.required or param.default is not None else Optional[kind]


def _typer_parameter(param: options.Param) -> inspect.Parameter:
    info: Any
    if not param.flags:
        info = typer.Argument(param.default, metavar=param.metavar, help=param.help, show_default=True)
    else:
        info = typer.Option(... if param.required else param.default, *param.flags, metavar=param.metavar,
                            min=param.minimum, help=param.help)
    return inspect.Parameter(param.key, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=info,
                             annotation=_annotation(param))


def _register(spec: options.Command, body: Callable[..., int]) -> None:
    """Add SPEC to the typer app: a function with the declared parameters that calls BODY."""
    def command(**kwargs: Any) -> int:
        return body(**kwargs)

    parameters = [_typer_parameter(p) for p in spec.params]
    setattr(command, "__signature__", inspect.Signature(parameters, return_annotation=int))  # noqa: B010
    command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": int}
    command.__name__ = command.__qualname__ = spec.name
    app.command(spec.name, help=spec.help, short_help=spec.summary,
                epilog="Example:\n\n\b\n  " + spec.example)(command)


for _spec in options.COMMANDS.values():
    _register(_spec, BODIES[_spec.name])


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; input and usage errors become stderr lines."""
    args = sys.argv[1:] if argv is None else argv
    code = fastpath.guarded(lambda: _run(args))
    return 0 if code is None else code


@functools.cache
def _command() -> Any:
    """The click command typer builds from ``app``: built once per process (about 16 ms
    each time), so in-process callers that run many commands do not pay it per call."""
    command = typer.main.get_command(app)
    for sub in getattr(command, "commands", {}).values():
        for param in sub.params:
            if param.metavar and hasattr(param, "display_type_rich"):
                # typer >= 0.29 appends the Python type ("PLAN <str>"); the metavar says it all
                param.display_type_rich = lambda ctx, _m=param.metavar, _opt=param.param_type_name: (
                    _m if _opt == "option" else None)
    return command


def _run(args: list[str]) -> int:
    if fastpath.COMPLETE not in os.environ:
        options.parse(args)  # a usage error in gtmplan's words (InputError), before click would word it
    # typer >= 0.29 vendors its own click; older versions use click itself. Take the
    # exception classes from wherever typer's own come from.
    exc = sys.modules[typer.BadParameter.__module__]
    no_args = getattr(exc, "NoArgsIsHelpError", ())
    try:
        rv = _command().main(args=args, prog_name="gtmplan", standalone_mode=False)
    except no_args as e:
        print(e.ctx.get_help() if e.ctx is not None else "usage: gtmplan COMMAND [ARGS]")
        return 0
    except exc.UsageError as e:  # not reached for a line the declaration reads (options.parse words those)
        hint = f" (see 'gtmplan {e.ctx.info_name} --help')" if e.ctx is not None and e.ctx.parent else ""
        print(f"gtmplan: {e.format_message().replace('Value error, ', '')}{hint}", file=sys.stderr)
        return 2
    except exc.ClickException as e:
        print(f"gtmplan: {e.format_message()}", file=sys.stderr)
        return 2
    except typer.Abort:
        print("gtmplan: aborted", file=sys.stderr)
        return 130
    return rv if isinstance(rv, int) else 0
