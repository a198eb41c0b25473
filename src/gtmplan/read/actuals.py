"""Recorded actuals (docs/reference/plan-format.md, "Actual results"): ``actuals/QUARTER.yaml``.

A plan directory may hold a folder ``actuals/`` (beside a single-file plan:
``actuals/`` next to it) with one file per past quarter, written by
``gtmplan review --record`` (:mod:`gtmplan.commands.record`) or by hand. They are part of
the plan: read with it by :func:`gtmplan.read.loader.load_plan`, through the same YAML
reader and model validation (every problem ``FILE:LINE:COLUMN``), not merged into
it. This module reads them (their model is :mod:`gtmplan.plan.actuals_model`, validated
through :mod:`gtmplan.plan.compiled`, no pydantic import) and pools them the
way docs/reference/rules.md (E701) says: the most recent ``check.evidence_quarters`` recorded
quarters, a rate as ``k = sum(round(actual * n))`` successes in ``n = sum(n)`` trials.
"""

from __future__ import annotations

import functools
import math
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import yaml

from gtmplan.engine.stats import wilson
from gtmplan.errors import InputError, Problem
from gtmplan.output.fmt import day
from gtmplan.plan.quarters import Quarter
from gtmplan.plan.sourcemap import PathT, SourceMap
from gtmplan.plan.validation import load_model
from gtmplan.read import yamlsource  # its limits are read when used, as tests set them
from gtmplan.read.yamlsource import check_link, compose, read_text, to_python, too_many_files

if TYPE_CHECKING:  # pydantic is not imported at run time: actuals are compiled records
    from gtmplan.plan.actuals_model import Actuals, MeasuredRate, ProgramActual, SegmentActuals
    from gtmplan.plan.model import Plan

ACTUALS_DIR = "actuals"
RATE_KEYS = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate")
MIN_RATE_N = 30
"""E701: a pooled rate contradicts a stated one only when measured on at least this many rows."""
MIN_WON_DEALS = 10
"""E701: a pooled deal size contradicts a stated one only with at least this many won deals."""
RATE_UNITS = {"lead_to_mql": "leads", "mql_to_sql": "MQLs", "sql_to_opportunity": "SQLs",
              "win_rate": "closed deals"}
"""What a rate's ``n`` counts, in people's words."""
_NAME_RE = re.compile(r"([0-9]{4}Q[1-4])\.ya?ml")


# -- reading --------------------------------------------------------------------------

@dataclass
class RecordedQuarter:
    actuals: Actuals
    file: str  # display name
    source: SourceMap  # where each of its values was written

    @property
    def quarter(self) -> Quarter:
        return self.actuals.quarter

    def part(self, segment: Optional[str] = None) -> Actuals | SegmentActuals | None:
        """The company's figures (``metrics``, ``rates``), or those of ``segment`` (None when
        the quarter recorded none for it)."""
        if segment is None:
            return self.actuals
        return (self.actuals.segments or {}).get(segment)

    def rate(self, key: str, segment: Optional[str] = None) -> Optional[MeasuredRate]:
        part = self.part(segment)
        return getattr(part.rates, key) if part is not None and part.rates else None

    def segments(self) -> tuple[str, ...]:
        """The segments this quarter recorded figures for."""
        return tuple(self.actuals.segments or ())

    def program(self, pid: str) -> Optional[tuple[int, ProgramActual]]:
        for i, p in enumerate(self.actuals.programs or []):
            if p.id == pid:
                return i, p
        return None


def actuals_dir(target: str) -> str:
    """Where PLAN's actuals live: ``PLAN/actuals`` for a directory, else ``actuals`` beside the file."""
    p = Path(target)
    if p.is_dir():
        return os.path.join(target, ACTUALS_DIR)
    return os.path.join(os.path.dirname(target), ACTUALS_DIR)


def actual_files(target: str) -> list[tuple[str, Callable[[], str]]]:
    """(display name, text reader) of each file in PLAN's ``actuals/`` (none when there is no folder).

    Every ``.yaml``/``.yml`` entry is listed, a directory or a FIFO too: reading it then
    reports what it is, located, rather than a quarter silently left out."""
    d = actuals_dir(target)
    if not os.path.isdir(d):
        return []
    # 2026Q1.YAML too: listed, so that it is named (with the fix), not silently left out
    names = sorted(n for n in os.listdir(d) if n.lower().endswith((".yaml", ".yml")) and not n.startswith("."))
    if len(names) > yamlsource.MAX_FILES:
        raise too_many_files(d, len(names))
    home = Path(d).parent  # the plan's directory (the one holding a single-file plan)
    return [(os.path.join(d, n), functools.partial(_read, Path(d) / n, os.path.join(d, n), home))
            for n in names]


def _read(path: Path, display: str, home: Path | None = None) -> str:
    if home is not None:
        check_link(path, home, display)

    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise InputError.single(display, f"cannot be read: {e.strerror or e}") from None
    if stat.S_ISDIR(mode):
        raise InputError.single(display, "is a directory, not an actuals file: move it out of actuals/")
    if not stat.S_ISREG(mode):
        raise InputError.single(display, "is not a regular file (a pipe or a device?): "
                                         "an actuals file is a YAML file")
    return read_text(path, display)


