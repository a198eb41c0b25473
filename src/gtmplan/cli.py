"""The command line: parse flags, call the library, map the outcome to an exit code.

Exit codes (docs/reference/cli.md): 0 done; 1 ``check`` found problems; 2 the input could not be
used (bad plan, unreadable file, bad CSV, bad flag), one line per problem on
stderr. Everything heavy (pydantic models, rich, jinja2) is imported inside the
command that needs it.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from typing import Literal, Optional

import typer

from gtmplan import __version__
from gtmplan.errors import InputError, Terminated
from gtmplan.output.outputs import emit, silence_stdout, use_color

app = typer.Typer(
    name="gtmplan",
    help="One go-to-market plan for sales and marketing: scaffold it, check it, render it, review it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PLAN_ARG = typer.Argument(".", metavar="PLAN", help="A plan file or a plan directory.", show_default=True)
OUTPUT_OPT = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file (atomically) instead of stdout.")
SCENARIO_OPT = typer.Option(None, "--scenario", metavar="NAME", help="Apply scenarios/NAME.yaml of the plan (or the scenario file at that path).")
SET_OPT = typer.Option(None, "--set", metavar="PATH=VALUE", help="Change one value, e.g. sales.assumptions.win_rate=0.2 (repeatable; after --scenario).")


def _one_scenario(command: str, names: Optional[list[str]]) -> Optional[str]:
    """The one ``--scenario`` a command other than ``compare`` applies; given twice is a bad flag
    (typer would silently keep the last)."""
    if not names:
        return None
    if len(names) > 1:
        raise InputError.single(None, f"--scenario given {len(names)} times ({', '.join(names)}): 'gtmplan {command}' "
                                      "applies one scenario; to see several side by side, run 'gtmplan compare "
                                      f"{' '.join('--scenario ' + n for n in names)}'")
    return names[0]


# Writing output is shared with the fast path (gtmplan.fastpath), which runs without typer.
_emit, _use_color, _silence_stdout = emit, use_color, silence_stdout


def _version(value: bool) -> None:
    if value:
        print(f"gtmplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """gtmplan: one go-to-market plan, checked like code."""


@app.command(short_help='Write a plan to fill in (or copy a shipped example).',
             epilog="Example:\n\n\b\n  " + "gtmplan init plan --yes --company Acme --target '$2.4M' --deal-size 30k")
def init(
    directory: str = typer.Argument("plan", metavar="DIR", help="Where to write the plan."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Don't ask; take the flags and defaults."),
    company: Optional[str] = typer.Option(None, "--company", metavar="NAME", help="Company name."),
    currency: Optional[str] = typer.Option(None, "--currency", metavar="CODE", help="ISO 4217 code, e.g. USD."),
    start: Optional[str] = typer.Option(None, "--start", metavar="QUARTER", help="First quarter, e.g. 2027Q1 (default: next quarter)."),
    quarters: Optional[int] = typer.Option(None, "--quarters", metavar="N", help="How many quarters the plan covers."),
    fy_start: Optional[str] = typer.Option(None, "--fiscal-year-start-month", metavar="MONTH",
                                           help="The month the fiscal year starts: 1-12 or its name (April); "
                                                "1 = calendar quarters."),
    fy_named_by: Optional[str] = typer.Option(None, "--fiscal-year-named-by", metavar="start|end",
                                              help="start or end: the calendar year that names a fiscal year."),
    other_share: Optional[float] = typer.Option(None, "--other-pipeline", metavar="SHARE",
                                                help="Share of opportunities sales sources itself (0-1)."),
    target: Optional[str] = typer.Option(None, "--target", metavar="AMOUNT",
                                         help="New bookings target for a year, e.g. 1200000, $1.2M or 950k."),
    deal_size: Optional[str] = typer.Option(None, "--deal-size", metavar="AMOUNT", help="Average deal size, e.g. 20000 or $20k."),
    segments: Optional[str] = typer.Option(
        None, "--segments", metavar="ID:SHARE:DEAL_SIZE,...",
        help="The segments the company sells to, each with its share of the target and its average deal "
             "size, e.g. smb:0.4:8k,enterprise:0.6:90k (share and deal size may be left out: equal shares, "
             "--deal-size). Writes sales.segments, a team row per segment and programs split among them."),
    agreed: bool = typer.Option(False, "--agreed",
                                help="Sales and marketing have both signed off the lead definition "
                                     "(otherwise it is written unsigned and check says who must sign)."),
    single_file: bool = typer.Option(False, "--single-file", help="Write one gtmplan.yaml instead of three files."),
    example: Optional[str] = typer.Option(None, "--example", metavar="NAME", help="Copy a shipped example plan ('list' lists them)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> int:
    """Scaffold a plan a first-time user can fill in (or copy a shipped example)."""
    from gtmplan.commands import init as scaffold

    for flag, value in (("--company", company), ("--currency", currency), ("--start", start)):
        if value is not None and any("\udc80" <= ch <= "\udcff" for ch in value):
            from gtmplan.output.fmt import printable

            raise InputError.single(None, f"{flag} {printable(value)}: not UTF-8 text (check the terminal's encoding)")
    _check_init_ranges(start, quarters, _parsed(scaffold.parse_fy_start, fy_start), fy_named_by,
                       _parsed(scaffold.parse_amount, target), _parsed(scaffold.parse_amount, deal_size))
    if example is not None:
        if example == "list":
            _emit(scaffold.list_examples(), None)
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


def _parsed(parse, value):
    """A flag's value parsed, or None (unset, or wrong: Answers.from_flags names it)."""
    try:
        return None if value is None else parse(value)
    except ValueError:
        return None


