"""``gtmplan review``: a quarter's plan against what happened, from CRM exports.

Path: exports -> :mod:`csvread` (bytes, encoding, delimiter, rows) ->
:mod:`columns` (which export, which column) -> :mod:`figures` (one streaming pass,
counters only; :mod:`columnar` reads in blocks of columns what it can prove it reads
the same way) -> :func:`figures_of` (plan vs actual, rates with their
Wilson intervals: a :class:`ReviewResult`) -> :mod:`suggest` -> :mod:`report`.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, TypeVar, Union

import yaml

from gtmplan.commands.review import columnar as read_columnar
from gtmplan.commands.review.columnar import read_deals as read_columnar_deals
from gtmplan.commands.review.columnar import read_leads as read_columnar_leads
from gtmplan.commands.review.columns import EMPLOYEES_COLUMNS, Layout, Mapping, _norm, load_mapping, recognise
from gtmplan.commands.review.csvread import CsvFile, open_csv
from gtmplan.commands.review.figures import (
    OTHER_SOURCES,
    PSEUDO_SEGMENTS,
    SEGMENT_LEAD_FIELDS,
    BadRows,
    DealCounts,
    FileInfo,
    LeadCounts,
    LeadScan,
    SegmentDeals,
    Segmenter,
    coverage,
    scan_deals,
    stage_note,
    stage_problem,
)
from gtmplan.commands.review.result import (
    METRICS,
    RATES,
    BadRow,
    InputFile,
    LossReason,
    Metric,
    ProgramRow,
    Rate,
    ReviewResult,
    SegmentResult,
    SourceRow,
    is_weak,
)
from gtmplan.commands.review.suggest import suggestions
from gtmplan.commands.review.values import check_date_format
from gtmplan.engine.funnel import Funnel, compute, planned_opportunities, program_leads, program_split, stated
from gtmplan.engine.stats import fits, wilson
from gtmplan.errors import InputError, Problem
from gtmplan.output.fmt import plural
from gtmplan.plan.loaded import LoadedPlan
from gtmplan.plan.quarters import Quarter
from gtmplan.read.yamlsource import compose, read_text, to_python

if TYPE_CHECKING:  # the model module imports pydantic: plans may be compiled records
    from gtmplan.plan.model import Plan, Program

__all__ = ["run_review", "ReviewResult", "figures_of"]

RowT = TypeVar("RowT")
# what reading one export gives: its counts, its notes, its unreadable rows
LeadsPart = tuple[LeadCounts, list[str], BadRows]
DealsPart = tuple[DealCounts, list[str], BadRows]

# the --quarter error of a review without --record, for a quarter outside the plan's horizon
REVIEW_OUTSIDE = "; to review a quarter outside it (and keep it in the track record), add --record"


def run_review(loaded: LoadedPlan, quarter: Quarter, leads: Optional[str], deals: Optional[str],
               mapping: Optional[str] = None, date_formats: Sequence[str] | str | None = (),
               progress: bool = False, encoding: Optional[str] = None, fx: Optional[str] = None) -> ReviewResult:
    """``gtmplan review``: read the exports (by columns where that reads them the same way), then
    compare the quarter's figures with the plan."""
    formats = _date_formats(date_formats, leads, deals)
    mp = load_mapping(mapping) if mapping else None
    if mp and mp.date_format:
        why = check_date_format(mp.date_format)
        if why:
            raise InputError.single(mapping, f"date_format {mp.date_format!r}: {why}")
        formats += (mp.date_format,)
    plan = loaded.plan
    reading = _Reading(plan, quarter, mp, formats, encoding, load_fx(fx, plan.currency) if fx else None)
    lead_part: Optional[LeadsPart] = None
    deal_part: Optional[DealsPart] = None
    if leads is not None and deals is not None and _at_once(leads, deals, progress):
        lead_part, deal_part = reading.both(leads, deals)
    else:
        if leads is not None:
            lead_part = reading.leads(leads, progress)
        if deals is not None:
            deal_part = reading.deals(deals, progress)
    parts = [part for part in (lead_part, deal_part) if part is not None]
    bad = BadRows()
    for part in parts:
        bad.merge(part[2])
    result = figures_of(loaded, quarter, lead_part[0] if lead_part else None, deal_part[0] if deal_part else None,
                        bad, [n for part in parts for n in part[1]])
    result.streamed = reading.streamed
    result.opened = reading.opened
    return result


def _at_once(leads: str, deals: str, progress: bool) -> bool:
    """Whether the two exports are read at the same time (the deals on a thread of their own): two
    regular files, one of them big enough for the columnar reader, no progress bar on a terminal.
    Each is read as alone, and what the review reports does not depend on it (an error of the leads
    export still comes first); shape (b), 1M leads + 200k deals: about a quarter less wall time."""
    if (progress and sys.stderr.isatty()) or read_columnar.reader_choice() == "rows":
        return False
    sizes = []
    for path in (leads, deals):
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return False  # (the reading says what is wrong with it)
        if not stat.S_ISREG(st.st_mode):
            return False
        sizes.append(st.st_size)
    return max(sizes) >= read_columnar.COLUMNAR_MIN_BYTES


def _date_formats(date_formats: Sequence[str] | str | None, leads: Optional[str],
                  deals: Optional[str]) -> tuple[str, ...]:
    """The --date-format flags, checked with --leads and --deals (exit 2 naming each problem)."""
    if isinstance(date_formats, str):
        date_formats = (date_formats,)
    formats = tuple(date_formats or ())
    problems = [Problem("--date-format", None, None, f"{fmt!r}: {why}")
                for fmt in formats if (why := check_date_format(fmt))]
    if leads is None and deals is None:
        problems.append(Problem(None, None, None, "give --leads FILE, --deals FILE or both"))
    if leads == "-" and deals == "-":  # the second would find standard input already read ("file is empty")
        problems.append(Problem("--deals", None, None, "standard input (-) is already --leads: one export can "
                                                       "come from standard input, give the other as a file"))
    if problems:
        raise InputError(problems)
    return formats