def read_actuals(files: list[tuple[str, Callable[[], str]]], plan: Optional[Plan] = None) -> list[RecordedQuarter]:
    """Each actuals file validated like a plan file; every problem of every file located.
    With the plan, each quarter is also checked against it (:func:`_against_plan`)."""
    problems: list[Problem] = []
    out: list[RecordedQuarter] = []
    seen: dict[Quarter, str] = {}
    for display, read in files:
        name = os.path.basename(display)
        m = _NAME_RE.fullmatch(name)
        if not m:
            upper = name.upper().replace(".YML", ".yaml").replace(".YAML", ".yaml")
            hint = (f": rename it {upper}" if _NAME_RE.fullmatch(upper)
                    else "; keep notes elsewhere (a file in actuals/ is a recorded quarter)")
            problems.append(Problem(display, 1, 1, "an actuals file is named after its quarter, "
                                                   f"e.g. actuals/2027Q2.yaml{hint}"))
            continue
        try:
            text = read()
            root = compose(text, display)
            if not isinstance(root, yaml.MappingNode):
                mk = root.start_mark
                problems.append(Problem(display, mk.line + 1, mk.column + 1,
                                        "an actuals file is a mapping of keys (quarter:, metrics:, ...)"))
                continue
            data = to_python(root, display)
        except InputError as e:
            problems.extend(e.problems)
            continue
        source = SourceMap()
        source.add_file(display, text, root)
        try:
            actuals = load_model(data, source, "Actuals", what="actuals file")  # compiled: no pydantic
        except InputError as e:
            problems.extend(e.problems)
            continue
        file_problems = _integrity(actuals, m.group(1), source, display)
        if plan is not None and not file_problems:
            file_problems = _against_plan(actuals, plan, source)
        if file_problems:
            problems.extend(file_problems)
            continue
        q = actuals.quarter
        if q in seen:
            problems.append(Problem(display, 1, 1, f"{q} is also recorded in {seen[q]}: one file per quarter"))
            continue
        seen[q] = display
        out.append(RecordedQuarter(actuals, display, source))
    if problems:
        raise InputError(problems)
    return sorted(out, key=lambda r: r.quarter)


def _integrity(a: Actuals, named: str, source: SourceMap, display: str) -> list[Problem]:
    problems: list[Problem] = []

    def at(path: PathT, message: str) -> None:
        loc = source.locate(path)
        problems.append(Problem(loc.file, loc.line, loc.column, message))

    if str(a.quarter) != named:
        at(("quarter",), f"quarter: {a.quarter} does not match the file name ({named}): "
                         f"rename the file to {a.quarter}.yaml or correct the quarter")
    ids: dict[str, int] = {}
    for i, p in enumerate(a.programs or []):
        if p.id in ids:
            at(("programs", i, "id"), f"programs[{i}].id: {p.id!r} is listed twice (first as programs[{ids[p.id]}])")
        ids.setdefault(p.id, i)
    scopes = [((), "", a)] + [(("segments", sid), f"segments.{sid}.", seg) for sid, seg in (a.segments or {}).items()]
    for base, label, part in scopes:
        r = part.rates.win_rate if part.rates else None
        won, lost = part.metrics.won, part.metrics.lost
        if r is not None and won is not None and lost is not None and r.n != won + lost:
            at((*base, "rates", "win_rate", "n"), f"{label}rates.win_rate.n: {r.n} closed deals, but {label}metrics "
                                                  f"say {won} won + {lost} lost = {won + lost}")
        elif r is not None and won is not None and math.floor(r.actual * r.n + 0.5) != won:
            k = math.floor(r.actual * r.n + 0.5)
            at((*base, "rates", "win_rate", "actual"),
               f"{label}rates.win_rate.actual: {r.actual:.10g} of {r.n:,} closed deals is {k:,} won, but "
               f"{label}metrics say won: {won:,} (write actual: {_fraction(won, r.n)}, or correct won)")
    return problems


def _against_plan(a: Actuals, plan: Plan, source: SourceMap) -> list[Problem]:
    """What the plan's horizon and calendar say about a recorded quarter (no clock involved:
    a plan reads the same whatever the day): it lies before the horizon or inside it, and
    its figures were not taken before it ended."""
    problems: list[Problem] = []

    def at(path: PathT, message: str) -> None:
        loc = source.locate(path)
        problems.append(Problem(loc.file, loc.line, loc.column, message))

    h = plan.horizon
    if a.quarter > h.end:
        at(("quarter",), f"quarter: {a.quarter} is after the plan's horizon ({h.start}–{h.end}): a recorded "
                         f"quarter lies before the horizon or inside it (a typo in the year? or extend the horizon)")
    if a.segments:
        listed = [seg.id for seg in (plan.sales.segments or [])]
        for sid in a.segments:
            if sid in listed:
                continue
            loc = source.locate_key(("segments", sid))
            if listed:
                why = f"the plan's sales.segments are {', '.join(repr(x) for x in listed)}"
            else:
                why = "the plan has no sales.segments"
            problems.append(Problem(loc.file, loc.line, loc.column,
                                    f"segments: {sid!r} is not a segment of the plan ({why}): correct the id, or "
                                    "add the segment to sales.segments"))
    end = a.quarter.last_day(plan.calendar)
    if a.recorded_on is not None and a.recorded_on <= end:
        at(("recorded_on",), f"recorded_on: {a.recorded_on.isoformat()} is before {a.quarter} ended "
                             f"({day(end)}): its figures are partial; record the quarter once it has ended")
    return problems


