"""Every command's arguments and options, declared once; the parser both front-ends run on them.

:data:`COMMANDS` is the one declaration: for each command its summary, help, example and
parameters (name, flags, kind, choices, default, placeholder, help). ``cli.py`` builds the
typer app from it (``--help`` and the docs site's CLI reference come from that app);
:func:`parse` reads a command line by it, without typer, for ``fastpath.py`` (which runs
``check``, ``diff`` and ``review`` without importing typer, for start-up) and for ``cli.py``
(which parses first, so that a usage error is worded by gtmplan, whichever click release
typer brings). A usage error is one line naming the flag, with the choices or a suggestion,
and exit 2 (docs/reference/cli.md, 'Exit codes').

This module imports nothing but the standard library and ``errors``: ``gtmplan check``
reads it on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from gtmplan.errors import InputError

if TYPE_CHECKING:  # annotations only: this module is read on every run
    from typing import Literal

    Kind = Literal["text", "int", "float", "switch", "list"]
    Value = Union[str, int, float, bool, list[str], None]

# The output formats of each command, written once (outputs.choose_format takes them too).
CHECK_FORMATS = ("text", "json", "github", "sarif")
FUNNEL_FORMATS = ("table", "json", "csv")
RENDER_FORMATS = ("md", "html", "ics", "xlsx")
REVIEW_FORMATS = ("text", "md", "html", "json")  # commands.review.report.REPORTERS (a test keeps them equal)
CALIBRATE_FORMATS = ("text", "md", "json")  # commands.calibrate.FORMATS (likewise)
COMPARE_FORMATS = ("text", "md", "json")
FORECAST_FORMATS = ("text", "md", "json")  # commands.forecast.FORMATS (likewise)
DIFF_FORMATS = ("text", "md", "json")
FAIL_ON = ("new-errors", "new-warnings", "any-change")


class Param:
    """One argument (no flags) or option of a command, as its body receives it under ``key``.

    (Plain classes here, not NamedTuple or dataclass: creating those classes runs generated code,
    1-4M instructions each, on every start-up; docs/contributing.md, "Speed".)"""

    __slots__ = ("key", "flags", "help", "metavar", "kind", "default", "choices", "required", "minimum",
                 "typer_choices")

    def __init__(self, key: str, flags: tuple[str, ...], help: str, metavar: Optional[str] = None,
                 kind: Kind = "text", default: Value = None, choices: tuple[str, ...] = (),
                 required: bool = False, minimum: Optional[int] = None, typer_choices: bool = True) -> None:
        self.key = key
        self.flags = flags  # ("--format", "-f"); () for the positional argument
        self.help = help
        self.metavar = metavar  # what the help shows for the value: FILE, QUARTER, [text|json]
        self.kind = kind  # switch: a flag without value; list: repeatable, the values in order
        self.default = default
        self.choices = choices
        self.required = required
        self.minimum = minimum
        # typer checks the choices too (a Literal type): review's --format has always been plain text
        # to typer (the docs' table shows its placeholder), its choices checked here all the same
        self.typer_choices = typer_choices

    @property
    def name(self) -> str:
        """How a person names it: its long flag, or its placeholder (PLAN)."""
        return self.flags[0] if self.flags else self.metavar or self.key.upper()

    def __repr__(self) -> str:
        return f"Param({self.key!r}, {self.flags!r})"


class Command:
    """One command: what ``gtmplan --help`` and ``gtmplan NAME --help`` say of it, and its parameters."""

    __slots__ = ("name", "summary", "help", "example", "params")

    def __init__(self, name: str, summary: str, help: str, example: str, params: tuple[Param, ...]) -> None:
        self.name = name
        self.summary = summary  # the line in `gtmplan --help`'s list
        self.help = help  # the paragraph at the top of `gtmplan NAME --help`
        self.example = example  # a command line that runs as written (tests/cli/test_help.py)
        self.params = params

    def __repr__(self) -> str:
        return f"Command({self.name!r})"


def _format(choices: tuple[str, ...], text: str, typer_choices: bool = True) -> Param:
    return Param("fmt", ("--format", "-f"), text, f"[{'|'.join(choices)}]", choices=choices,
                 typer_choices=typer_choices)


def _from_extension(choices: tuple[str, ...]) -> str:
    """The --format help of a command that also goes by the -o file's extension."""
    words = f"{', '.join(choices[1:-1])} or {choices[-1]}"
    return f"{choices[0]} (people), {words} (default: from the -o file's extension, else {choices[0]})."