class _Reading:
    """How one review reads its exports, and what --record needs of each export read: a pipe's
    SHA-256 and records (``streamed``: a pipe is read once), a regular file's identity (``opened``)."""

    def __init__(self, plan: Plan, quarter: Quarter, mp: Optional[Mapping], formats: tuple[str, ...],
                 encoding: Optional[str], rates: Optional[dict[str, float]]) -> None:
        self.plan, self.quarter, self.mp, self.formats, self.encoding, self.rates = (
            plan, quarter, mp, formats, encoding, rates)
        fy = plan.calendar
        self.lo, self.hi = quarter.first_day(fy).isoformat(), quarter.last_day(fy).isoformat()
        self.claimed = frozenset(s.strip().casefold() for p in plan.marketing.programs for s in (p.crm_sources or []))
        self.streamed: dict[str, tuple[str, int]] = {}
        self.opened: dict[str, tuple[int, int, int, int]] = {}  # regular files: their identity when read

    def _read(self, path: str, f: CsvFile, info: FileInfo, bad: BadRows) -> None:
        """What --record needs of an export read, and exit 2 when it has nothing for the quarter."""
        info.encoding, info.delimiter = f.encoding, f.delimiter
        if f.digest is not None:
            self.streamed[path] = (f.digest.hexdigest(), info.records)
        if f.identity is not None:
            self.opened[path] = f.identity
        _usable(info, path, self.quarter, self.lo, self.hi, bad)

    def both(self, leads: str, deals: str) -> tuple[LeadsPart, DealsPart]:
        """The leads' part and the deals' part, the deals read on a thread while the leads are read
        here; as if read one after the other: the leads' error first, ``opened`` in that order."""
        read_columnar.prepare()  # (pyarrow's process-wide settings, before two readers use it)
        got: list[Union[DealsPart, BaseException]] = []

        def read_deals() -> None:
            try:
                got.append(self.deals(deals, False))
            except BaseException as e:  # noqa: BLE001 - raised in the caller, after the leads' own error
                got.append(e)

        thread = threading.Thread(target=read_deals, name="gtmplan-deals", daemon=True)
        thread.start()
        try:
            lead_part = self.leads(leads, False)
        finally:
            thread.join()
        self.opened = {p: self.opened[p] for p in dict.fromkeys((leads, deals)) if p in self.opened}
        deal_part = got[0]
        if isinstance(deal_part, BaseException):
            raise deal_part
        return lead_part, deal_part

    def deals(self, path: str, show: bool) -> DealsPart:
        mp, bad = self.mp, BadRows()
        f = open_csv(path, encoding=self.encoding)
        layout = recognise(f.header, "deals", path, mp.deals if mp and mp.deals else None,
                           mp.deal_stages if mp else None)
        segmenter, note = segmenter_for(self.plan, layout, f.header, path, mp.deal_segment if mp else None, mp)
        try:
            dc = scan_deals(_progress(f.rows, f.size, path) if show else f.rows, f.header, layout, path,
                            self.formats, self.lo, self.hi, bad, self.plan.currency, self.rates, f.delimiter,
                            segmenter, lambda scan: read_columnar_deals(f, path, path, scan))
        except csv.Error as e:
            raise f.failed(e) from None
        self._read(path, f, dc.info, bad)
        why = stage_problem(dc, str(self.quarter))
        if why:
            raise InputError.single(path, why)
        return dc, f.notes + layout.missing_notes(path) + ([note] if note else []), bad

    def leads(self, path: str, show: bool) -> LeadsPart:
        """The leads' part: read by columns when the columnar reader can (review/columnar.py), else row by row."""
        mp = self.mp
        f = open_csv(path, encoding=self.encoding)
        layout = recognise(f.header, "leads", path, mp.leads if mp and mp.leads else None)
        segmenter, note = segmenter_for(self.plan, layout, f.header, path, mp.lead_segment if mp else None, mp)
        scan = LeadScan(f.header, layout, path, self.formats, self.lo, self.hi, BadRows(), self.claimed, segmenter)
        try:
            if not read_columnar_leads(f, path, path, scan):
                scan.read(_progress(f.rows, f.size, path) if show else f.rows)
        except csv.Error as e:
            raise f.failed(e) from None
        lc = scan.finish()
        self._read(path, f, lc.info, scan.bad)
        return lc, f.notes + layout.missing_notes(path) + ([note] if note else []), scan.bad


def segmenter_for(plan: Plan, layout: Layout, header: list[str], path: str, column: Optional[str],
                  mp: Optional[Mapping]) -> tuple[Optional[Segmenter], Optional[str]]:
    """(how a row of this export tells its segment, or None; a note when the plan has segments and
    the export cannot be split by them). docs/reference/cli.md, 'Segments in every command' and
    'Resolutions (0.3)': a segment column (named Segment, or mapped), else a company-size column
    placed in the ICP segments' employees ranges when those do not overlap."""
    if not getattr(plan.sales, "segments", None):
        return None, None
    ids = [seg.id for seg in plan.sales.segments or []]
    base = PurePath(path).name
    if mp is not None:
        _check_mapped_segments(mp, ids)
    index = dict(layout.index)
    if column is not None:  # a mapping file's segment: alone, for a recognised export
        positions = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
        if _norm(column) not in positions:
            raise InputError.single(path, f"no column {column!r}, which --mapping names as the segment column",
                                    1, 1)
        index["segment"] = positions[_norm(column)]
    icp = {seg.id: seg for seg in (plan.icp.segments or [])}
    if "segment" in index:
        i = index["segment"]
        return Segmenter(i, header[i].strip()[:80], False, names=_segment_names(ids, icp, mp)), None
    if "employees" not in index:
        return None, (f"{base} has no segment column (one named Segment, or segment: in --mapping) and no "
                      f"company-size column ({', '.join(repr(c) for c in EMPLOYEES_COLUMNS[:5])}): its figures "
                      "per segment are left out (null)")
    return _size_segmenter(ids, icp, index["employees"], header, base)


