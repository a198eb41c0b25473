"""``gtmplan init``: a plan a first-time user can fill in, or a copy of a shipped example.

The scaffold's numbers are derived from a handful of answers (yearly target,
deal size, ...) through the same funnel math ``gtmplan check`` uses, so a fresh
plan passes ``check``: targets, team, budget and programs agree with each other.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

from gtmplan.errors import InputError, Problem
from gtmplan.output.fsutil import write_atomic
from gtmplan.plan.quarters import FiscalCalendar, Quarter
from gtmplan.read.resources import examples_dir, templates_dir

if TYPE_CHECKING:  # jinja2 is imported only when a scaffold is written
    from jinja2 import Environment

# Deferred imports: jinja2 (37 ms) and typer's prompts only when a plan is written; the schema (pydantic, 31 ms) only for
# the schema file; Decimal and tempfile for the one function that uses each.

MODELINE = "# yaml-language-server: $schema=gtmplan.schema.json\n"
SCHEMA_FILE = "gtmplan.schema.json"

ASSUMPTIONS = {"lead_to_mql": 0.25, "mql_to_sql": 0.30, "sql_to_opportunity": 0.50, "win_rate": 0.25,
               "sales_cycle_days": 60, "cost_per_lead": 50}
# channel, name, share of leads, cost per lead, stage, CRM source value
PROGRAMS = (("webinars", "Monthly webinars", 0.40, 40, "consideration", "Webinar"),
            ("seo", "Search-optimised guides", 0.30, 30, "awareness", "Organic Search"),
            ("paid-search", "Paid search", 0.30, 80, "consideration", "Paid Search"))
MARGIN = 1.15  # programs plan 15% more MQLs than the targets need


# -- answers: each checked where it is given (a flag, or a typed answer) ---------------------

def parse_company(value: object) -> str:
    name = str(value).strip()
    if not name:
        raise ValueError("must not be empty")
    return name


def parse_currency(value: object) -> str:
    code = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"{str(value)!r} is not a three-letter ISO 4217 code such as USD")
    return code


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


def parse_fy_start(value: object) -> int:
    """A month as its number (4) or its English name, whole or cut short (April, Apr, apr.)."""
    text = str(value).strip()
    try:
        month = int(text)
    except ValueError:
        word = text.lower().rstrip(".")
        named = [i + 1 for i, name in enumerate(_MONTHS) if len(word) >= 3 and name.startswith(word)]
        if word == "sept":
            named = [9]
        if len(named) != 1:
            raise ValueError(f"{text!r} is not a month: give its number, 1-12, or its name (4 or April)") from None
        month = named[0]
    if not 1 <= month <= 12:
        raise ValueError(f"{month} is not a month (1-12)")
    return month


def parse_start(value: object) -> Quarter:
    text = re.sub(r"\s+", "", str(value)).upper()  # "2027 Q1" is 2027Q1
    return Quarter.parse(text)


def parse_quarters(value: object) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{str(value)!r} is not a whole number of quarters (1-12)") from None
    if not 1 <= n <= 12:
        raise ValueError(f"{n} is out of range (1-12)")
    return n


_SCALE = {"": 1, "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000, "million": 1_000_000,
          "b": 1_000_000_000, "bn": 1_000_000_000, "billion": 1_000_000_000}
_AMOUNT_RE = re.compile(r"(?P<number>-?[0-9][0-9,_]*(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?|\.[0-9]+(?:e[+-]?[0-9]+)?)"
                        r"\s*(?P<scale>[a-z]*)", re.I)
_SYMBOLS = "$€£¥₹"


def parse_amount(value: object) -> float:
    """An amount as people write it: 1200000, 1,200,000, $1.2M, 950k, EUR 2.5 million, 1e6."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = float(value)
    else:
        text = str(value).strip()
        bare = re.sub(r"^(?:[A-Za-z]{3}\s+|[%s]\s*)|(?:\s+[A-Za-z]{3}|\s*[%s])$" % (_SYMBOLS, _SYMBOLS), "", text)
        m = _AMOUNT_RE.fullmatch(bare)
        scale = _SCALE.get(m["scale"].lower()) if m else None
        if m is None or scale is None:
            raise ValueError(f"{text!r} is not an amount: write digits, e.g. 1200000, 1,200,000 or $1.2M")
        whole = m["number"].lstrip("-").split(".")[0].split("e")[0].split("E")[0]
        if "," in whole and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", whole):
            # 9,6M is 9.6M written with a decimal comma, or a slip: never read it as 96M
            raise ValueError(f"{text!r}: a comma here separates thousands (1,200,000); for a decimal, "
                             f"write a point, e.g. {text.replace(',', '.')}")
        from decimal import Decimal

        amount = float(Decimal(m["number"].replace(",", "").replace("_", "")) * scale)
    if not (amount > 0 and math.isfinite(amount)):
        raise ValueError(f"{amount:g} must be a positive amount")
    return amount