def _fraction(k: int, n: int) -> str:
    digits = max(4, len(str(n)) + 1)
    return f"{k / n:.{digits}f}".rstrip("0").rstrip(".") if k else "0"


# -- pooling --------------------------------------------------------------------------

@dataclass(frozen=True)
class PooledRate:
    key: str
    k: int
    n: int
    quarters: tuple[Quarter, ...]
    low: float
    high: float
    window: tuple[Quarter, ...] = ()
    """The recorded quarters looked at (``quarters`` are those of them that measured the rate)."""

    @property
    def actual(self) -> float:
        return self.k / self.n

    @property
    def enough(self) -> bool:
        """As much evidence as E701 asks for before it calls a stated value contradicted."""
        return self.n >= MIN_RATE_N

    def contradicts(self, stated: Optional[float]) -> bool:
        return stated is not None and self.enough and not self.low <= stated <= self.high


@dataclass(frozen=True)
class PooledDealSize:
    bookings: float
    won: int
    quarters: tuple[Quarter, ...]
    window: tuple[Quarter, ...] = ()

    @property
    def actual(self) -> float:
        return self.bookings / self.won

    @property
    def enough(self) -> bool:
        return self.won >= MIN_WON_DEALS


@dataclass
class TrackRecord:
    """The recorded quarters of a plan, oldest first."""

    quarters: list[RecordedQuarter] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.quarters)

    def latest(self, count: int) -> list[RecordedQuarter]:
        """The ``count`` most recent recorded quarters, oldest first."""
        return self.quarters[-count:] if count > 0 else []

    def segments(self) -> tuple[str, ...]:
        """The segments any recorded quarter has figures for (first seen first)."""
        return tuple(dict.fromkeys(s for rq in self.quarters for s in rq.segments()))

    def pooled_rate(self, key: str, count: int, segment: Optional[str] = None) -> Optional[PooledRate]:
        """The rate over the last ``count`` recorded quarters (those of them that measured it);
        with ``segment``, that segment's recorded rates (docs/reference/plan-format.md, 'Actuals by segment')."""
        k = n = 0
        used = []
        for rq in self.latest(count):
            r = rq.rate(key, segment)
            if r is None:
                continue
            k += math.floor(r.actual * r.n + 0.5)  # round(actual * n), halves up as people round
            n += r.n
            used.append(rq.quarter)
        if n == 0:
            return None
        low, high = wilson(k, n)
        return PooledRate(key, k, n, tuple(used), low, high, tuple(rq.quarter for rq in self.latest(count)))

    def pooled_deal_size(self, count: int, segment: Optional[str] = None) -> Optional[PooledDealSize]:
        """``sum(bookings) / sum(won)`` over the last ``count`` recorded quarters that have both
        (with ``segment``, that segment's bookings and won deals)."""
        bookings = 0.0
        won = 0
        used = []
        for rq in self.latest(count):
            part = rq.part(segment)
            if part is None:
                continue
            m = part.metrics
            if m.bookings is None or m.won is None:
                continue
            bookings += m.bookings
            won += m.won
            used.append(rq.quarter)
        if won == 0:
            return None
        return PooledDealSize(bookings, won, tuple(used), tuple(rq.quarter for rq in self.latest(count)))


def quarters_phrase(quarters: Iterable[Quarter | str],
                    window: Optional[Iterable[Quarter | str]] = None) -> str:
    """Exactly the quarters pooled: 'the last recorded quarter (2026Q4)', 'the last 3 recorded
    quarters (2026Q2, 2026Q3, 2026Q4)', or, when some of the ``window`` looked at did not
    measure it, '3 of the last 4 recorded quarters (2026Q2, 2026Q3, 2026Q4; not measured in 2027Q1)'."""
    pooled = [str(q) for q in quarters]
    listed = ", ".join(pooled)
    looked = [str(q) for q in window] if window else pooled
    if looked[-len(pooled):] == pooled and len(looked) == len(pooled):
        if len(pooled) == 1:
            return f"the last recorded quarter ({listed})"
        return f"the last {len(pooled)} recorded quarters ({listed})"
    missing = ", ".join(q for q in looked if q not in pooled)
    last = "the last recorded quarter" if len(looked) == 1 else f"the last {len(looked)} recorded quarters"
    return f"{len(pooled)} of {last} ({listed}; not measured in {missing})"