def _check_mapped_segments(mp: Mapping, ids: list[str]) -> None:
    """A mapping file's ``segments:`` names only the plan's segments (exit 2 at the first that is not)."""
    wrong = [sid for sid in mp.segment_ids if sid not in ids]
    if wrong:
        line, col = mp.segment_ids[wrong[0]]
        raise InputError.single(mp.path, f"segments: {wrong[0]!r} is not a segment of the plan (its "
                                          f"sales.segments are {', '.join(repr(x) for x in ids)})", line, col)


def _segment_names(ids: list[str], icp: dict[str, Any], mp: Optional[Mapping]) -> dict[str, str]:
    """The values of a segment column that name each segment, casefolded: its id, its ICP name, and
    those a mapping file lists."""
    names: dict[str, str] = {}
    for sid in ids:
        names[sid.casefold()] = sid
        name = getattr(icp.get(sid), "name", None)
        if name:
            names.setdefault(" ".join(name.split()).casefold(), sid)
    names.update(mp.segment_values if mp is not None else {})
    return names


def _size_segmenter(ids: list[str], icp: dict[str, Any], i: int, header: list[str],
                    base: str) -> tuple[Optional[Segmenter], Optional[str]]:
    """Rows placed in a segment by the company's size (column ``i``) when the ICP segments' employee
    ranges do not overlap; else a note saying why the export is not split."""
    ranges = []
    for sid in ids:
        e = getattr(icp.get(sid), "employees", None)
        lo = (e.min if e is not None and e.min is not None else 0)
        hi = e.max if e is not None else None
        ranges.append((lo, hi, sid))
    ranges.sort(key=lambda r: r[0])
    for (lo1, hi1, a), (lo2, _, b) in zip(ranges, ranges[1:]):
        if hi1 is None or lo2 <= hi1:
            def shown(r: tuple[int, Optional[int], str]) -> str:
                return f"{r[2]} {r[0]:,}–{r[1]:,}" if r[1] is not None else f"{r[2]} {r[0]:,} and more"
            return None, (f"{base}: its rows are not split by segment: the ICP segments' employee ranges overlap "
                          f"({shown((lo1, hi1, a))}; {shown(next(r for r in ranges if r[2] == b))}), so a "
                          "company's size does not tell its segment; its figures per segment are null (give a "
                          "Segment column, or map one with --mapping)")
    return Segmenter(i, header[i].strip()[:80], True, ranges=tuple(ranges)), None


def _usable(info: FileInfo, path: str, q: Quarter, lo: str, hi: str, bad: BadRows) -> None:
    """Exit 2 when a file has no usable row or none of its dates reaches the quarter."""
    if info.rows == 0:
        raise InputError.single(path, "no rows after the header: nothing to review")
    if info.usable == 0:
        first = next((b for b in bad.listed if b["file"] == info.file), None)
        example = f" (row {first['row']}: {first['error']})" if first else ""
        raise InputError.single(path, f"no usable row: all {info.rows:,} rows are unreadable{example}")
    if (info.last or "") < lo or (info.first or "") > hi:  # both set once a row is usable
        raise InputError.single(path, f"its rows run from {info.first} to {info.last}, but {q} runs from {lo} "
                                      f"to {hi}: export that quarter's rows, or review a quarter the file covers")


MAX_RATE = 1e9  # units of the plan's currency for one unit of another: larger is a typo


def load_fx(path: str, plan_currency: Optional[str] = None) -> dict[str, float]:
    """``--fx FILE``: a YAML mapping of currency code -> rate into the plan's currency."""
    text = read_text(Path(path), path)
    root = compose(text, path)
    to_python(root, path)  # as a plan file is read: duplicate keys, tags, aliases and limits refused, located
    if not isinstance(root, yaml.MappingNode):
        raise InputError.single(path, "an --fx file is a YAML mapping of currency code to rate, e.g. EUR: 1.08",
                                root.start_mark.line + 1, root.start_mark.column + 1)
    out: dict[str, float] = {}
    problems = []
    for k, v in root.value:
        entry = _fx_entry(path, k, v, plan_currency)
        if isinstance(entry, Problem):
            problems.append(entry)
        else:
            out[entry[0]] = entry[1]
    if problems:
        raise InputError(problems)
    return out


def _fx_entry(path: str, k: Any, v: Any, plan_currency: Optional[str]) -> tuple[str, float] | Problem:
    """One entry of an --fx file (YAML nodes): (its currency code, its rate), or what is wrong with it."""
    code = k.value if isinstance(k, yaml.ScalarNode) else ""
    if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha()):
        return Problem(path, k.start_mark.line + 1, k.start_mark.column + 1,
                       f"{str(code)[:20]!r} is not a currency code (three letters, e.g. EUR)")
    rate = _fx_number(v)
    at = (path, v.start_mark.line + 1, v.start_mark.column + 1)
    if rate is not None and rate > 0 and (not math.isfinite(rate) or rate >= MAX_RATE):
        return Problem(*at, f"{code}: the rate {v.value[:30]} is too large (units of the plan's "
                            f"currency for one unit of this one; at most {MAX_RATE:,.0f})")
    if rate is None or not math.isfinite(rate) or not 0 < rate:
        return Problem(*at, f"{code}: the rate must be a positive number (units of the plan's currency "
                            "for one unit of this one)")
    if plan_currency and code.upper() == plan_currency.upper() and rate != 1:
        return Problem(*at, f"{code} is the plan's own currency: its rate is always 1 (leave it out or give 1)")
    return code.upper(), rate