def parse_named_by(value: object) -> Literal["start", "end"]:
    named = str(value).strip().lower()
    if named == "start":
        return "start"
    if named == "end":
        return "end"
    raise ValueError(f"{str(value)!r} is neither start nor end")


def parse_other_share(value: object) -> float:
    try:
        share = float(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except ValueError:
        raise ValueError(f"{str(value)!r} is not a share: write 30% as 0.3") from None
    if not 0 <= share < 1:
        raise ValueError(f"{share:g} is not a share from 0 to below 1 (write 30% as 0.3)")
    return share


@dataclass(frozen=True)
class SegmentAnswer:
    """One segment the company sells to (``--segments``): its id, its share of each quarter's
    target and its average deal size (None: the plan's ``--deal-size``)."""
    id: str
    share: float
    deal_size: Optional[float] = None


_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def parse_segments(value: object) -> tuple[SegmentAnswer, ...]:
    """``smb:0.4:8k,enterprise:0.6:90k`` -> the segments; each is ``ID[:SHARE[:DEAL_SIZE]]``.
    Shares may be written 0.4 or 40%; segments without one share what the others leave
    equally. Two to ten segments, the shares adding up to 1."""
    text = str(value).strip()
    if text.lower() in ("", "no", "none", "1", "one"):
        return ()
    parsed = [_segment_item(i.strip()) for i in text.split(",") if i.strip()]
    ids = [p[0] for p in parsed]
    if len(ids) < 2:
        raise ValueError("name at least two segments (smb,enterprise); one segment is the plan without segments")
    if len(ids) > 10:
        raise ValueError(f"{len(ids)} segments: at most 10")
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} given twice")
    return tuple(SegmentAnswer(i, sh, d) for i, sh, d in _shares_filled(parsed))


def _segment_item(item: str) -> tuple[str, Optional[float], Optional[float]]:
    """One ``ID[:SHARE[:DEAL_SIZE]]`` of ``--segments``: (id, share or None, deal size or None)."""
    parts = [p.strip() for p in item.split(":")]
    if len(parts) > 3:
        raise ValueError(f"{item!r}: write each segment as ID, ID:SHARE or ID:SHARE:DEAL_SIZE (smb:0.4:8k)")
    ident = parts[0].lower()
    if not _SLUG.fullmatch(ident):
        raise ValueError(f"{parts[0]!r} is not a segment id: lower-case letters, digits and dashes (smb, mid-market)")
    share = None
    if len(parts) > 1 and parts[1]:
        try:
            share = parse_other_share(parts[1])
        except ValueError:
            raise ValueError(f"{item!r}: {parts[1]!r} is not a share (write 40% as 0.4)") from None
        if share <= 0:
            raise ValueError(f"{item!r}: a segment's share must be above 0")
    deal = None
    if len(parts) > 2 and parts[2]:
        try:
            deal = parse_amount(parts[2])
        except ValueError as e:
            raise ValueError(f"{item!r}: {e}") from None
    return ident, share, deal


def _shares_filled(parsed: list[tuple[str, Optional[float], Optional[float]]]
                   ) -> list[tuple[str, float, Optional[float]]]:
    """Each segment with its share: those without one share what the others leave equally;
    the shares must add up to 1."""
    given = sum(p[1] for p in parsed if p[1] is not None)
    rest = [p for p in parsed if p[1] is None]
    if rest:
        if given >= 1 - 1e-9:
            raise ValueError(f"the shares given add up to {given:g}, leaving nothing for {', '.join(p[0] for p in rest)}")
        each = (1 - given) / len(rest)
        return [(i, each if sh is None else sh, d) for i, sh, d in parsed]
    if abs(given - 1) > 1e-6:
        raise ValueError(f"the shares add up to {given:g}, not 1: each quarter's target is divided among the segments")
    return [(i, sh, d) for i, sh, d in parsed if sh is not None]


