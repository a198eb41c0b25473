"""``gtmplan init``: a plan a first-time user can fill in, or a copy of a shipped example.

The scaffold's numbers are derived from a handful of answers (yearly target,
deal size, ...) through the same funnel math ``gtmplan check`` uses, so a fresh
plan passes ``check``: targets, team, budget and programs agree with each other.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import InputError, Problem
from .fsutil import write_atomic
from .quarters import FiscalCalendar, Quarter
from .resources import examples_dir, templates_dir

MODELINE = "# yaml-language-server: $schema=gtmplan.schema.json\n"
SCHEMA_FILE = "gtmplan.schema.json"

ASSUMPTIONS = {"lead_to_mql": 0.25, "mql_to_sql": 0.30, "sql_to_opportunity": 0.50, "win_rate": 0.25,
               "sales_cycle_days": 60, "cost_per_lead": 50}
# channel, name, share of leads, cost per lead, stage, CRM source value
PROGRAMS = (("webinars", "Monthly webinars", 0.40, 40, "consideration", "Webinar"),
            ("seo", "Search-optimised guides", 0.30, 30, "awareness", "Organic Search"),
            ("paid-search", "Paid search", 0.30, 80, "consideration", "Paid Search"))
MARGIN = 1.15  # programs plan 15% more MQLs than the targets need


@dataclass(frozen=True)
class Answers:
    company: str = "Example Co"
    currency: str = "USD"
    start: Quarter = Quarter(2027, 1)
    quarters: int = 4
    fy_start: int = 1
    target: float = 1_200_000
    deal_size: float = 20_000
    fy_named_by: str = "start"  # or "end": fiscal year N ends in calendar year N
    other_share: float = 0.0  # share of opportunities sales sources itself (outbound, partners, customers)

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fy_start, self.fy_named_by)

    @classmethod
    def from_flags(cls, *, company=None, currency=None, start=None, quarters=None, fy_start=None,
                   target=None, deal_size=None, fy_named_by=None, other_share=None,
                   today: Optional[dt.date] = None) -> Answers:
        problems: list[str] = []
        fy = cls.fy_start if fy_start is None else fy_start
        if not 1 <= fy <= 12:
            problems.append(f"--fiscal-year-start-month: {fy} is not a month (1-12)")
            fy = 1
        named = (cls.fy_named_by if fy_named_by is None else fy_named_by).strip().lower()
        if named not in ("start", "end"):
            problems.append(f"--fiscal-year-named-by: {fy_named_by!r} is neither start nor end")
            named = cls.fy_named_by
        other = cls.other_share if other_share is None else other_share
        if not (0 <= other < 1):
            problems.append(f"--other-pipeline: {other:g} is not a share from 0 to below 1 (write 30% as 0.3)")
            other = 0.0
        first = Quarter.of(today or dt.date.today(), FiscalCalendar(fy, named)) + 1
        if start is not None:
            try:
                first = Quarter.parse(start.strip().upper())
            except ValueError as e:
                problems.append(f"--start: {e}")
        cur = (currency or cls.currency).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", cur):
            problems.append(f"--currency: {currency!r} is not a three-letter ISO 4217 code such as USD")
        n = cls.quarters if quarters is None else quarters
        if not 1 <= n <= 12:
            problems.append(f"--quarters: {n} is out of range (1-12)")
        tgt = cls.target if target is None else target
        if not (tgt > 0 and math.isfinite(tgt)):
            problems.append(f"--target: {tgt:g} must be a positive amount")
        size = cls.deal_size if deal_size is None else deal_size
        if not (size > 0 and math.isfinite(size)):
            problems.append(f"--deal-size: {size:g} must be a positive amount")
        name = cls.company if company is None else company.strip()
        if not name:
            problems.append("--company: must not be empty")
        if problems:
            raise InputError([Problem(None, None, None, p) for p in problems])
        return cls(name, cur, first, n, fy, float(tgt), float(size), named, float(other))


def ask(defaults: Answers) -> Answers:
    """Ask on a terminal, each question with the flag's (or default) value."""
    import typer

    company = typer.prompt("Company name", default=defaults.company)
    currency = typer.prompt("Currency (ISO 4217)", default=defaults.currency)
    fy_start = typer.prompt("Fiscal year start month (1-12)", default=defaults.fy_start, type=int)
    fy_named_by = defaults.fy_named_by
    if fy_start != 1:
        fy_named_by = typer.prompt("Are fiscal years named by the calendar year they start or end in? (start/end)",
                                   default=defaults.fy_named_by)
    start = typer.prompt("First quarter of the plan", default=str(defaults.start))
    quarters = typer.prompt("Number of quarters", default=defaults.quarters, type=int)
    target = typer.prompt("New bookings target for a year", default=int(defaults.target), type=float)
    deal_size = typer.prompt("Average deal size", default=int(defaults.deal_size), type=float)
    other_share = defaults.other_share
    if typer.confirm("Does sales source pipeline itself (outbound, partners, existing customers)?",
                     default=other_share > 0):
        other_share = typer.prompt("Share of opportunities sales sources itself (0.3 = 30%)",
                                   default=other_share or 0.3, type=float)
    else:
        other_share = 0.0
    return Answers.from_flags(company=company, currency=currency, start=start, quarters=quarters,
                              fy_start=fy_start, target=target, deal_size=deal_size,
                              fy_named_by=fy_named_by, other_share=other_share)