def _fx_number(v: Any) -> Optional[float]:
    """A rate's value: a number written in at most 30 characters, else None."""
    if not (isinstance(v, yaml.ScalarNode) and len(v.value) <= 30):
        return None
    try:
        return float(v.value)
    except ValueError:
        return None


PROGRESS_MIN_BYTES = 20_000_000


def _progress(rows: Iterable[RowT], size: int, name: str) -> Iterator[RowT]:
    """Rows, with a progress bar on stderr for large files (only on a terminal, never in piped output)."""
    if size < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield from rows
        return
    from rich.console import Console  # rich (about 30 ms): only for the progress bar on a terminal
    from rich.progress import Progress

    # refreshed here, not by rich's timer thread: no thread of ours while the exports are read
    with Progress(transient=True, console=Console(file=sys.stderr), auto_refresh=False) as bar:
        task = bar.add_task(f"reading {name}", total=None)
        for i, item in enumerate(rows, 1):
            if i % 50_000 == 0:
                bar.update(task, completed=i, description=f"reading {name}: {i:,} rows", refresh=True)
            yield item


def _closer(actual: Optional[float], sales: Optional[float], marketing: Optional[float]) -> Optional[str]:
    if actual is None or (sales is None and marketing is None):
        return None
    if sales is None:
        return "marketing"
    if marketing is None:
        return "sales"
    ds, dm = abs(sales - actual), abs(marketing - actual)
    if abs(ds - dm) < 1e-12:
        return "tie"
    return "sales" if ds < dm else "marketing"


def _rate(k: int, n: Optional[int], sales: Optional[float], marketing: Optional[float]) -> Rate:
    actual = k / n if n else None
    interval = wilson(k, n) if n else None
    low, high = interval if interval else (None, None)
    return Rate(actual, n, k, low, high, sales, marketing, _closer(actual, sales, marketing),
                fits(sales, interval), fits(marketing, interval))


# -- the figures: plan and actual, one table row at a time ------------------------------------
#
# figures_of and _one_segment fill the same two tables, the company's and each segment's: the plan
# figures (_plan_figures), the actual figures and the rates' rows k of n (_lead_actuals, then
# _deal_actuals), then the metrics (_metrics) and the rates with their intervals (_rates).

Figures = dict[str, Optional[float]]  # METRICS -> a figure (None: unknown)
Measured = dict[str, tuple[int, Optional[int]]]  # RATES -> (k, n) rows; n None: not measured
StatedValue = Callable[[str, str], Optional[float]]  # (side, rate) -> the side's stated value


class LeadStage(NamedTuple):
    """One stage after the lead in a leads export: its figure and the rate into it."""

    figure: str  # the metric: rows dated into this stage in the quarter
    column: str  # the LeadCounts flag: the export has this stage's date column
    rate: str  # the rate into this stage, measured on the previous stage's rows of the quarter
    reached: str  # of those rows, how many reached this stage
    before: str  # the previous stage's figure: the rate's n
    before_column: Optional[str]  # the flag the previous stage needs (None: every export has it)
    deals_say: bool  # a deals export gives this figure instead (the rate is still the leads')


# The counts are named as in figures.SEGMENT_LEAD_FIELDS, LeadCounts' attributes.
LEAD_STAGES = (
    LeadStage("mqls", "has_mql", "lead_to_mql", "created_with_mql", "leads", None, False),
    LeadStage("sqls", "has_sql", "mql_to_sql", "mql_with_sql", "mqls", "has_mql", False),
    LeadStage("opportunities", "has_opp", "sql_to_opportunity", "sql_with_opp", "sqls", "has_sql", True),
)

# The plan figures that are assumptions, not counts: metric -> the assumption stating it.
PLANNED_AS_ASSUMED = (("win_rate", "win_rate"), ("average_deal_size", "average_deal_size"),
                      ("days_to_close", "sales_cycle_days"))


def _plan_figures(scope: Optional[Funnel], q: Quarter, eff: dict[str, Optional[float]],
                  leads: Optional[float]) -> Figures:
    """The plan's figures for quarter q from a funnel (the company's or a segment's; None: no plan
    figures), given its resolved assumptions ``eff`` and the leads its programs bring. None for every
    count outside the horizon (--record)."""
    plans: Figures = dict.fromkeys(METRICS)
    for key, assumption in PLANNED_AS_ASSUMED:
        plans[key] = eff.get(assumption)
    row = scope.row(q) if scope is not None else None
    if scope is None or row is None:
        return plans
    mqls, m2s = row.mqls_planned, eff["mql_to_sql"]
    plans.update(leads=leads, mqls=mqls, sqls=mqls * m2s if mqls is not None and m2s else None,
                 opportunities=planned_opportunities(scope, q),  # marketing's and sales.other_pipeline's
                 won=row.deals, bookings=row.target)
    return plans


def _lead_actuals(lc: LeadCounts, counts: dict[str, int], deals_read: bool, actual: Figures,
                  kn: Measured) -> None:
    """A leads export's figures, stage by stage (LEAD_STAGES), and the rates it measures, from
    ``counts`` (the company's or a segment's, named as SEGMENT_LEAD_FIELDS)."""
    actual["leads"] = counts["leads"]
    for stage in LEAD_STAGES:
        if not getattr(lc, stage.column):
            continue
        if not (stage.deals_say and deals_read):
            actual[stage.figure] = counts[stage.figure]
        if stage.before_column is None or getattr(lc, stage.before_column):
            kn[stage.rate] = (counts[stage.reached], counts[stage.before])