def default_start(calendar: FiscalCalendar | int, today: Optional[dt.date] = None) -> Quarter:
    """The next fiscal quarter after today's, in the fiscal year the plan uses."""
    return Quarter.of(today or dt.date.today(), _cal(calendar)) + 1


def _cal(calendar: FiscalCalendar | int) -> FiscalCalendar:
    return calendar if isinstance(calendar, FiscalCalendar) else FiscalCalendar(calendar)


def quarter_dates(q: Quarter, calendar: FiscalCalendar | int) -> str:
    """2027Q1 = 1 Apr–30 Jun 2027 (a FiscalCalendar, or a start month)"""
    calendar = _cal(calendar)
    a, b = q.first_day(calendar), q.last_day(calendar)
    first = f"{a.day} {a:%b}" + ("" if a.year == b.year else f" {a.year}")
    return f"{q} = {first}–{b.day} {b:%b} {b.year}"


@dataclass(frozen=True)
class Answers:
    company: str = "Example Co"
    currency: str = "USD"
    start: Quarter = Quarter(2027, 1)
    quarters: int = 4
    fy_start: int = 1
    target: float = 1_200_000
    deal_size: float = 20_000
    fy_named_by: Literal["start", "end"] = "start"  # or "end": fiscal year N ends in calendar year N
    other_share: float = 0.0  # share of opportunities sales sources itself (outbound, partners, customers)
    agreed: bool = False  # sales and marketing have both signed off the lead definition
    segments: tuple[SegmentAnswer, ...] = ()  # --segments: the segments sales plans for (none: one funnel)

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fy_start, self.fy_named_by)

    @classmethod
    def from_flags(cls, *, company: object = None, currency: object = None, start: object = None,
                   quarters: object = None, fy_start: object = None, target: object = None, deal_size: object = None,
                   fy_named_by: object = None, other_share: object = None, agreed: bool = False,
                   segments: object = None, today: Optional[dt.date] = None) -> Answers:
        """Answers from the flags (None: the default); every bad flag is named."""
        problems: list[str] = []

        def take(flag: str, parse: Callable[[object], Any], value: object, default: Any) -> Any:
            if value is None:
                return default
            try:
                return parse(value)
            except ValueError as e:
                problems.append(f"{flag}: {e}")
                return default

        fy = take("--fiscal-year-start-month", parse_fy_start, fy_start, cls.fy_start)
        named = take("--fiscal-year-named-by", parse_named_by, fy_named_by, cls.fy_named_by)
        values = cls(
            company=take("--company", parse_company, company, cls.company),
            currency=take("--currency", parse_currency, currency, cls.currency),
            start=take("--start", parse_start, start, None) or default_start(FiscalCalendar(fy, named), today),
            quarters=take("--quarters", parse_quarters, quarters, cls.quarters),
            fy_start=fy,
            target=take("--target", parse_amount, target, cls.target),
            deal_size=take("--deal-size", parse_amount, deal_size, cls.deal_size),
            fy_named_by=named,
            other_share=take("--other-pipeline", parse_other_share, other_share, cls.other_share),
            agreed=bool(agreed),
            segments=take("--segments", parse_segments, segments, ()))
        if problems:
            raise InputError([Problem(None, None, None, p) for p in problems])
        return values