PLAN = Param("plan", (), "A plan file or a plan directory.", "PLAN", default=".")
OUTPUT = Param("output", ("--output", "-o"), "Write to this file (atomically) instead of stdout.", "FILE")
SCENARIO = Param("scenario", ("--scenario",), "Apply scenarios/NAME.yaml of the plan (or the scenario file at "
                 "that path).", "NAME", kind="list")
SETS = Param("sets", ("--set",), "Change one value, e.g. sales.assumptions.win_rate=0.2 (repeatable; after "
             "--scenario).", "PATH=VALUE", kind="list")
FORCE = Param("force", ("--force",), "Overwrite existing files.", kind="switch", default=False)

_INIT = (
    Param("directory", (), "Where to write the plan.", "DIR", default="plan"),
    Param("yes", ("--yes", "-y"), "Don't ask; take the flags and defaults.", kind="switch", default=False),
    Param("company", ("--company",), "Company name.", "NAME"),
    Param("currency", ("--currency",), "ISO 4217 code, e.g. USD.", "CODE"),
    Param("start", ("--start",), "First quarter, e.g. 2027Q1 (default: next quarter).", "QUARTER"),
    Param("quarters", ("--quarters",), "How many quarters the plan covers.", "N", kind="int"),
    Param("fy_start", ("--fiscal-year-start-month",), "The month the fiscal year starts: 1-12 or its name (April); "
          "1 = calendar quarters.", "MONTH"),
    Param("fy_named_by", ("--fiscal-year-named-by",), "start or end: the calendar year that names a fiscal year.",
          "start|end"),
    Param("other_share", ("--other-pipeline",), "Share of opportunities sales sources itself (0-1).", "SHARE",
          kind="float"),
    Param("target", ("--target",), "New bookings target for a year, e.g. 1200000, $1.2M or 950k.", "AMOUNT"),
    Param("deal_size", ("--deal-size",), "Average deal size, e.g. 20000 or $20k.", "AMOUNT"),
    Param("segments", ("--segments",), "The segments the company sells to, each with its share of the target and "
          "its average deal size, e.g. smb:0.4:8k,enterprise:0.6:90k (share and deal size may be left out: equal "
          "shares, --deal-size). Writes sales.segments, a team row per segment and programs split among them.",
          "ID:SHARE:DEAL_SIZE,..."),
    Param("agreed", ("--agreed",), "Sales and marketing have both signed off the lead definition (otherwise it is "
          "written unsigned and check says who must sign).", kind="switch", default=False),
    Param("single_file", ("--single-file",), "Write one gtmplan.yaml instead of three files.", kind="switch",
          default=False),
    Param("example", ("--example",), "Copy a shipped example plan ('list' lists them).", "NAME"),
    FORCE,
)

_CHECK = (
    PLAN,
    _format(CHECK_FORMATS, "text (people), json, github (workflow annotations) or sarif (default: from the -o "
            "file's extension, else text)."),
    Param("select", ("--select",), "Only these codes or prefixes, e.g. A,L201.", "CODES"),
    Param("ignore", ("--ignore",), "Skip these codes or prefixes, e.g. F6,R504.", "CODES"),
    Param("strict", ("--strict",), "Warnings fail too (exit 1).", kind="switch", default=False),
    OUTPUT, SCENARIO, SETS,
)

_FUNNEL = (
    PLAN, _format(FUNNEL_FORMATS, _from_extension(FUNNEL_FORMATS)), OUTPUT, SCENARIO, SETS,
    Param("segment", ("--segment",), "Show only this segment's waterfall (a sales.segments id; repeatable).", "ID",
          kind="list"),
)

_RENDER = (
    PLAN,
    _format(RENDER_FORMATS, "md, html, ics or xlsx (default: from the -o file's extension, else md)."),
    Param("quarter", ("--quarter",), "The quarterly edition, e.g. 2027Q2.", "QUARTER"),
    OUTPUT,
    Param("templates", ("--templates",), "A directory whose templates override the shipped ones by name.", "DIR"),
    SCENARIO, SETS,
)