def _deal_actuals(d: DealCounts | SegmentDeals, has_amount: bool, actual: Figures, kn: Measured,
                  losses_told: bool) -> tuple[str, ...]:
    """A deals export's figures (the company's or a segment's) and the win rate it measures (none when
    the export cannot tell a lost deal from an open one); returns ``("bookings",)`` when the bookings
    count only part of the won deals (others in another currency)."""
    decided = d.won + d.lost
    actual["opportunities"] = d.opportunities
    actual["won"] = d.won
    if losses_told:
        kn["win_rate"] = (d.won, decided)
        actual["win_rate"] = d.won / decided if decided else None
    actual["days_to_close"] = d.days_to_close()
    if has_amount:
        # bookings without the won deals set aside (another currency) would read as a shortfall: none
        # when every one was set aside, else partial (shown, never compared with the target or recorded)
        actual["bookings"] = d.bookings if d.won_priced or not d.other_currency else None
        actual["average_deal_size"] = d.bookings / d.won_priced if d.won_priced else None
    return ("bookings",) if d.other_currency and d.won_priced else ()


def _metrics(plans: Figures, actual: Figures) -> dict[str, Metric]:
    return {k: Metric(None if plans[k] is None else float(plans[k]), actual[k])  # type: ignore[arg-type]
            for k in plans}


def _rates(kn: Measured, stated_value: StatedValue) -> dict[str, Rate]:
    """Each rate k of n with its interval, against the value each side states."""
    return {key: _rate(*kn[key], stated_value("sales", key), stated_value("marketing", key)) for key in RATES}


def _unstated(side: str, key: str) -> Optional[float]:
    return None


def _company_stated(plan: Plan, f: Funnel) -> StatedValue:
    """The company's stated rates: each side's assumptions; in a plan with segments, the company has
    no rates of its own, only one that every segment resolves to."""
    def value(side: str, key: str) -> Optional[float]:
        if f.segments:
            return _common(stated(plan, side, key, sid)[0] for sid in f.segments)
        assumed = getattr(plan, side).assumptions
        return getattr(assumed, key) if assumed else None
    return value


def figures_of(loaded: LoadedPlan, q: Quarter, lc: Optional[LeadCounts], dc: Optional[DealCounts],
               bad: BadRows, notes: Optional[list[str]] = None) -> ReviewResult:
    """The review of quarter q: the plan's figures against the exports' counts."""
    plan = loaded.plan
    notes = list(notes or [])
    f = compute(plan)
    row = f.row(q)  # None for a quarter outside the horizon (--record): no plan figures
    eff = {k: a.value for k, a in f.assumptions.items()}
    running = [plan.marketing.programs[i] for i in f.by_quarter[q].programs] if row and q in f.by_quarter else []
    per_program = [program_leads(p, eff["lead_to_mql"]) for p in running]
    plans = _plan_figures(f, q, eff, _sum_known(per_program))

    actual: Figures = dict.fromkeys(METRICS)
    kn: Measured = dict.fromkeys(RATES, (0, None))  # n is null for a rate the exports cannot measure
    partial: set[str] = set()
    if lc is not None:
        _lead_actuals(lc, {name: getattr(lc, name) for name in SEGMENT_LEAD_FIELDS}, dc is not None, actual, kn)
        notes += _lead_notes(lc)
    if dc is not None:
        partial.update(_deal_actuals(dc, dc.has_amount, actual, kn, not dc.losses_unknown))
        notes += _deal_notes(dc, lc, q, plan.currency)
    partial_inputs = _partial_inputs(plan, q, lc, dc, notes, partial)
    seg_results = {}
    if f.segments:
        seg_results = _segment_figures(plan, q, f, running, lc, dc)
        _company_of_segments(plans, seg_results, list(f.segments), row is not None)
    metrics = _metrics(plans, actual)
    result = ReviewResult(
        quarter=q, currency=plan.currency, metrics=metrics, rates=_rates(kn, _company_stated(plan, f)),
        sources=_source_rows(lc, dc), programs=_program_rows(plan, f, running, lc, eff["lead_to_mql"]),
        loss_reasons=_loss_reasons(dc), bad_rows=[BadRow(**b) for b in bad.listed], bad_rows_total=bad.total,
        notes=notes, plan_bases=_plan_bases_shown(loaded, q, eff, f, metrics), inputs=_inputs(lc, dc),
        won_priced=dc.won_priced if dc is not None else None, unclaimed_leads=_unclaimed_leads(lc),
        partial=tuple(k for k in actual if k in partial), partial_inputs=tuple(partial_inputs),
        amounts_unclear=bool(dc is not None and dc.has_amount and dc.amount_unclear))
    result.segments = seg_results
    result.suggestions = suggestions(loaded, result, eff)
    return result


def _sum_known(parts: Sequence[Optional[float]]) -> Optional[float]:
    """The sum of the parts, or None when one is unknown."""
    known = [x for x in parts if x is not None]
    return float(sum(known)) if len(known) == len(parts) else None


def _lead_notes(lc: LeadCounts) -> list[str]:
    notes = []
    folded, mq = lc.source_leads.folded_total, lc.source_mqls.folded_total
    if folded or mq:
        mqls = f" and {plural(mq, 'MQL')}" if mq else ""
        notes.append(f"{plural(folded, 'lead')}{mqls} from sources outside the {lc.source_leads.cap:,} largest "
                     f"{'are' if folded + mq != 1 else 'is'} folded into '{OTHER_SOURCES}' "
                     "(programs' crm_sources are always counted exactly)")
    _order_notes(notes, lc)
    return notes