def ask(defaults: Answers, start_given: bool = False, today: Optional[dt.date] = None) -> Answers:
    """Ask on a terminal, each question with the flag's (or default) value. A bad
    answer is explained and asked again, right away."""
    import typer

    def question(text: str, parse: Callable[[object], Any], default: Any, shown: Any = None) -> Any:
        def check(answer: str) -> Any:
            try:
                return parse(answer)
            except ValueError as e:
                raise typer.BadParameter(str(e)) from None
        return typer.prompt(text, default=shown if shown is not None else default, value_proc=check)

    company = question("Company name", parse_company, defaults.company)
    currency = question("Currency (ISO 4217)", parse_currency, defaults.currency)
    fy_start = question("Fiscal year start month (1-12 or its name; 1 = calendar quarters, 4 = April)",
                        parse_fy_start, defaults.fy_start)
    fy_named_by = defaults.fy_named_by
    if fy_start != 1:
        fy_named_by = question("Are fiscal years named by the calendar year they start or end in? (start/end)",
                               parse_named_by, defaults.fy_named_by)
    calendar = FiscalCalendar(fy_start, fy_named_by)
    first = defaults.start if start_given else default_start(calendar, today)
    start = question(f"First quarter of the plan ({quarter_dates(first, calendar)})", parse_start, str(first))
    typer.echo(f"  {quarter_dates(start, calendar)}")
    quarters = question("Number of quarters (1-12)", parse_quarters, defaults.quarters)
    target = question("New bookings target for a year", parse_amount, defaults.target, f"{defaults.target:,.0f}")
    deal_size = question("Average deal size", parse_amount, defaults.deal_size, f"{defaults.deal_size:,.0f}")
    other_share = defaults.other_share
    if typer.confirm("Does sales source pipeline itself (outbound, partners, existing customers)?",
                     default=other_share > 0):
        other_share = question("Share of opportunities sales sources itself (0.3 = 30%)", parse_other_share,
                               other_share or 0.3)
    else:
        other_share = 0.0
    segments = defaults.segments
    if typer.confirm("Does the company sell to more than one segment, with its own deal size and target "
                     "(say small companies and enterprises)?", default=bool(segments)):
        shown = ",".join(f"{x.id}:{x.share:g}" + (f":{x.deal_size:g}" if x.deal_size else "") for x in segments)
        segments = question("Segments, comma-separated, each ID:SHARE:DEAL_SIZE (share of the target; "
                            "e.g. smb:0.4:8k,enterprise:0.6:90k)", parse_segments, None,
                            shown or f"smb:0.4:{deal_size / 2:g},enterprise:0.6:{deal_size * 2:g}")
    else:
        segments = ()
    agreed = typer.confirm("Have sales and marketing both signed off what makes a qualified lead (MQL and SQL)?",
                           default=defaults.agreed)
    return Answers(company, currency, start, quarters, fy_start, target, deal_size, fy_named_by, other_share,
                   agreed, segments)


def _round_up(x: float, step: int) -> int:
    return int(math.ceil(round(x, 6) / step) * step)


def working_day(day: dt.date) -> dt.date:
    """The day itself, or the Friday before when it falls on a weekend."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def _waterfall(target: float, deal_size: float, other_share: float) -> tuple[float, float, float]:
    """(deals, opportunities sales sources itself, leads needed) of one quarter's target with the
    scaffold's assumptions: every rate is stated, so none is unknown."""
    from gtmplan.engine.funnel import needs

    deals, _, other, _, _, leads = needs(target, {**ASSUMPTIONS, "average_deal_size": deal_size}, other_share)
    assert deals is not None and other is not None and leads is not None
    return deals, other, leads