_REVIEW = (
    PLAN,
    Param("quarter", ("--quarter",), "The fiscal quarter to review, e.g. 2027Q2.", "QUARTER", required=True),
    Param("leads", ("--leads",), "CSV export, one row per lead or contact.", "FILE"),
    Param("deals", ("--deals",), "CSV export, one row per deal or opportunity.", "FILE"),
    Param("mapping", ("--mapping",), "YAML file mapping another export's columns.", "FILE"),
    Param("date_format", ("--date-format",), "strptime format, e.g. %d.%m.%Y; repeatable, tried before the "
          "built-in ones.", "FORMAT", kind="list"),
    Param("encoding", ("--encoding",), "Read the exports in this encoding (default: detected).", "ENCODING"),
    Param("fx", ("--fx",), "YAML file: currency code -> rate into the plan's currency.", "FILE"),
    _format(REVIEW_FORMATS, _from_extension(REVIEW_FORMATS), typer_choices=False),
    OUTPUT,
    Param("record", ("--record",), "Also write the quarter's figures to actuals/QUARTER.yaml.", kind="switch",
          default=False),
    Param("force", ("--force",), "With --record: replace an existing actuals file.", kind="switch", default=False),
    SCENARIO, SETS,
)

_CALIBRATE = (
    PLAN,
    Param("quarters", ("--quarters",), "Pool the last N recorded quarters (default: check.evidence_quarters, 4).",
          "N", kind="int", minimum=1),
    _format(CALIBRATE_FORMATS, _from_extension(CALIBRATE_FORMATS)),
    OUTPUT,
)

_COMPARE = (
    PLAN,
    Param("scenarios", ("--scenario",), "A scenario to show (repeatable; default: every file in the plan's "
          "scenarios/).", "NAME", kind="list"),
    SETS,
    _format(COMPARE_FORMATS, "text (people), md or json."),
    OUTPUT,
)

_FORECAST = (
    PLAN,
    Param("runs", ("--runs",), "Simulated runs (default: forecast.runs, else 10,000).", "N"),
    Param("seed", ("--seed",), "Random seed (default: forecast.seed, else 0).", "N"),
    Param("fixed_rates", ("--fixed-rates",), "Keep every rate at its stated value (draw none).", kind="switch",
          default=False),
    Param("fixed_volume", ("--fixed-volume",), "Keep every program's volume at its planned count.", kind="switch",
          default=False),
    _format(FORECAST_FORMATS, _from_extension(FORECAST_FORMATS)),
    OUTPUT, SCENARIO, SETS,
)

_DIFF = (
    PLAN,
    Param("base", ("--base",), "A git revision (origin/main, HEAD~1, a tag) or a plan path.", "REV|PATH",
          required=True),
    Param("head", ("--head",), "A git revision or a plan path (default: PLAN as it is on disk).", "REV|PATH"),
    SCENARIO, SETS,
    _format(DIFF_FORMATS, "text (people), md (a pull-request comment) or json."),
    Param("fail_on", ("--fail-on",), "Exit 1 when this happened (default: exit 0 whatever changed).",
          f"[{'|'.join(FAIL_ON)}]", choices=FAIL_ON),
    OUTPUT,
)

_RULES = (Param("code", (), "A rule code, e.g. A101.", "CODE"),)

_SCHEMA = (
    Param("fragment", ("--fragment",), "Schema for one file of a plan directory (no top-level key required).",
          kind="switch", default=False),
    OUTPUT,
)

COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("init", "Write a plan to fill in (or copy a shipped example).",
            "Scaffold a plan a first-time user can fill in (or copy a shipped example).",
            "gtmplan init plan --yes --company Acme --target '$2.4M' --deal-size 30k", _INIT),
    Command("check", "Flag where sales' and marketing's halves don't add up.",
            "Flag where the sales and marketing halves of the plan don't add up.",
            "gtmplan check examples/lumen-analytics --select A", _CHECK),
    Command("funnel", "The demand waterfall and capacity, by quarter.",
            "Show the demand waterfall and sales capacity, quarter by quarter (per segment, then the company's "
            "total).",
            "gtmplan funnel examples/lumen-analytics --format json", _FUNNEL),
    Command("render", "The plan as a document (md, html, xlsx) or invitations (ics).",
            "Render the integrated plan document (Markdown, self-contained HTML, an iCalendar of reviews,\n"
            "or an Excel workbook whose figures are live formulas).",
            "gtmplan render examples/lumen-analytics -o plan.html", _RENDER),
    Command("review", "A quarter's plan against your CRM's CSV exports.",
            "Compare a quarter's plan with what happened, from HubSpot or Salesforce CSV exports.",
            "gtmplan review examples/lumen-analytics --quarter 2027Q1 --leads "
            "examples/lumen-analytics/crm/hubspot-contacts.csv --deals examples/lumen-analytics/crm/hubspot-deals.csv",
            _REVIEW),
    Command("calibrate", "Each assumption against the recorded actuals.",
            "Each funnel assumption against the recorded actuals (actuals/), with a proposed value where they "
            "contradict it.",
            "gtmplan calibrate examples/lumen-analytics", _CALIBRATE),
    Command("compare", "The plan and its scenarios side by side.",
            "The plan and its scenarios side by side: targets, MQLs, shortfall, coverage, cost, findings.",
            "gtmplan compare examples/lumen-analytics", _COMPARE),
    Command("forecast", "The chance of making the plan's numbers (a simulation).",
            "The chance that the plan makes its numbers: a simulation of its funnel and its track record.",
            "gtmplan forecast examples/lumen-analytics --runs 2000", _FORECAST),
    Command("diff", "What a change does to the plan (for pull requests).",
            "What a change does to the plan: inputs changed, funnel figures moved, findings new and resolved.",
            "gtmplan diff examples/lumen-analytics --base main --format md", _DIFF),
    Command("rules", "List the rules, or explain one.",
            "List every rule, or explain one: why it matters, what fires it, how to fix it.",
            "gtmplan rules A102", _RULES),
    Command("schema", "The plan format's JSON Schema, for editors.",
            "Print the JSON Schema (draft 2020-12) of the plan format, for editors.",
            "gtmplan schema", _SCHEMA),
)}

ROOT_FLAGS = ("--help", "--version")  # gtmplan's own: typer answers them


class Call:
    """A command line read by the declaration: the command and every keyword its body takes."""

    __slots__ = ("command", "kwargs")

    def __init__(self, command: str, kwargs: dict[str, Value]) -> None:
        self.command = command
        self.kwargs = kwargs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Call) and (self.command, self.kwargs) == (other.command, other.kwargs)

    __hash__ = None  # type: ignore[assignment]  # (kwargs: a dict)

    def __repr__(self) -> str:
        return f"Call({self.command!r}, {self.kwargs!r})"


def usage_error(message: str) -> InputError:
    """A bad command line: ``gtmplan: MESSAGE`` on stderr, exit 2."""
    return InputError.single(None, message)


def _suggestion(word: str, known: list[str]) -> str:
    import difflib  # a usage error only

    starting = [k for k in known if k.startswith(word)] if len(word) > 2 else []
    close = starting if len(starting) == 1 else difflib.get_close_matches(word, known, n=1, cutoff=0.8)
    return f"; did you mean {close[0]}?" if close else ""


def parse(argv: list[str]) -> Optional[Call]:
    """The command ARGV names and its keyword arguments, every declared one (defaults filled in).

    None when typer is to answer: no command, ``--help`` or ``--version``. A usage error
    (an unknown command or option, a missing or bad value, a missing required option, one
    argument too many) raises :class:`InputError` with the line gtmplan prints."""
    if not argv or argv[0] in ROOT_FLAGS:
        return None
    name = argv[0]
    if name.startswith("-"):
        hint = _suggestion(name, list(ROOT_FLAGS)) or " (see 'gtmplan --help')"
        raise usage_error(f"no option {name} before the command{hint}")
    command = COMMANDS.get(name)
    if command is None:
        hint = _suggestion(name, list(COMMANDS)) or " (see 'gtmplan --help')"
        raise usage_error(f"no command {name!r}{hint}")
    given = _Reader(command).read(argv[1:])
    if given is None:
        return None
    return Call(name, _values(command, given))