def _check_init_ranges(start, quarters, fy_start, fy_named_by, target, deal_size) -> None:
    """Numbers and dates the scaffold can turn into a valid plan (others are reported by it)."""
    from gtmplan.plan.quarters import FiscalCalendar, Quarter

    if start is not None:
        try:
            first = Quarter.parse(start.strip().upper())
        except ValueError:
            first = None
        n = quarters if quarters is not None and 1 <= quarters <= 12 else 4
        fy = FiscalCalendar(fy_start if fy_start is not None and 1 <= fy_start <= 12 else 1,
                            fy_named_by if fy_named_by in ("start", "end") else "start")
        if first is not None and not (first + n).in_calendar(fy):
            raise InputError.single(None, f"--start {start.strip()}: the plan ({n} quarters) and the review after it "
                                          "must end by 9999-12-31; start earlier")
    for flag, value in (("--target", target), ("--deal-size", deal_size)):
        if value is not None and value > 0 and not 1 <= value <= 1e14:
            raise InputError.single(None, f"{flag}: {value:g} is out of range (1 to 10^14)")
    if target is not None and deal_size is not None and target > 0 and deal_size >= 1 and target / deal_size > 1e9:
        raise InputError.single(None, f"--target {target:g} / --deal-size {deal_size:g} is more than a billion deals "
                                      "a year; out of range")


@app.command(short_help="Flag where sales' and marketing's halves don't add up.",
             epilog="Example:\n\n\b\n  " + 'gtmplan check examples/lumen-analytics --select A')