def design(a: Answers) -> dict:
    """The scaffold's numbers, consistent by construction (see module docstring)."""
    from gtmplan.engine.funnel import lag_quarters

    quarters = [a.start + i for i in range(a.quarters)]
    q_target = _round_up(a.target / 4, 1000)
    r = ASSUMPTIONS
    # sales.other_pipeline: marketing has the rest
    deals, other_opps, leads_needed = _waterfall(q_target, a.deal_size, a.other_share)
    attainment = 0.9
    segments = _segments(a, q_target) if a.segments else []
    if segments:  # the programs are split so that each segment gets MARGIN x the leads it needs
        leads_needed = max(x["leads_needed"] / x["split"] for x in segments)
        other_opps = sum(x["other_opps"] for x in segments)
    leads_needed *= MARGIN
    programs: list[dict[str, Any]] = []
    cost = 0
    split = ", ".join(f"{x['id']}: {_number(x['split'])}" for x in segments)
    for channel, name, share, cpl, stage, source in PROGRAMS:
        leads = _round_up(leads_needed * share, 10)
        p_cost = _round_up(leads * cpl, 500)
        cost += p_cost
        programs.append({"id": channel, "name": name, "channel": channel, "leads": leads, "cost": p_cost,
                         "stage": stage, "source": source, "quarters": ", ".join(map(str, quarters)),
                         "split": split})
    mqls_planned = sum(p["leads"] for p in programs) * r["lead_to_mql"]
    budget = _round_up(cost * 1.1, 1000)
    lag = lag_quarters(r["sales_cycle_days"])
    reps = max(2, math.ceil(deals * 4 / 24))  # about two deals a month per seller
    quota = _round_up(a.target / (reps * attainment), 1000)
    if segments:
        reps = sum(x["reps"] for x in segments)
    planned_opps = mqls_planned * r["mql_to_sql"] * r["sql_to_opportunity"] + other_opps
    max_opps = math.ceil(planned_opps / reps * 1.5)
    opening = _round_up(q_target * lag / r["win_rate"] * 1.1, 10_000)
    fy = a.calendar
    reviews = [{"date": working_day(q.last_day(fy) - dt.timedelta(days=8)),
                "agenda": "win-loss, lead-quality, content-feedback, next-quarter"} for q in quarters]
    # the first review after the horizon belongs to the quarter after it, dated like the others
    reviews.append({"date": working_day(quarters[-1].next().last_day(fy) - dt.timedelta(days=8)),
                    "agenda": "win-loss, lead-quality, next-quarter"})
    return {
        "company": a.company, "currency": a.currency, "fy_start": a.fy_start, "fy_named_by": a.fy_named_by,
        "other_share": _number(a.other_share),
        "start": quarters[0], "end": quarters[-1],
        "total_target": q_target * len(quarters),
        "total_mqls": _number(mqls_planned * len(quarters)),
        "agreed_on": quarters[0].first_day(fy) - dt.timedelta(days=14),
        "agreed": a.agreed,
        "reviews": reviews,
        "quarters": [{"quarter": q, "target": q_target, "budget": budget} for q in quarters],
        "opening_pipeline": opening, "max_opps": max_opps, "reps": reps, "quota": quota,
        "a": {**{k: _number(v) for k, v in r.items()}, "average_deal_size": _number(a.deal_size)},
        "programs": programs,
        "segments": segments,
        "segment_ids": ", ".join(x["id"] for x in segments) or "core",
    }


def _segments(a: Answers, q_target: float) -> list[dict]:
    """Each segment's part of the scaffold (docs/reference/plan-format.md, 'Segments'): its share
    of the target, its deal size, the leads its waterfall needs, its sellers and the split of
    the programs' leads (in proportion to those needs, two decimals, at least 0.01 each)."""

    out: list[dict[str, Any]] = []
    for sg in a.segments:
        deal = sg.deal_size or a.deal_size
        target = q_target * sg.share
        deals, other, leads = _waterfall(target, deal, a.other_share)
        reps = max(1, math.ceil(deals * 4 / 24))  # about two deals a month per seller
        quota = _round_up(q_target * 4 * sg.share / (reps * 0.9), 1000)
        out.append({"id": sg.id, "name": sg.id.replace("-", " ").capitalize(), "share": _number(sg.share),
                    "deal_size": _number(deal), "leads_needed": leads, "other_opps": other, "reps": reps,
                    "quota": quota})
    if any(round(sg.share, 4) != sg.share for sg in a.segments):  # 1/3: whole targets that add up exactly
        parts = [math.floor(q_target * sg.share) for sg in a.segments]
        parts[parts.index(max(parts))] += int(q_target) - sum(parts)
        for x, part in zip(out, parts):
            x["target"] = part
    for x, sg in zip(out, a.segments):
        x["share_text"] = f"{sg.share * 100:.4g}%"
    total = sum(x["leads_needed"] for x in out)
    for x in out:
        x["split"] = max(0.01, round(x["leads_needed"] / total, 2))
    largest = max(out, key=lambda x: x["split"])  # takes what rounding leaves, so the split adds up to 1
    largest["split"] = round(1 - sum(x["split"] for x in out if x is not largest), 2)
    return out


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 4)


def _yaml_scalar(value: object) -> str:
    """A string as a YAML scalar that reads back as exactly that string."""
    return json.dumps(str(value), ensure_ascii=False)


def _env() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(templates_dir() / "init")), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    env.filters["yq"] = _yaml_scalar
    return env


def render_files(a: Answers, single_file: bool) -> dict[str, str]:
    """File name -> text of the scaffold."""
    env = _env()
    data = design(a)
    parts = {name: env.get_template(f"{name}.yaml.j2").render(**data) for name in ("shared", "sales", "marketing")}
    if single_file:
        return {"gtmplan.yaml": MODELINE + "\n".join(parts[n] for n in ("shared", "sales", "marketing"))}
    return {"gtmplan.yaml": MODELINE + parts["shared"],
            "sales.yaml": MODELINE + parts["sales"],
            "marketing.yaml": MODELINE + parts["marketing"]}