def _deal_notes(dc: DealCounts, lc: Optional[LeadCounts], q: Quarter, cur: str) -> list[str]:
    """The notes on a deals export, in the order they are shown."""
    notes = []
    if lc is not None and lc.has_opp and lc.opportunities != dc.opportunities:
        notes.append(f"Opportunities: the {plural(dc.opportunities, 'deal')} created in {q} in {dc.info.file}; "
                     f"{lc.info.file} dates {plural(lc.opportunities, 'lead')} into the opportunity stage in {q} "
                     "(the rates are measured on the leads)")
    if dc.losses_unknown:
        notes.append(dc.losses_unknown)
    notes += _currency_notes(dc, cur)
    if dc.backdated:
        notes.append(f"{plural(dc.backdated, 'won deal')} closed before {'they were' if dc.backdated != 1 else 'it was'} "
                     "created in the CRM (entered after the fact): counted as won, left out of days to close")
    folded = dc.source_won.folded_total
    if folded:
        notes.append(f"{plural(folded, 'won deal')} from sources outside the "
                     f"{dc.source_won.cap:,} largest {'are' if folded != 1 else 'is'} "
                     f"folded into '{OTHER_SOURCES}'")
    if dc.has_amount and dc.amount_unclear:
        notes.append(f"{dc.info.file}: amounts like 1,200 could be read either way (a decimal comma or a "
                     "thousands comma); they were read as thousands: no suggestion is built on the amounts "
                     "(bookings, deal size)")
    elif dc.has_amount and dc.amount_inferred:
        notes.append(f"{dc.info.file}: amounts like 1.200 were read with a dot for thousands (1,200): "
                     "every dot in the column is followed by three digits")
    if dc.converted:
        notes.append(f"won deals converted into {cur} with the --fx rates: {_by_code(dc.converted)}")
    if dc.crm_converted:
        total = sum(dc.crm_converted.values())
        notes.append(f"{plural(total, 'won deal')} in another currency than the plan's {cur} "
                     f"({_by_code(dc.crm_converted)}) "
                     f"{'are' if total != 1 else 'is'} priced by the CRM's converted amount in {cur}, column "
                     f"{dc.converted_column!r} (at the CRM's rates; --fx FILE gives your own)")
    note = stage_note(dc, str(q))
    if note:
        notes.append(note)
    _order_notes(notes, dc)
    return notes


def _by_code(counts: dict[str, int]) -> str:
    """``EUR (3), GBP (1)``: won deals by currency code."""
    return ", ".join(f"{code} ({n:,})" for code, n in sorted(counts.items()))


def _currency_notes(dc: DealCounts, cur: str) -> list[str]:
    """The won deals in another currency than the plan's, left out of bookings (without --fx)."""
    if not dc.other_currency:
        return []
    total = sum(dc.other_currency.values())
    return [f"{plural(total, 'won deal')} in another currency than the plan's {cur} "
            f"({_by_code(dc.other_currency)}) {'are' if total != 1 else 'is'} left out of bookings and the average "
            "deal size: give --fx FILE (code: rate) to convert them"
            + ("; bookings are therefore not compared with the target" if dc.won_priced else "")]


def _partial_inputs(plan: Plan, q: Quarter, lc: Optional[LeadCounts], dc: Optional[DealCounts], notes: list[str],
                    partial: set[str]) -> list[str]:
    """The exports that cover only part of the quarter ("leads", "deals"): a note for each, and their
    figures added to ``partial`` (shown, never compared with the plan)."""
    lo, hi = q.first_day(plan.calendar).isoformat(), q.last_day(plan.calendar).isoformat()
    lead_keys = ("leads", "mqls", "sqls") + (("opportunities",) if dc is None else ())
    out = []
    for kind, counts, keys in (("leads", lc, lead_keys), ("deals", dc, ("opportunities", "won", "bookings"))):
        note = _coverage_note(counts.info, q, lo, hi) if counts is not None else None
        if note:
            notes.append(note)
            partial.update(keys)
            out.append(kind)
    return out


def _source_rows(lc: Optional[LeadCounts], dc: Optional[DealCounts]) -> list[SourceRow]:
    """Leads, MQLs, deals won and bookings by CRM source: the sources with the most bookings first,
    the folded smaller ones last."""
    counters = ((lc.source_leads, lc.source_mqls) if lc else ()) + ((dc.source_won,) if dc else ())
    names: set[str] = set().union(*counters)
    rows = [SourceRow(name or "(none)",
                      lc.source_leads.get(name, 0) if lc else None,
                      lc.source_mqls.get(name, 0) if lc and lc.has_mql else None,
                      dc.source_won.get(name, 0) if dc else None,
                      float(dc.source_bookings.get(name, 0.0)) if dc and dc.has_amount else None)
            for name in names]
    rows.sort(key=lambda s: (s.source == OTHER_SOURCES, -(s.bookings or 0), -(s.leads or 0), s.source))
    return rows


def _program_rows(plan: Plan, f: Funnel, running: list[Program], lc: Optional[LeadCounts],
                  l2m: Optional[float]) -> list[ProgramRow]:
    """Each program running in the quarter: its leads (from its crm_sources) against its forecast,
    weakest first."""
    tol = plan.check.tolerance
    programs = []
    for p in running:
        wanted = {s.strip().casefold() for s in (p.crm_sources or [])}
        got = sum(lc.program_leads.get(s, 0) for s in wanted) if lc is not None and lc.has_source else None
        expected = program_leads(p, l2m) if not f.segments else _program_leads_in_segments(plan, p, f)
        programs.append(ProgramRow(p.id, p.name or p.id, p.channel, got, expected, p.cost,
                                   (p.cost / got) if got else None, tuple(p.crm_sources or ()),
                                   is_weak(got, expected, tol)))
    programs.sort(key=lambda p: (p.leads is None, p.leads != 0, -(p.cost_per_lead or 0), p.id))
    return programs