def _round_up(x: float, step: int) -> int:
    return int(math.ceil(round(x, 6) / step) * step)


def design(a: Answers) -> dict:
    """The scaffold's numbers, consistent by construction (see module docstring)."""
    from .funnel import lag_quarters

    quarters = [a.start + i for i in range(a.quarters)]
    q_target = _round_up(a.target / 4, 1000)
    r = ASSUMPTIONS
    deals = q_target / a.deal_size
    opps = deals / r["win_rate"]
    other_opps = opps * a.other_share  # sales.other_pipeline: marketing is asked only for the rest
    mqls_needed = (opps - other_opps) / r["sql_to_opportunity"] / r["mql_to_sql"]
    leads_needed = mqls_needed / r["lead_to_mql"] * MARGIN
    programs = []
    cost = 0
    for channel, name, share, cpl, stage, source in PROGRAMS:
        leads = _round_up(leads_needed * share, 10)
        p_cost = _round_up(leads * cpl, 500)
        cost += p_cost
        programs.append({"id": channel, "name": name, "channel": channel, "leads": leads, "cost": p_cost,
                         "stage": stage, "source": source, "quarters": ", ".join(map(str, quarters))})
    mqls_planned = sum(p["leads"] for p in programs) * r["lead_to_mql"]
    budget = _round_up(cost * 1.1, 1000)
    lag = lag_quarters(r["sales_cycle_days"])
    attainment = 0.9
    reps = max(2, math.ceil(deals * 4 / 24))  # about two deals a month per seller
    quota = _round_up(a.target / (reps * attainment), 1000)
    planned_opps = mqls_planned * r["mql_to_sql"] * r["sql_to_opportunity"] + other_opps
    max_opps = math.ceil(planned_opps / reps * 1.5)
    opening = _round_up(q_target * lag / r["win_rate"] * 1.1, 10_000)
    fy = a.calendar
    reviews = [{"date": q.last_day(fy) - dt.timedelta(days=8),
                "agenda": "win-loss, lead-quality, content-feedback, next-quarter"} for q in quarters]
    reviews.append({"date": quarters[-1].next().first_day(fy) + dt.timedelta(days=20),
                    "agenda": "win-loss, lead-quality, next-quarter"})
    return {
        "company": a.company, "currency": a.currency, "fy_start": a.fy_start, "fy_named_by": a.fy_named_by,
        "other_share": _number(a.other_share),
        "start": quarters[0], "end": quarters[-1],
        "total_target": q_target * len(quarters),
        "total_mqls": _number(mqls_planned * len(quarters)),
        "agreed_on": quarters[0].first_day(fy) - dt.timedelta(days=14),
        "reviews": reviews,
        "quarters": [{"quarter": q, "target": q_target, "budget": budget} for q in quarters],
        "opening_pipeline": opening, "max_opps": max_opps, "reps": reps, "quota": quota,
        "a": {**{k: _number(v) for k, v in r.items()}, "average_deal_size": _number(a.deal_size)},
        "programs": programs,
    }


def _number(x: float):
    return int(x) if float(x).is_integer() else round(x, 4)


def _yaml_scalar(value) -> str:
    """A string as a YAML scalar that reads back as exactly that string."""
    return json.dumps(str(value), ensure_ascii=False)


def _env():
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


def write_plan(a: Answers, directory: str, *, single_file: bool = False, force: bool = False) -> list[str]:
    files = render_files(a, single_file)
    return _write_all(directory, files, fragment=not single_file, force=force)


def _write_all(directory: str, files: dict[str, str], *, fragment: bool, force: bool) -> list[str]:
    from .schema import plan_schema

    files = dict(files)
    files[SCHEMA_FILE] = json.dumps(plan_schema(fragment=fragment), indent=2) + "\n"
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise InputError.single(directory, "exists and is not a directory")
    targets = [root / name for name in files]
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise InputError([Problem(str(t), None, None, "already exists; nothing was written "
                                                      "(use --force to overwrite)") for t in existing])
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError.single(directory, f"cannot create directory: {e.strerror or e}") from None
    for target, text in zip(targets, files.values()):
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
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.yaml"))}
    return _write_all(directory, files, fragment=len(files) > 1, force=force)