class _Reader:
    """The tokens of one command's line, as click reads them: long options with ``=VALUE`` or the
    next token as value (whatever it looks like), short ones with the value attached (``-fjson``)
    or next, ``--`` ending the options; the last of a repeated option wins, a list keeps them all."""

    def __init__(self, command: Command) -> None:
        self.command = command
        self.flags = {flag: p for p in command.params for flag in p.flags}
        self.given: dict[str, list[str]] = {}
        self.positional: list[str] = []
        self.help = False

    def read(self, args: list[str]) -> Optional[dict[str, list[str]]]:
        """Each parameter's raw values (the positional ones under their key), or None for --help."""
        rest = list(args)
        while rest:
            token = rest.pop(0)
            if token == "--":
                self.positional.extend(rest)
                break
            if token == "--help":
                self.help = True
            elif token.startswith("--"):
                self._long(token, rest)
            elif token.startswith("-") and token != "-":
                self._short(token, rest)
            else:
                self.positional.append(token)
        if self.help:  # after the flags are known, as click: help wins over any bad value
            return None
        self._place_positional()
        return self.given

    def _param(self, flag: str) -> Param:
        param = self.flags.get(flag)
        if param is None:
            name = self.command.name
            hint = _suggestion(flag, [*self.flags, "--help"]) or f" (see 'gtmplan {name} --help')"
            raise usage_error(f"{name} has no option {flag}{hint}")
        return param

    def _long(self, token: str, rest: list[str]) -> None:
        flag, eq, attached = token.partition("=")
        param = self._param(flag) if flag != "--help" else None
        if param is None or param.kind == "switch":
            if eq:
                raise usage_error(f"{flag} takes no value (got {token})")
            if param is not None:
                self.given.setdefault(param.key, []).append("")
            return
        self.given.setdefault(param.key, []).append(attached if eq else self._next(flag, param, rest))

    def _short(self, token: str, rest: list[str]) -> None:
        flag, attached = token[:2], token[2:]
        param = self._param(flag)
        if param.kind == "switch":
            self.given.setdefault(param.key, []).append("")
            if attached:  # -yf: a cluster of short flags
                self._short("-" + attached, rest)
            return
        self.given.setdefault(param.key, []).append(attached or self._next(flag, param, rest))

    @staticmethod
    def _next(flag: str, param: Param, rest: list[str]) -> str:
        if not rest:
            what = f"one of {', '.join(param.choices)}" if param.choices else param.metavar
            raise usage_error(f"{flag} needs a value ({what})")
        return rest.pop(0)

    def _place_positional(self) -> None:
        slots = [p for p in self.command.params if not p.flags]
        if len(self.positional) > len(slots):
            takes = f"one {slots[0].name}" if slots else "none"
            got = ", ".join(repr(a) for a in self.positional)
            raise usage_error(f"too many arguments: {self.command.name} takes {takes} (got {got})")
        for param, value in zip(slots, self.positional):
            self.given[param.key] = [value]


def _values(command: Command, given: dict[str, list[str]]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for param in command.params:
        raw = given.get(param.key)
        if raw is None:
            if param.required:
                what = param.help.rstrip(".")
                raise usage_error(f"{command.name} needs {param.name} {param.metavar}: {what[:1].lower()}{what[1:]}")
            values[param.key] = param.default
        else:
            values[param.key] = _value(param, raw)
    return values


def _value(param: Param, raw: list[str]) -> Value:
    if param.kind == "switch":
        return True
    if param.kind == "list":
        return raw
    text = raw[-1]  # given twice, the last counts (as click)
    if param.choices and text not in param.choices:
        near = [c for c in param.choices if c.lower() == text.lower()]
        hint = f"; did you mean {near[0]}?" if near else ""
        raise usage_error(f"{param.name}: {text!r} is not one of {', '.join(param.choices)}{hint}")
    if param.kind == "int":
        return _number(param, text, int, "a whole number")
    if param.kind == "float":
        return _number(param, text, float, "a number")
    return text


def _number(param: Param, text: str, kind: type[int] | type[float], words: str) -> Union[int, float]:
    try:
        number = kind(text)
    except ValueError:
        raise usage_error(f"{param.name}: {text!r} is not {words}") from None
    if param.minimum is not None and number < param.minimum:
        raise usage_error(f"{param.name}: {number} is out of range ({param.minimum} or more)")
    return number


def one_scenario(command: str, names: Optional[list[str]]) -> Optional[str]:
    """The one ``--scenario`` a command other than ``compare`` applies; given twice is a bad flag
    (typer would silently keep the last)."""
    if not names:
        return None
    if len(names) > 1:
        raise InputError.single(None, f"--scenario given {len(names)} times ({', '.join(names)}): 'gtmplan {command}' "
                                      "applies one scenario; to see several side by side, run 'gtmplan compare "
                                      f"{' '.join('--scenario ' + n for n in names)}'")
    return names[0]