def _loss_reasons(dc: Optional[DealCounts]) -> list[LossReason]:
    if dc is None:
        return []
    return [LossReason(r, n) for r, n in sorted(dc.loss_reasons.items(), key=lambda kv: (-kv[1], kv[0]))]


def _inputs(lc: Optional[LeadCounts], dc: Optional[DealCounts]) -> list[InputFile]:
    """The exports read: what each was recognised as, its rows and its dates."""
    return [_input_file(kind, c.info) for kind, c in (("leads", lc), ("deals", dc)) if c is not None]


def _input_file(kind: str, info: FileInfo) -> InputFile:
    return InputFile(kind, info.file, info.shape, info.rows, info.usable, info.first, info.last, info.encoding,
                     info.delimiter)


def _plan_bases_shown(loaded: LoadedPlan, q: Quarter, eff: dict[str, Optional[float]], f: Funnel,
                      metrics: dict[str, Metric]) -> dict[str, str]:
    """Where each plan figure the review shows comes from (none for a figure the plan lacks)."""
    return {k: v for k, v in _plan_bases(loaded, q, eff, f).items() if k in metrics and metrics[k].plan is not None}


def _unclaimed_leads(lc: Optional[LeadCounts]) -> Optional[int]:
    """Leads from a source no program lists (exact: not from the folded table); None without sources."""
    if lc is None or not lc.has_source:
        return None
    return lc.leads - sum(lc.program_leads.values()) - lc.no_source


SUMMED = ("leads", "mqls", "sqls", "opportunities", "won")  # bookings: the stated sales.targets[q]
RESOLVED = ("win_rate", "average_deal_size", "days_to_close")


def _common(values: Iterable[Optional[float]]) -> Optional[float]:
    """The one value every segment resolves to; None when they differ or one has none."""
    seen = set(values)
    return seen.pop() if len(seen) == 1 else None


def _company_of_segments(plans: Figures, segments: dict[str, SegmentResult], ids: list[str],
                         in_horizon: bool) -> None:
    """The company's plan figures in a plan with segments (docs/reference/plan-format.md, 'Segments' and
    its 'Resolutions (0.3)'): the counts and money are the sums of the segments' (each program's part
    becomes MQLs, and back leads, at its segment's own lead_to_mql); the company's row has no rates,
    so its win rate, deal size and days to close are null unless every segment resolves to the same
    value. A sum is null when a segment's figure is unknown."""
    if in_horizon:  # outside the horizon (--record) there are no counts to add
        for key in SUMMED:
            plans[key] = _sum_known([segments[sid].metrics[key].plan for sid in ids])
    for key in RESOLVED:
        plans[key] = _common(segments[sid].metrics[key].plan for sid in ids)


def _program_leads_in_segments(plan: Plan, p: Program, f: Funnel) -> Optional[float]:
    """A program's expected leads in a plan with segments: each segment's part at that segment's own
    lead_to_mql (docs/reference/plan-format.md, 'Resolutions (0.3)'), summed."""
    total = 0.0
    for sid, share in program_split(plan, p).items():
        sf = f.segments.get(sid)
        part = program_leads(p, sf.assumptions["lead_to_mql"].value if sf is not None else None)
        if part is None:
            return None
        total += part * share
    return total


def _segment_figures(plan: Plan, q: Quarter, f: Funnel, running: list[Program], lc: Optional[LeadCounts],
                     dc: Optional[DealCounts]) -> dict[str, SegmentResult]:
    """Each segment's plan and actual figures for the quarter, as the company's (docs/reference/cli.md,
    'Segments in every command'): the plan from the segment's own funnel, the actuals from the rows
    the exports assign to it (null from an export that cannot be split); then the rows that fit no
    segment, ``(outside the ICP)``, and those whose segment cannot be told, ``(unknown segment)``,
    with no plan figures."""
    lead_segments = lc.segments if lc is not None else None
    deal_segments = dc.segments if dc is not None else None
    keys = list(f.segments) + [extra for extra in PSEUDO_SEGMENTS
                               if extra in (lead_segments or {}) or extra in (deal_segments or {})]
    return {sid: _one_segment(plan, q, sid, f.segments.get(sid), running, lc, dc) for sid in keys}


def _one_segment(plan: Plan, q: Quarter, sid: str, sf: Optional[Funnel], running: list[Program],
                 lc: Optional[LeadCounts], dc: Optional[DealCounts]) -> SegmentResult:
    """One segment's figures (``sf``: its funnel; None for the rows outside the segments)."""
    eff = {k: a.value for k, a in sf.assumptions.items()} if sf is not None else {}
    plans = _plan_figures(sf, q, eff, _segment_leads(plan, sid, eff, running) if sf is not None else None)
    actual: Figures = dict.fromkeys(plans)
    kn: Measured = dict.fromkeys(RATES, (0, None))
    if lc is not None and lc.segments is not None:
        counts = lc.segments.get(sid, [0] * len(SEGMENT_LEAD_FIELDS))
        _lead_actuals(lc, dict(zip(SEGMENT_LEAD_FIELDS, counts)), dc is not None, actual, kn)
    partial: tuple[str, ...] = ()
    if dc is not None and dc.segments is not None:
        partial = _deal_actuals(dc.segments.get(sid) or SegmentDeals(), dc.has_amount, actual, kn,
                                not dc.losses_unknown)
    # else, beside a deals export that is not split, the opportunities are unknown (the leads' are not shown)
    return SegmentResult(_metrics(plans, actual), _rates(kn, _segment_stated(plan, sid, sf)), partial)