def file_names(single_file: bool) -> list[str]:
    """What ``init`` writes into the plan directory."""
    return (["gtmplan.yaml"] if single_file else ["gtmplan.yaml", "sales.yaml", "marketing.yaml"]) + [SCHEMA_FILE]


def write_plan(a: Answers, directory: str, *, single_file: bool = False, force: bool = False) -> list[str]:
    files = render_files(a, single_file)
    return _write_all(directory, files, fragment=not single_file, force=force)


def check_targets(directory: str, names: list[str], *, force: bool) -> None:
    """Refuse, before anything is asked or written, when a file would be overwritten
    without --force or cannot be written at all (so no plan is ever half-written)."""
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise InputError.single(directory, "exists and is not a directory")
    targets = [root / name for name in names]
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise InputError([Problem(str(t), None, None, "already exists; nothing was written "
                                                      "(use --force to overwrite)") for t in existing])
    problems = [Problem(str(t), None, None, "is a directory, so it cannot be replaced by a file; nothing was written")
                for t in targets if t.is_dir() and not t.is_symlink()]
    for parent in sorted({t.parent for t in targets}):
        problem = _cannot_write_in(parent)
        if problem:
            problems.append(Problem(str(parent), None, None, f"{problem}; nothing was written"))
    if problems:
        raise InputError(problems)


def _cannot_write_in(directory: Path) -> Optional[str]:
    """Why files cannot be created in ``directory`` (or in the nearest existing
    ancestor it would be created under), tried with a real file; None if they can."""
    import tempfile

    here = directory
    while not here.exists() and not here.is_symlink() and here != here.parent:
        here = here.parent
    if not here.is_dir():
        return f"{str(here)!r} is not a directory"
    try:
        fd, probe = tempfile.mkstemp(dir=here, prefix=".gtmplan-init.", suffix=".tmp")
    except OSError as e:
        return f"cannot write in {str(here)!r}: {e.strerror or e}"
    os.close(fd)
    os.unlink(probe)
    return None


def _write_all(directory: str, given: Mapping[str, str | bytes], *, fragment: bool, force: bool) -> list[str]:
    from gtmplan.plan.schema import plan_schema

    files = {**given}
    files[SCHEMA_FILE] = json.dumps(plan_schema(fragment=fragment), indent=2) + "\n"
    check_targets(directory, list(files), force=force)
    root = Path(directory)
    targets = [root / name for name in files]
    try:
        for parent in sorted({t.parent for t in targets}):
            parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError.single(directory, f"cannot create directory: {e.strerror or e}") from None
    for target, text in zip(targets, files.values()):
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    return [str(t) for t in targets]


# -- shipped examples ---------------------------------------------------------------

def _examples() -> dict[str, Path]:
    root = examples_dir()
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and any(p.glob("*.yaml"))}


def list_examples() -> str:
    lines = []
    for name, path in _examples().items():
        first = (path / "gtmplan.yaml").read_text(encoding="utf-8").splitlines()
        about = next((l.lstrip("# ").strip() for l in first[1:4] if l.startswith("#")), "")
        lines.append(f"{name:<20} {about}")
    lines.append("\nCopy one with: gtmplan init --example NAME [DIR]")
    return "\n".join(lines) + "\n"


def copy_example(name: str, directory: str, *, force: bool = False) -> list[str]:
    examples = _examples()
    if name not in examples:
        raise InputError.single(None, f"--example: no example {name!r}; available: {', '.join(examples)}")
    src = examples[name]
    files: dict[str, str | bytes] = {p.name: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.yaml"))}
    fragment = len(files) > 1
    # everything else the README's tour uses (crm/ exports, recorded actuals/), so it works from a wheel
    # too; not the scripts that generated the samples
    files.update({p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*"))
                  if p.is_file() and p.parent != src and p.suffix in (".csv", ".yaml", ".yml")
                  and not any(part.startswith((".", "__")) for part in p.relative_to(src).parts)})
    return _write_all(directory, files, fragment=fragment, force=force)