def check(
    plan: str = PLAN_ARG,
    fmt: Optional[Literal["text", "json", "github", "sarif"]] = typer.Option(
        None, "--format", "-f", metavar="[text|json|github|sarif]", help="text (people), json, github (workflow annotations) or sarif "
                                     "(default: from the -o file's extension, else text)."),
    select: Optional[str] = typer.Option(None, "--select", metavar="CODES", help="Only these codes or prefixes, e.g. A,L201."),
    ignore: Optional[str] = typer.Option(None, "--ignore", metavar="CODES", help="Skip these codes or prefixes, e.g. F6,R504."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    output: Optional[str] = OUTPUT_OPT,
    scenario: Optional[list[str]] = SCENARIO_OPT,
    sets: Optional[list[str]] = SET_OPT,
) -> int:
    """Flag where the sales and marketing halves of the plan don't add up."""
    from gtmplan.output.outputs import choose_format
    from gtmplan.output.reporters import get_reporter
    from gtmplan.read.loader import load_plan
    from gtmplan.rules.checker import parse_codes, run_check

    fmt = choose_format("check", fmt, output, ("text", "json", "github", "sarif"), "text")
    sel, ign = parse_codes(select, "--select"), parse_codes(ignore, "--ignore")
    result = run_check(load_plan(plan, _one_scenario("check", scenario), sets or ()), sel, ign)
    reporter = get_reporter(fmt)(color=_use_color(output))
    _emit(reporter.render(result), output)
    return result.exit_code(strict)


@app.command(short_help='The demand waterfall and capacity, by quarter.',
             epilog="Example:\n\n\b\n  " + 'gtmplan funnel examples/lumen-analytics --format json')
def funnel(
    plan: str = PLAN_ARG,
    fmt: Optional[Literal["table", "json", "csv"]] = typer.Option(
        None, "--format", "-f", metavar="[table|json|csv]", help="table (people), json or csv (default: from the -o file's extension, else table)."),
    output: Optional[str] = OUTPUT_OPT,
    scenario: Optional[list[str]] = SCENARIO_OPT,
    sets: Optional[list[str]] = SET_OPT,
    segment: Optional[list[str]] = typer.Option(
        None, "--segment", metavar="ID", help="Show only this segment's waterfall (a sales.segments id; repeatable)."),
) -> int:
    """Show the demand waterfall and sales capacity, quarter by quarter (per segment, then the company's total)."""
    from gtmplan.engine.funnel import compute
    from gtmplan.output.funnel_report import REPORTERS, FunnelReport, select_segments
    from gtmplan.output.outputs import choose_format, reporter
    from gtmplan.read.loader import load_plan

    fmt = choose_format("funnel", fmt, output, ("table", "json", "csv"), "table")
    loaded = load_plan(plan, _one_scenario("funnel", scenario), sets or ())
    computed = compute(loaded.plan)
    report = FunnelReport(loaded.plan, computed, select_segments(computed, segment))
    _emit(reporter(REPORTERS, fmt)(color=_use_color(output)).render(report), output)
    return 0


@app.command(short_help='The plan as a document (md, html, xlsx) or invitations (ics).',
             epilog="Example:\n\n\b\n  " + 'gtmplan render examples/lumen-analytics -o plan.html')
def render(
    plan: str = PLAN_ARG,
    fmt: Optional[Literal["md", "html", "ics", "xlsx"]] = typer.Option(
        None, "--format", "-f", metavar="[md|html|ics|xlsx]",
        help="md, html, ics or xlsx (default: from the -o file's extension, else md)."),
    quarter: Optional[str] = typer.Option(None, "--quarter", metavar="QUARTER", help="The quarterly edition, e.g. 2027Q2."),
    output: Optional[str] = OUTPUT_OPT,
    templates: Optional[str] = typer.Option(None, "--templates", metavar="DIR",
                                            help="A directory whose templates override the shipped ones by name."),
    scenario: Optional[list[str]] = SCENARIO_OPT,
    sets: Optional[list[str]] = SET_OPT,
) -> int:
    """Render the integrated plan document (Markdown, self-contained HTML, an iCalendar of reviews,
    or an Excel workbook whose figures are live formulas)."""
    from gtmplan.output.outputs import choose_format
    from gtmplan.output.render import parse_quarter
    from gtmplan.output.render import render as render_document
    from gtmplan.read.loader import load_plan

    fmt = choose_format("render", fmt, output, ("md", "html", "ics", "xlsx"), "md")
    if fmt == "xlsx":
        _xlsx_flags(output, quarter, templates)
    loaded = load_plan(plan, _one_scenario("render", scenario), sets or ())
    data = render_document(loaded, fmt, parse_quarter(quarter, loaded), templates, sets=sets or ())
    _emit(data, output)
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


@app.command(short_help="A quarter's plan against your CRM's CSV exports.",
             epilog="Example:\n\n\b\n  " + 'gtmplan review examples/lumen-analytics --quarter 2027Q1 --leads examples/lumen-analytics/crm/hubspot-contacts.csv --deals examples/lumen-analytics/crm/hubspot-deals.csv')
def review(
    plan: str = PLAN_ARG,
    quarter: str = typer.Option(..., "--quarter", metavar="QUARTER", help="The fiscal quarter to review, e.g. 2027Q2."),
    leads: Optional[str] = typer.Option(None, "--leads", metavar="FILE", help="CSV export, one row per lead or contact."),
    deals: Optional[str] = typer.Option(None, "--deals", metavar="FILE", help="CSV export, one row per deal or opportunity."),
    mapping: Optional[str] = typer.Option(None, "--mapping", metavar="FILE", help="YAML file mapping another export's columns."),
    date_format: Optional[list[str]] = typer.Option(
        None, "--date-format", metavar="FORMAT", help="strptime format, e.g. %d.%m.%Y; repeatable, tried before the built-in ones."),
    encoding: Optional[str] = typer.Option(None, "--encoding", metavar="ENCODING",
                                           help="Read the exports in this encoding (default: detected)."),
    fx: Optional[str] = typer.Option(None, "--fx", metavar="FILE", help="YAML file: currency code -> rate into the plan's currency."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="[text|md|html|json]",
                                      help="text (people), md, html or json (default: from the -o file's "
                                           "extension, else text)."),
    output: Optional[str] = OUTPUT_OPT,
    record: bool = typer.Option(False, "--record", help="Also write the quarter's figures to actuals/QUARTER.yaml."),
    force: bool = typer.Option(False, "--force", help="With --record: replace an existing actuals file."),
    scenario: Optional[list[str]] = SCENARIO_OPT,
    sets: Optional[list[str]] = SET_OPT,
) -> int:
    """Compare a quarter's plan with what happened, from HubSpot or Salesforce CSV exports."""
    from gtmplan.commands.review import REVIEW_OUTSIDE, report, run_review
    from gtmplan.output.outputs import choose_format
    from gtmplan.plan.loaded import quarter_in_horizon
    from gtmplan.read.loader import load_plan

    if fmt is not None and fmt not in report.REPORTERS:
        raise InputError.single("--format", f"{fmt!r}: review writes {', '.join(report.REPORTERS)}")
    kind = choose_format("review", fmt, output, tuple(report.REPORTERS), "text")
    loaded = load_plan(plan, _one_scenario("review", scenario), sets or ())
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
    _emit(report.render(kind, loaded, result, color=kind == "text" and _use_color(output)), output)
    return 0


@app.command(short_help='Each assumption against the recorded actuals.',
             epilog="Example:\n\n\b\n  " + 'gtmplan calibrate examples/lumen-analytics')
def calibrate(
    plan: str = PLAN_ARG,
    quarters: Optional[int] = typer.Option(None, "--quarters", metavar="N", min=1,
                                           help="Pool the last N recorded quarters (default: check.evidence_quarters, 4)."),
    fmt: Optional[Literal["text", "md", "json"]] = typer.Option(
        None, "--format", "-f", metavar="[text|md|json]", help="text (people), md or json (default: from the -o file's extension, else text)."),
    output: Optional[str] = OUTPUT_OPT,
) -> int:
    """Each funnel assumption against the recorded actuals (actuals/), with a proposed value where they contradict it."""
    from gtmplan.commands import calibrate as cal
    from gtmplan.output.outputs import choose_format
    from gtmplan.read.loader import load_plan

    kind = choose_format("calibrate", fmt, output, cal.FORMATS, "text")
    loaded = load_plan(plan)
    result = cal.calibrate(loaded, quarters)
    if kind == "json":
        _emit(cal.render_json(result), output)
    elif kind == "md":
        _emit(cal.render_md(loaded, result), output)
    else:
        _emit(cal.render_text(loaded, result, color=_use_color(output)), output)
    return 0


@app.command(short_help='The plan and its scenarios side by side.',
             epilog="Example:\n\n\b\n  " + 'gtmplan compare examples/lumen-analytics')
def compare(
    plan: str = PLAN_ARG,
    scenarios: Optional[list[str]] = typer.Option(
        None, "--scenario", metavar="NAME", help="A scenario to show (repeatable; default: every file in the plan's scenarios/)."),
    sets: Optional[list[str]] = SET_OPT,
    fmt: Optional[Literal["text", "md", "json"]] = typer.Option(None, "--format", "-f", metavar="[text|md|json]",
                                                                help="text (people), md or json."),
    output: Optional[str] = OUTPUT_OPT,
) -> int:
    """The plan and its scenarios side by side: targets, MQLs, shortfall, coverage, cost, findings."""
    from gtmplan.commands.compare import render_json, render_md, render_text, run_compare
    from gtmplan.output.outputs import choose_format
    from gtmplan.read.loader import resolve_target
    from gtmplan.read.sources import DiskSource

    chosen = choose_format("compare", fmt, output, ("text", "md", "json"), "text")
    plan = resolve_target(plan)  # PLAN omitted, the plan in ./plan: its scenarios/ too
    cols = run_compare(DiskSource(plan), scenarios or None, sets or ())
    render_out = {"json": render_json, "md": render_md}.get(chosen, render_text)
    _emit(render_out(plan, cols), output)
    return 0


@app.command(short_help="The chance of making the plan's numbers (a simulation).",
             epilog="Example:\n\n\b\n  " + "gtmplan forecast examples/lumen-analytics --runs 2000")
def forecast(
    plan: str = PLAN_ARG,
    runs: Optional[str] = typer.Option(None, "--runs", metavar="N", help="Simulated runs (default: forecast.runs, else 10,000)."),
    seed: Optional[str] = typer.Option(None, "--seed", metavar="N", help="Random seed (default: forecast.seed, else 0)."),
    fixed_rates: bool = typer.Option(False, "--fixed-rates", help="Keep every rate at its stated value (draw none)."),
    fixed_volume: bool = typer.Option(False, "--fixed-volume", help="Keep every program's volume at its planned count."),
    fmt: Optional[Literal["text", "md", "json"]] = typer.Option(
        None, "--format", "-f", metavar="[text|md|json]",
        help="text (people), md or json (default: from the -o file's extension, else text)."),
    output: Optional[str] = OUTPUT_OPT,
    scenario: Optional[list[str]] = SCENARIO_OPT,
    sets: Optional[list[str]] = SET_OPT,
) -> int:
    """The chance that the plan makes its numbers: a simulation of its funnel and its track record."""
    from gtmplan.commands import forecast as fc
    from gtmplan.output.outputs import choose_format
    from gtmplan.read.loader import load_plan

    kind = choose_format("forecast", fmt, output, fc.FORMATS, "text")
    n, s = fc.parse_runs(runs), fc.parse_seed(seed)
    loaded = load_plan(plan, _one_scenario("forecast", scenario), sets or ())
    result = fc.run(loaded, n, s, fixed_rates, fixed_volume)
    out = {"json": lambda: fc.render_json(result), "md": lambda: fc.render_md(loaded, result)}.get(
        kind, lambda: fc.render_text(loaded, result))()
    _emit(out, output)
    return 0


@app.command(short_help='What a change does to the plan (for pull requests).',
             epilog="Example:\n\n\b\n  " + 'gtmplan diff examples/lumen-analytics --base main --format md')
def diff(
    plan: str = PLAN_ARG,
    base: str = typer.Option(..., "--base", metavar="REV|PATH", help="A git revision (origin/main, HEAD~1, a tag) or a plan path."),
    head: Optional[str] = typer.Option(None, "--head", metavar="REV|PATH",
                                       help="A git revision or a plan path (default: PLAN as it is on disk)."),
    scenario: Optional[list[str]] = SCENARIO_OPT,
    sets: Optional[list[str]] = SET_OPT,
    fmt: Optional[Literal["text", "md", "json"]] = typer.Option(
        None, "--format", "-f", metavar="[text|md|json]", help="text (people), md (a pull-request comment) or json."),
    fail_on: Optional[Literal["new-errors", "new-warnings", "any-change"]] = typer.Option(
        None, "--fail-on", metavar="[new-errors|new-warnings|any-change]", help="Exit 1 when this happened (default: exit 0 whatever changed)."),
    output: Optional[str] = OUTPUT_OPT,
) -> int:
    """What a change does to the plan: inputs changed, funnel figures moved, findings new and resolved."""
    from gtmplan.commands.diff import render, run_diff
    from gtmplan.output.outputs import choose_format

    chosen = choose_format("diff", fmt, output, ("text", "md", "json"), "text")
    result = run_diff(plan, base, head, _one_scenario("diff", scenario), sets or ())
    _emit(render(result, chosen), output)
    return result.exit_code(fail_on)


@app.command(short_help='List the rules, or explain one.',
             epilog="Example:\n\n\b\n  " + 'gtmplan rules A102')
def rules(code: Optional[str] = typer.Argument(None, metavar="CODE", help="A rule code, e.g. A101.")) -> int:
    """List every rule, or explain one: why it matters, what fires it, how to fix it."""
    from gtmplan.commands.rules import explain, table

    _emit(explain(code) if code else table(), None)
    return 0


@app.command(short_help="The plan format's JSON Schema, for editors.",
             epilog="Example:\n\n\b\n  " + 'gtmplan schema')
def schema(
    fragment: bool = typer.Option(False, "--fragment",
                                  help="Schema for one file of a plan directory (no top-level key required)."),
    output: Optional[str] = OUTPUT_OPT,
) -> int:
    """Print the JSON Schema (draft 2020-12) of the plan format, for editors."""
    import json

    from gtmplan.output.outputs import choose_format
    from gtmplan.plan.schema import plan_schema

    choose_format("schema", None, output, ("json",), "json")
    _emit(json.dumps(plan_schema(fragment), indent=2) + "\n", output)
    return 0


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; input and usage errors become stderr lines.

    The cyclic garbage collector is paused while the command runs (its garbage is
    freed by reference counting; the collector would only re-traverse the large
    loaded plan) and left as it was found: in-process callers keep a working
    collector and nothing frozen. Measured on a 5,000-program plan, median CPU
    seconds: render --format html 2.02 with the collector on, 1.09 paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if was_enabled:
            gc.enable()


@functools.cache
def _command():
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


def _run(argv: list[str] | None) -> int:
    # typer >= 0.29 vendors its own click; older versions use click itself. Take the
    # exception classes from wherever typer's own come from.
    exc = sys.modules[typer.BadParameter.__module__]
    no_args = getattr(exc, "NoArgsIsHelpError", ())
    command = _command()
    try:
        rv = command.main(args=argv, prog_name="gtmplan", standalone_mode=False)
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 2
    except no_args as e:
        print(e.ctx.get_help() if e.ctx is not None else "usage: gtmplan COMMAND [ARGS]")
        return 0
    except exc.UsageError as e:
        hint = f" (see 'gtmplan {e.ctx.info_name} --help')" if e.ctx is not None and e.ctx.parent else ""
        message = e.format_message().replace("Value error, ", "")
        print(f"gtmplan: {message}{hint}", file=sys.stderr)
        return 2
    except exc.ClickException as e:
        print(f"gtmplan: {e.format_message()}", file=sys.stderr)
        return 2
    except typer.Abort:
        print("gtmplan: aborted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("gtmplan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except OSError as e:  # anything the commands did not locate themselves: still one line, exit 2
        from gtmplan.output.fmt import printable

        where = f"{os.fsdecode(e.filename)}: " if e.filename is not None else ""
        print(printable(f"gtmplan: {where}{e.strerror or e}"), file=sys.stderr)
        _silence_stdout()
        return 2
    except Terminated as e:  # a temporary file was being written: removed; now end as the signal says
        import signal

        signal.signal(e.signum, signal.SIG_DFL)
        os.kill(os.getpid(), e.signum)
        return 128 + e.signum
    if sys.stdout is not None:
        try:
            sys.stdout.flush()  # `print` output (init, rules): a full disk is an error here, not at exit
        except BrokenPipeError:
            _silence_stdout()
            return 1
        except OSError as e:
            _silence_stdout()
            print(f"gtmplan: cannot write to standard output: {e.strerror or e}", file=sys.stderr)
            return 2
    return rv if isinstance(rv, int) else 0