def _segment_leads(plan: Plan, sid: str, eff: dict[str, Optional[float]], running: list[Program]) -> Optional[float]:
    """The leads a segment's part of the running programs brings (each at the segment's lead_to_mql)."""
    parts = []
    for p in running:
        leads = program_leads(p, eff["lead_to_mql"])
        if leads is None:
            return None
        parts.append(leads * program_split(plan, p).get(sid, 0.0))
    return float(sum(parts))


def _segment_stated(plan: Plan, sid: str, sf: Optional[Funnel]) -> StatedValue:
    """A segment's stated rates (its entry's, else the side's); none for the rows outside the segments."""
    if sf is None:
        return _unstated
    return lambda side, key: stated(plan, side, key, sid)[0]


PARTIAL_DAYS = 7  # more uncovered days than this at one end of the quarter: the export covers only part of it
BULK = 0.005  # the coverage is judged on the rows' dates between these quantiles (one stray row is no coverage)


def _coverage_note(info: FileInfo, q: Quarter, lo: str, hi: str) -> Optional[str]:
    """A note when the file's dates cover only part of the quarter (docs/reference/cli.md: no conclusion beyond the data).

    An export taken mid-quarter has rows from before the quarter and stops inside it (or, filtered
    from a date inside the quarter, starts there and runs past its end). A file whose rows all lie
    inside the quarter is taken as that quarter's export, quiet days at its ends included. Where the
    rows run is judged on the 0.5% and 99.5% quantiles of their dates (creation, and the close of
    deals won or lost), not on the first and last row. The uncovered part must be longer than a week
    and than five times the average gap between the rows dated in the covered part of the quarter (a
    quiet spell that long has a chance under 1% in a steady flow of rows)."""
    bulk = coverage(info.days, BULK) if info.days else _first_and_last(info)
    if bulk is None:
        return None
    first, last = bulk
    d = dt.date.fromisoformat
    start, end = max(d(lo), d(first)), min(d(hi), d(last))
    days, covered = (d(hi) - d(lo)).days + 1, (end - start).days + 1
    inside = sum(n for day, n in info.days.items() if start.isoformat() <= day <= end.isoformat())
    quiet = max(PARTIAL_DAYS, 5 * max(covered, 1) / max(inside, 1))
    cut_end = first < lo and (d(hi) - end).days > quiet
    cut_start = last > hi and (start - d(lo)).days > quiet
    if not (cut_end or cut_start):
        return None
    whole = (min(info.days), max(info.days)) if info.days else (info.first, info.last)
    span = (f"its rows run from {first} to {last}" if (first, last) == whole
            else f"the bulk of its rows (99%) run from {first} to {last}")
    return (f"{info.file}: {span}, so only {covered} of the {days} days of "
            f"{q} ({lo} to {hi}) are in the export: its figures for {q} are partial, not compared with the "
            "plan, and no suggestion is made from them")


def _first_and_last(info: FileInfo) -> Optional[tuple[str, str]]:
    return (info.first, info.last) if info.first and info.last else None


def _order_notes(notes: list[str], counts: LeadCounts | DealCounts) -> None:
    group = getattr(counts, "date_order", None)
    if group is not None and group.defaulted:
        cols = ", ".join(repr(c) for c in group.defaulted)
        notes.append(f"{counts.info.file}: the dates in {cols} could be read either way (like 03/04/2027); they "
                     "were read month-first (M/D/YYYY): give --date-format %d/%m/%Y if they are day-first")


def _plan_bases(loaded: LoadedPlan, q: Quarter, eff: dict[str, Optional[float]], funnel: Funnel) -> dict[str, str]:
    """Where each plan figure comes from, in the plan's own terms (docs/reference/cli.md 0.2: stated plan bases)."""
    plan = loaded.plan
    other = getattr(plan.sales, "other_pipeline", None)
    motions = other and any(getattr(s, "capacity", None) is not None for s in other)
    extra = " plus other_pipeline's opportunities" if motions else " plus other_pipeline's share" if other else ""

    def side(key: str) -> str:
        a = funnel.assumptions.get(key)
        return f"the {a.side}.assumptions value" if a is not None and a.side else "not stated"

    if funnel.segments:  # the company's figures are the segments' sums (docs/reference/plan-format.md, 'Segments')
        return {
            "leads": f"the programs running in {q}: expected_leads (or each segment's part of expected_mqls / "
                     "that segment's lead_to_mql), summed over the segments",
            "mqls": f"marketing's planned MQLs: the programs running in {q}, summed over the segments",
            "sqls": "each segment's planned MQLs x its mql_to_sql, summed",
            "opportunities": f"each segment's planned MQLs x its mql_to_sql x sql_to_opportunity{extra}, summed",
            "won": f"each segment's target for {q} / its average_deal_size, summed",
            "bookings": f"sales.targets[{q}]",
            # only when every segment resolves to the same value (else null, and not listed)
            "win_rate": "the value every segment resolves to",
            "average_deal_size": "the value every segment resolves to",
            "days_to_close": "sales_cycle_days (the value every segment resolves to)",
        }
    return {
        "leads": f"the programs running in {q}: expected_leads (or expected_mqls / lead_to_mql)",
        "mqls": f"marketing's planned MQLs: the programs running in {q}",
        "sqls": "marketing's planned MQLs x mql_to_sql",
        "opportunities": f"marketing's planned MQLs x mql_to_sql x sql_to_opportunity{extra}",
        "won": f"sales.targets[{q}] / average_deal_size",
        "bookings": f"sales.targets[{q}]",
        "win_rate": side("win_rate"),
        "average_deal_size": side("average_deal_size"),
        "days_to_close": f"sales_cycle_days ({side('sales_cycle_days')})",
    }
