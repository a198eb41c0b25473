"""Counting one export for one quarter, exactly as docs/reference/cli.md defines the figures.

Each export is read once, row by row; only counters for the review quarter are
kept, so memory stays flat in the number of rows *and* of distinct values: the
per-source table keeps the ``MAX_SOURCES`` largest source values (the smaller
ones are folded into "other sources", with a note), a program's CRM sources are
always counted exactly, loss reasons are capped likewise, and every kept text
is at most ``MAX_KEY`` characters. A row with a cell that cannot be read is
reported with its spreadsheet row number and counted nowhere else.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import PurePath
from typing import Optional

from gtmplan.commands.review.columns import KNOWN_OPEN, Layout, _norm, stage_key, stage_outcome
from gtmplan.commands.review.values import AmountColumn, BadValue, DateColumn, DateOrder, currency_of, days_between
from gtmplan.output.fmt import plural

MAX_BAD_ROWS_LISTED = 1000
MAX_SOURCES = 1000  # distinct source values in the per-source table
MAX_REASONS = 200  # distinct loss reasons
MAX_KEY = 200  # characters kept of a source value or loss reason
OTHER_SOURCES = "other sources"
OTHER_REASONS = "other reasons"
OTHER_STAGES = "other stages"
STAGES_NAMED = 8  # stage labels named in a note or an error (the most frequent)
SNIFF_ROWS = 2000  # rows held back to learn each column's date order and decimal mark
SNIFF_CHARS = 8_000_000
_TRUE = frozenset(("true", "1", "yes", "y", "x", "wahr", "vrai", "verdadero", "vero", "waar", "verdadeiro", "ja",
                   "oui", "sí", "si", "sim"))


@dataclass
class BadRows:
    listed: list[dict] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, row: int, error: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_BAD_ROWS_LISTED:
            self.listed.append({"file": PurePath(file).name, "row": row, "error": error})

    def merge(self, other: BadRows) -> None:
        self.total += other.total
        self.listed += other.listed[:MAX_BAD_ROWS_LISTED - len(self.listed)]


class CappedCounter(Counter):
    """A Counter that ends with at most ``cap`` keys: the largest counts are kept.

    Keys are counted exactly until the table holds ``2 * cap`` of them; then the
    smallest are folded into ``other`` (their counts, and those of ``linked``
    counters keyed alike, move there), so a source that only appears late but
    often still makes the table. :meth:`finish` folds down to ``cap``. The counts
    always add up to what was counted; ``folded`` is how many values were folded
    (a key folded twice counts twice).
    """

    def __init__(self, cap: int, other: str, linked: tuple = ()) -> None:
        super().__init__()
        self.cap, self.other, self.linked = cap, other, linked
        self.folded = 0

    def __reduce__(self) -> tuple:  # copied (copy.deepcopy: columnar.py) with its cap and folds
        return (_capped, (self.cap, self.other, dict(self), self.folded, self.linked))

    def key(self, k: str) -> str:
        if len(k) > MAX_KEY:
            k = k[:MAX_KEY] + "…"
        if k not in self and len(self) >= 2 * self.cap:
            self._fold(self.cap)
        return k

    def finish(self) -> CappedCounter:
        if len(self) - (self.other in self) > self.cap:
            self._fold(self.cap)
        return self

    def _fold(self, keep: int) -> None:
        ranked = sorted((k for k in self if k != self.other), key=lambda k: (-self[k], k))
        for k in ranked[keep:]:
            self[self.other] += self.pop(k)
            self.folded += 1
            for c in self.linked:
                if k in c:
                    c[self.other] += c.pop(k)

    @property
    def folded_total(self) -> int:
        return self.get(self.other, 0)


def _capped(cap: int, other: str, counts: dict[str, float], folded: int, linked: tuple) -> CappedCounter:
    c = CappedCounter(cap, other, linked)
    c.update(counts)
    c.folded = folded
    return c


OUTSIDE_ICP = "(outside the ICP)"
UNKNOWN_SEGMENT = "(unknown segment)"
PSEUDO_SEGMENTS = (OUTSIDE_ICP, UNKNOWN_SEGMENT)
_THOUSANDS = re.compile(r"\d{1,3}(?:[,. '\u00a0\u202f]\d{3})+")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_SPAN = re.compile(r"(\d[\d,. '\u00a0\u202f]*?)\s*(?:-|–|to)\s*(\d[\d,. '\u00a0\u202f]*)")
_OPEN = re.compile(r"(\d[\d,. '\u00a0\u202f]*?)\s*\+")


class Segmenter:
    """A row's segment from one of its cells (docs/reference/cli.md, 'Segments in every command').

    ``by_size``: the cell is a company size (``1,200``; ``51-200`` and ``1000+`` when the whole
    range lies in one segment), placed in the segments' inclusive ``employees`` ranges (which do
    not overlap); else the cell names the segment: a value the mapping file's ``segments:`` lists,
    a segment's id or its ICP name (any case). A row that fits no segment is ``(outside the ICP)``;
    an empty or unreadable cell is ``(unknown segment)``."""

    def __init__(self, column: int, header: str, by_size: bool, ranges: tuple = (), names: Optional[dict] = None) -> None:
        self.column, self.header, self.by_size = column, header, by_size
        self.ranges = ranges  # ((min, max, id), ...), max None: no upper bound
        self.names = names or {}  # casefolded value -> id
        self.cache: dict[str, str] = {}

    def __call__(self, cell: str) -> str:
        hit = self.cache.get(cell)
        if hit is None:
            hit = self._size(cell) if self.by_size else self._named(cell)
            if len(self.cache) < 10_000:
                self.cache[cell] = hit
        return hit

    def _named(self, cell: str) -> str:
        key = " ".join(cell.split()).casefold()
        if not key:
            return UNKNOWN_SEGMENT
        return self.names.get(key, OUTSIDE_ICP)

    def _place(self, n: int) -> str:
        for lo, hi, sid in self.ranges:
            if lo <= n and (hi is None or n <= hi):
                return sid
        return OUTSIDE_ICP

    def _size(self, cell: str) -> str:
        text = cell.strip()
        n = _whole(text)
        if n is not None:
            return self._place(n)
        m = _SPAN.fullmatch(text) or _OPEN.fullmatch(text)
        if m is None:
            return UNKNOWN_SEGMENT
        lo = _whole(m.group(1).strip())
        hi = _whole(m.group(2).strip()) if m.re is _SPAN else None
        if lo is None or (m.re is _SPAN and (hi is None or hi < lo)):
            return UNKNOWN_SEGMENT
        first = self._place(lo)
        if hi is None:  # "1000+": one segment only when it has no upper bound
            return first if first != OUTSIDE_ICP and any(r[2] == first and r[1] is None for r in self.ranges) \
                else UNKNOWN_SEGMENT
        return first if self._place(hi) == first else UNKNOWN_SEGMENT


def _whole(text: str) -> Optional[int]:
    """A company size as a whole number: 1200, 1,200, 1.200, 1 200, 1200.0; None otherwise."""
    if _THOUSANDS.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    if _PLAIN.fullmatch(text):
        return int(float(text))
    return None


@dataclass
class SegmentDeals:
    """One segment's deal counts in the quarter (as DealCounts's, without the tables)."""

    opportunities: int = 0
    won: int = 0
    lost: int = 0
    won_priced: int = 0
    bookings: float = 0.0
    other_currency: int = 0
    days: Counter = field(default_factory=Counter)

    def days_to_close(self) -> Optional[float]:
        return hist_median(self.days)


# a segment's lead counts, in this order (a list: cheap to count into and to pickle)
SEGMENT_LEAD_FIELDS = ("leads", "mqls", "sqls", "opportunities", "created_with_mql", "mql_with_sql", "sql_with_opp")


def _lead_in_segment(counts: list[int], created: str, mql: Optional[str], sql: Optional[str], opp: Optional[str],
                     lo: str, hi: str) -> None:
    if lo <= created <= hi:
        counts[0] += 1
        if mql is not None:
            counts[4] += 1
    if mql is not None and lo <= mql <= hi:
        counts[1] += 1
        if sql is not None:
            counts[5] += 1
    if sql is not None and lo <= sql <= hi:
        counts[2] += 1
        if opp is not None:
            counts[6] += 1
    if opp is not None and lo <= opp <= hi:
        counts[3] += 1


@dataclass
class FileInfo:
    file: str  # base name
    rows: int = 0  # data rows read (blank ones excluded)
    records: int = 0  # spreadsheet rows after the header, blank ones included
    usable: int = 0
    first: Optional[str] = None  # earliest and latest date in the file (ISO)
    last: Optional[str] = None
    shape: str = ""
    encoding: str = "utf-8"
    delimiter: str = ","
    # the days of the rows' dates (creation; and close, of deals won or lost) -> rows: the coverage test
    days: Counter = field(default_factory=Counter)


@dataclass
class LeadCounts:
    has_source: bool
    has_mql: bool
    has_sql: bool
    has_opp: bool
    leads: int = 0
    mqls: int = 0
    sqls: int = 0
    opportunities: int = 0
    created_with_mql: int = 0
    mql_with_sql: int = 0
    sql_with_opp: int = 0
    source_leads: CappedCounter = field(default_factory=lambda: CappedCounter(MAX_SOURCES, OTHER_SOURCES))
    source_mqls: CappedCounter = field(default_factory=lambda: CappedCounter(MAX_SOURCES, OTHER_SOURCES))
    no_source: int = 0  # leads of the quarter with an empty source cell (exact)
    program_leads: Counter = field(default_factory=Counter)  # casefolded CRM source -> leads, exact
    info: FileInfo = field(default_factory=lambda: FileInfo(""))
    segments: Optional[dict[str, list[int]]] = None  # segment -> SEGMENT_LEAD_FIELDS counts (None: not split)


@dataclass
class DealCounts:
    has_amount: bool = True
    amount_unclear: bool = False  # whether 1,200 / 1.200 is a decimal or a thousands mark could not be told
    amount_inferred: bool = False  # thousands dots told from the column's values (1.200 = 1,200)
    opportunities: int = 0
    won: int = 0
    lost: int = 0
    won_priced: int = 0  # won deals whose amount counts in bookings (plan currency or converted)
    bookings: float = 0.0
    days: Counter = field(default_factory=Counter)
    source_bookings: Counter = field(default_factory=Counter)
    source_won: CappedCounter = field(default_factory=lambda: CappedCounter(MAX_SOURCES, OTHER_SOURCES))
    loss_reasons: CappedCounter = field(default_factory=lambda: CappedCounter(MAX_REASONS, OTHER_REASONS))
    other_currency: Counter = field(default_factory=Counter)  # code -> won deals left out of bookings
    backdated: int = 0  # won deals closed before they were created: no days to close
    converted: Counter = field(default_factory=Counter)  # code -> won deals converted with --fx
    crm_converted: Counter = field(default_factory=Counter)  # code -> won deals priced by the CRM's converted amount
    converted_column: str = ""  # the header of the CRM's converted amount, when it was used
    label_stages: bool = False  # won/lost read from stage labels (not from flags or dates)
    recognised: int = 0  # rows of the file whose stage reads as won or lost (any date)
    closing: int = 0  # rows with a close date in the quarter
    stages_seen: CappedCounter = field(default_factory=lambda: CappedCounter(MAX_REASONS, OTHER_STAGES))
    unknown_stages: CappedCounter = field(default_factory=lambda: CappedCounter(MAX_REASONS, OTHER_STAGES))
    mapped_stages: bool = False
    # why a lost deal cannot be told from an open one (a note; "": it can): no win rate then
    losses_unknown: str = ""
    info: FileInfo = field(default_factory=lambda: FileInfo(""))
    segments: Optional[dict[str, SegmentDeals]] = None  # by segment (None: the file is not split)

    def days_to_close(self) -> Optional[float]:
        return hist_median(self.days)


def _crm_converted(row: list[str], i_conv: Optional[int], i_cur: Optional[int], col: AmountColumn,
                   plan_currency: str, assume_plan: bool) -> Optional[float]:
    """The CRM's converted amount of a row when it is in the plan's currency (its currency column
    says so, or a mapping file named the column), else None."""
    if i_conv is None:
        return None
    try:
        value, code = col(row[i_conv])
    except BadValue:
        return None
    if i_cur is not None and row[i_cur].strip():
        code = row[i_cur].strip().upper()[:8]
    code = currency_of(code, plan_currency) if code else (plan_currency if assume_plan else None)
    if value is None or value < 0 or code != plan_currency:
        return None
    return value


def hist_median(hist: Counter) -> Optional[float]:
    """The median of the values a histogram counts (mean of the two middle ones for an even count)."""
    n = sum(hist.values())
    if n == 0:
        return None
    lo_k, hi_k = (n - 1) // 2, n // 2
    lo = hi = None
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if lo is None and seen > lo_k:
            lo = value
        if seen > hi_k:
            hi = value
            break
    assert lo is not None and hi is not None
    return (lo + hi) / 2


def _header_name(layout: Layout, header: list[str], fieldname: str) -> str:
    i = layout.index.get(fieldname)
    return header[i].strip()[:80] if i is not None else fieldname


def _sniffed(rows: Iterable[tuple[int, list[str]]], date_cols: list[tuple[int, DateColumn]],
             amount: Optional[tuple[int, AmountColumn]]) -> tuple[Iterator[tuple[int, list[str]]], bool]:
    """The rows, unchanged; the first ones are read ahead (a bounded number) until each
    date column has shown its order and the amount column its decimal mark. Also whether
    the rows went on past them (False: all the rows were read ahead)."""
    it = iter(rows)
    held = []
    chars = 0
    for item in it:
        held.append(item)
        row = item[1]
        for i, col in date_cols:
            if i < len(row) and col.order is None:
                col.observe(row[i])
        if amount is not None and amount[0] < len(row):
            amount[1].observe(row[amount[0]])
        chars += sum(map(len, row))
        if len(held) >= SNIFF_ROWS or chars >= SNIFF_CHARS:
            return chain(held, it), True
    return iter(held), False


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


class CellError(Exception):
    """A row's cell that cannot be read: ``what`` names its field, ``error`` says why."""

    def __init__(self, what: str, error: BadValue) -> None:
        super().__init__(what, error)
        self.what, self.error = what, error


def _wrong_width(row: list[str], width: int, bad: BadRows, display: str, number: int) -> int:
    """A row with more or fewer cells than the header: reported (1, a data row) unless blank (0)."""
    if _blank(row):
        return 0
    bad.add(display, number, f"has {len(row)} cells; the header has {width}")
    return 1


class LeadScan:
    """The counts of a leads export: ``values`` reads a row's cells, ``read`` counts the rows (the
    columnar reader, columnar.py, uses values() and counts in bulk)."""

    def __init__(self, header: list[str], layout: Layout, display: str, formats: tuple[str, ...], lo: str,
                 hi: str, bad: BadRows, program_sources: frozenset[str] = frozenset(),
                 segmenter: Optional[Segmenter] = None) -> None:
        ix = layout.index
        self.segmenter = segmenter
        self.layout, self.display, self.lo, self.hi, self.bad = layout, display, lo, hi, bad
        self.program_sources = program_sources
        self.group = DateOrder()
        self.names = {f: _header_name(layout, header, f) for f in ("created", "mql_date", "sql_date",
                                                                    "opportunity_date", "converted_date")}
        self.cols = {f: DateColumn(self.names[f], formats, self.group) for f in self.names if f in ix}
        sf = layout.shape.salesforce_lead
        c = LeadCounts(has_source=ix.get("source") is not None, has_mql=not sf and ix.get("mql_date") is not None,
                       has_sql=ix.get("sql_date" if not sf else "converted_date") is not None,
                       has_opp=ix.get("opportunity_date" if not sf else "converted_date") is not None)
        c.info = FileInfo(PurePath(display).name, shape=layout.shape.name)
        c.date_order = self.group  # type: ignore[attr-defined]
        if segmenter is not None:
            c.segments = {}
        self.c = c
        self.last_row = 1  # the spreadsheet row of the last record read (the header's when none)
        # what values() reads, looked up once
        self.i_created = ix["created"]
        self.created_col = self.cols["created"]
        self.created_get, self.created_times = self.created_col.cache.get, self.created_col.times
        self.created_formats = self.created_col.formats
        self.converted: Optional[tuple[int, int, DateColumn]] = None
        self.stages: tuple[tuple[str, int, int, DateColumn], ...] = ()  # (field, place in values, cell, column)
        if sf:
            if ix.get("converted") is not None and ix.get("converted_date") is not None:
                self.converted = (ix["converted"], ix["converted_date"], self.cols["converted_date"])
        else:
            self.stages = tuple((f, k, ix[f], self.cols[f])
                                for k, f in enumerate(("mql_date", "sql_date", "opportunity_date")) if f in ix)

    def decisions(self) -> tuple:
        """What the reading so far has decided that changes how later cells read (date orders)."""
        return (self.group.file_order, tuple(self.group.defaulted), tuple(col.order for col in self.cols.values()))

    def read(self, rows: Iterable[tuple[int, list[str]]], sniff: bool = True,
             sniffed: Optional[Callable[[bool], None]] = None) -> None:
        """Count the rows of the next part. ``sniff``: hold the first rows back to learn the date
        orders (the file's first part only). ``sniffed`` is called once they are learnt, with
        whether the part went on past them (a later part must not begin before it does).

        The counting of every row stays inline (the loop runs once per row of exports of millions
        of rows); parsing (``values``), the segments and the sources of the leads in the quarter
        are apart, values() shared with the columnar reader (columnar.py)."""
        c, bad, display, lo, hi = self.c, self.bad, self.display, self.lo, self.hi
        names = self.names
        width = self.layout.width
        i_source = self.layout.index.get("source")
        values, lead_source = self.reader(), self.lead_source
        source_mqls = c.source_mqls
        mql_key = source_mqls.key
        leads, mqls, sqls, opps = c.leads, c.mqls, c.sqls, c.opportunities
        created_with_mql, mql_with_sql, sql_with_opp = c.created_with_mql, c.mql_with_sql, c.sql_with_opp
        n, usable = c.info.rows, c.info.usable
        first, last = c.info.first or "\uffff", c.info.last or ""  # ISO strings compare like dates
        days = c.info.days
        dget = days.get
        segmented = self.segmenter is not None
        number = self.last_row
        past = True
        if sniff:
            rows, past = _sniffed(rows, [(self.layout.index[f], col) for f, col in self.cols.items()], None)
        if sniffed is not None:
            sniffed(past)
        try:
            for number, row in rows:
                if len(row) != width:
                    n += _wrong_width(row, width, bad, display, number)
                    continue
                try:
                    got = values(row)
                except CellError as e:
                    n += 1
                    bad.add(display, number, f"{names[e.what]}: {e.error}")
                    continue
                if got is None:  # a blank row
                    continue
                n += 1
                created, mql, sql, opp = got
                usable += 1
                days[created] = dget(created, 0) + 1
                if segmented:  # a plan with segments and a column that tells them (never otherwise)
                    self.segment(row, got)
                if created < first:
                    first = created
                if created > last:
                    last = created
                if lo <= created <= hi:
                    leads += 1
                    lead_source(row[i_source].strip() if i_source is not None else "")
                    if mql is not None:
                        created_with_mql += 1
                if mql is not None and lo <= mql <= hi:
                    mqls += 1
                    source = row[i_source].strip() if i_source is not None else ""
                    source_mqls[source if source in source_mqls else mql_key(source)] += 1
                    if sql is not None:
                        mql_with_sql += 1
                if sql is not None and lo <= sql <= hi:
                    sqls += 1
                    if opp is not None:
                        sql_with_opp += 1
                if opp is not None and lo <= opp <= hi:
                    opps += 1
        finally:
            self.last_row = number
            c.leads, c.mqls, c.sqls, c.opportunities = leads, mqls, sqls, opps
            c.created_with_mql, c.mql_with_sql, c.sql_with_opp = created_with_mql, mql_with_sql, sql_with_opp
            c.info.rows, c.info.usable = n, usable
            c.info.first, c.info.last = (first, last) if usable else (None, None)

    def lead_source(self, source: str, n: int = 1) -> None:
        """Count ``n`` leads of the quarter from ``source`` (stripped): the per-source table, the
        leads without a source and the programs' leads."""
        c = self.c
        if not source:
            c.no_source += n
        counter = c.source_leads
        if source in counter:
            counter[source] += n
        else:
            counter[counter.key(source)] += n
        if self.program_sources:
            folded = source.casefold()
            if folded in self.program_sources:
                c.program_leads[folded] += n

    def segment(self, row: list[str], got: tuple[str, Optional[str], Optional[str], Optional[str]]) -> None:
        """Count a usable row in its segment's counts."""
        assert self.segmenter is not None and self.c.segments is not None
        key = self.segmenter(row[self.segmenter.column])
        counts = self.c.segments.get(key)
        if counts is None:
            counts = self.c.segments[key] = [0] * len(SEGMENT_LEAD_FIELDS)
        _lead_in_segment(counts, *got, self.lo, self.hi)

    def values(self, row: list[str]) -> Optional[tuple[str, Optional[str], Optional[str], Optional[str]]]:
        """A row's (created, MQL, SQL, opportunity) dates, ISO; None for a blank row; CellError
        naming the field of the first cell that cannot be read."""
        return self.reader()(row)

    def reader(self) -> Callable[[list[str]], Optional[tuple[str, Optional[str], Optional[str], Optional[str]]]]:
        """values(), as a function of the row over this scan's columns as they are now. read() calls
        it once per row, its lookups done once (1M leads, shape (b) of benchmarks/review_bench.py,
        one CPU: 1.17-1.20 s of CPU, against 1.24-1.27 s for a method per row, and 1.07 s with the
        parsing inline in the loop, as in 0.2: measured)."""
        i_created, created_col, converted, formats = self.i_created, self.created_col, self.converted, self.created_formats
        created_get, created_times = created_col.cache.get, created_col.times
        stages = self.stages
        mql_i, sql_i, opp_i = ({k: (f, i, col) for f, k, i, col in stages}.get(k) for k in range(3))

        def stage(spec: Optional[tuple[str, int, DateColumn]], row: list[str]) -> Optional[str]:
            if spec is None:
                return None
            cell = row[spec[1]]
            if not cell:  # most leads never reach the later stages
                return None
            try:
                return spec[2].cache.get(cell) or spec[2](cell)
            except BadValue as e:
                raise CellError(spec[0], e) from None

        def values(row: list[str]) -> Optional[tuple[str, Optional[str], Optional[str], Optional[str]]]:
            cell = row[i_created]
            try:
                # the column's cache, inline: most cells were seen before; a date-time is
                # remembered as its date part and its (checked) time of day
                if len(cell) > 11 and not formats:  # (partition: one new string to hash)
                    day, sep, time = cell.partition(" ")
                    if not sep:
                        day, sep, time = cell.partition("T")
                    created = created_get(day) if time in created_times else None
                else:
                    created = created_get(cell)
                if created is None:
                    created = created_col(cell)
                if created is None:
                    if _blank(row):
                        return None
                    raise BadValue("empty")
            except BadValue as e:
                raise CellError("created", e) from None
            if converted is not None:  # a Salesforce lead export: converted flag and date
                i_conv, i_conv_date, conv_col = converted
                if row[i_conv].strip().lower() in _TRUE:
                    try:
                        converted_day = conv_col(row[i_conv_date])
                    except BadValue as e:
                        raise CellError("converted_date", e) from None
                    return created, None, converted_day, converted_day
                return created, None, None, None
            return created, stage(mql_i, row), stage(sql_i, row), stage(opp_i, row)

        return values

    def finish(self) -> LeadCounts:
        self.c.info.records = self.last_row - 1
        self.c.source_leads.finish()
        self.c.source_mqls.finish()
        return self.c


def scan_deals(rows: Iterable[tuple[int, list[str]]], header: list[str], layout: Layout, display: str,
               formats: tuple[str, ...], lo: str, hi: str, bad: BadRows, plan_currency: str = "USD",
               fx: Optional[dict[str, float]] = None, delimiter: str = ",",
               segmenter: Optional[Segmenter] = None,
               columnar: Optional[Callable[[DealScan], bool]] = None) -> DealCounts:
    """One pass over a deals export. ``lo``/``hi``: the quarter's first and last day, ISO.
    ``columnar``: the columnar reader (columnar.read_deals), which counts the export into the
    scan and says True when it can prove it reads it as the rows reader does."""
    scan = DealScan(header, layout, display, formats, lo, hi, bad, plan_currency, fx, segmenter)
    if columnar is None or not columnar(scan):
        scan.read(scan.start(rows, delimiter))
    return scan.finish()


# a deals row as read: (created, closed, stage, known, amount, currency code), see DealScan.values
DealRow = tuple[str, Optional[str], str, bool, Optional[float], Optional[str]]


class DealScan:
    """The counts of a deals export: ``start`` learns the columns' conventions from the first rows,
    ``values`` reads a row's cells, ``count`` counts a row that could be read (``closing`` the deals
    that close in the quarter). The columnar reader (columnar.py) uses the same methods."""

    def __init__(self, header: list[str], layout: Layout, display: str, formats: tuple[str, ...], lo: str,
                 hi: str, bad: BadRows, plan_currency: str = "USD", fx: Optional[dict[str, float]] = None,
                 segmenter: Optional[Segmenter] = None) -> None:
        ix = layout.index
        self.layout, self.display, self.lo, self.hi, self.bad = layout, display, lo, hi, bad
        self.plan_currency, self.fx, self.segmenter = plan_currency, fx or {}, segmenter
        shape = layout.shape
        self.group = DateOrder()
        names = {f: _header_name(layout, header, f) for f in ("created", "closed", "stage", "amount", "is_won")}
        self.i_created, self.i_closed = ix["created"], ix.get("closed")
        self.i_wd, self.i_ld = ix.get("won_date"), ix.get("lost_date")  # HubSpot: dates entering Closed Won/Lost
        if self.i_closed is None:
            names["closed"] = _header_name(layout, header, "won_date")
        names["lost_date"] = _header_name(layout, header, "lost_date")
        self.names = names
        self.created_col = DateColumn(names["created"], formats, self.group)
        self.closed_col = DateColumn(names["closed"], formats, self.group)
        self.won_col = DateColumn(_header_name(layout, header, "won_date"), formats, self.group)
        self.lost_col = DateColumn(_header_name(layout, header, "lost_date"), formats, self.group)
        self.i_stage, self.i_amount = ix.get("stage"), ix.get("amount")
        self.i_won, self.i_closed_flag = ix.get("is_won"), ix.get("is_closed")
        self.i_source, self.i_reason, self.i_currency = ix.get("source"), ix.get("loss_reason"), ix.get("currency")
        self.i_conv, self.i_conv_cur = ix.get("converted_amount"), ix.get("converted_currency")
        self.amount_col = AmountColumn(names["amount"])
        self.conv_col = AmountColumn(_header_name(layout, header, "converted_amount"))
        self.stage_cache: dict[str, tuple[str, bool]] = {}  # cell -> (won/lost/open, whether recognised)
        # how a row's stage is told: "dates" (won/lost dates), "flags" (is_won/is_closed) or "labels"
        if self.i_stage is None and self.i_won is None:
            self.stages_by = "dates"
        elif self.i_won is not None and (self.i_closed_flag is not None or self.i_stage is None):
            self.stages_by = "flags"
        else:
            self.stages_by = "labels"
        c = self.c = DealCounts(has_amount=self.i_amount is not None)
        c.source_won = CappedCounter(MAX_SOURCES, OTHER_SOURCES, (c.source_bookings,))
        c.info = FileInfo(PurePath(display).name, shape=shape.name)
        c.mapped_stages = shape.mapped_stages
        c.losses_unknown = _losses_unknown(self.stages_by, self.i_ld, self.i_closed_flag, layout, display)
        c.segments = {} if segmenter is not None else None
        self.first, self.last = "\uffff", ""
        self.number = 1

    def decisions(self) -> tuple:
        """What the reading so far has decided that changes how later cells read (date orders)."""
        cols = (self.created_col, self.closed_col, self.won_col, self.lost_col)
        return (self.group.file_order, tuple(self.group.defaulted), tuple(col.order for col in cols))

    def date_columns(self) -> list[tuple[int, DateColumn]]:
        return [(i, col) for i, col in ((self.i_created, self.created_col), (self.i_closed, self.closed_col),
                                        (self.i_wd, self.won_col), (self.i_ld, self.lost_col)) if i is not None]

    def start(self, rows: Iterable[tuple[int, list[str]]], delimiter: str) -> Iterator[tuple[int, list[str]]]:
        """The rows, once the first ones have taught the columns their conventions (see _sniffed)."""
        amount = (self.i_amount, self.amount_col) if self.i_amount is not None else None
        rows, _ = _sniffed(rows, self.date_columns(), amount)
        self.settle(delimiter)
        return rows

    def settle(self, delimiter: str) -> None:
        self.amount_col.settle(delimiter)
        self.c.amount_unclear, self.c.amount_inferred = self.amount_col.unclear, self.amount_col.inferred

    def read(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        c, bad, display, width, names = self.c, self.bad, self.display, self.layout.width, self.names
        values, count = self.values, self.count
        for number, row in rows:
            self.number = number
            if len(row) != width:
                c.info.rows += _wrong_width(row, width, bad, display, number)
                continue
            try:
                v = values(row)
            except CellError as e:
                c.info.rows += 1
                bad.add(display, number, f"{names[e.what]}: {e.error}")
                continue
            if v is not None:
                c.info.rows += 1
                count(row, v)

    def values(self, row: list[str]) -> Optional[DealRow]:
        """A row's (created, closed, stage, known, amount, currency); None for a blank row; CellError
        naming the field of the first cell that cannot be read."""
        what = "created"
        try:
            cell = row[self.i_created]
            created = self.created_col.cache.get(cell) or self.created_col(cell)
            if created is None:
                if _blank(row):
                    return None
                raise BadValue("empty")
            what = "closed"
            closed, wd, ld = self._closed(row)
            what = "stage"
            stage, known = self._stage(row, wd, ld)
            what = "amount"
            value = code = None
            if self.i_amount is not None:
                cell = row[self.i_amount]
                value, code = self.amount_col.cache.get(cell) or self.amount_col(cell)  # the column's cache, inline
                if stage == "won":
                    _won_amount(value, cell)
            if stage != "open" and closed is None:
                what = "closed"
                raise BadValue(f"empty on a {stage} deal")
        except BadValue as e:
            raise CellError(what, e) from None
        return created, closed, stage, known, value, code

    def _closed(self, row: list[str]) -> tuple[Optional[str], Optional[str], Optional[str]]:
        """(close date, won date, lost date) of a row; open deals have an empty close date."""
        if self.i_closed is not None:
            cell = row[self.i_closed]
            return (self.closed_col.cache.get(cell) or (self.closed_col(cell) if cell else None)), None, None
        wd = self.won_col(row[self.i_wd]) if self.i_wd is not None else None
        try:
            ld = self.lost_col(row[self.i_ld]) if self.i_ld is not None else None
        except BadValue as e:  # named by its own column, not the won date's
            raise CellError("lost_date", e) from None
        return wd or ld, wd, ld

    def _stage(self, row: list[str], wd: Optional[str], ld: Optional[str]) -> tuple[str, bool]:
        """(won, lost or open; whether the stage was recognised)."""
        if self.stages_by == "dates":
            return ("won" if wd else ("lost" if ld else "open")), True
        if self.stages_by == "flags":
            assert self.i_won is not None
            is_won = row[self.i_won].strip().lower() in _TRUE
            is_closed = row[self.i_closed_flag].strip().lower() in _TRUE if self.i_closed_flag is not None \
                else is_won
            return ("won" if is_won else ("lost" if is_closed else "open")), True
        self.c.label_stages = True
        assert self.i_stage is not None
        return self.stage_of(row[self.i_stage])

    def stage_of(self, cell: str) -> tuple[str, bool]:
        """A stage label's outcome (won, lost or open) and whether it was recognised; BadValue for an
        unknown label when a mapping file lists the stages."""
        hit = self.stage_cache.get(cell)
        if hit is None:
            shape = self.layout.shape
            key = stage_key(_norm(cell))
            strict = shape.strict_stages
            outcome = stage_outcome(key, shape.won, shape.lost) if not strict else (
                "won" if key in shape.won else "lost" if key in shape.lost else None)
            if outcome is None and strict and key != "open":
                raise BadValue(f"{cell[:80]!r} is not won, lost or open (a --mapping file's stages "
                               "say which of your stages are won and lost)")
            hit = (outcome or "open", outcome is not None or key in KNOWN_OPEN or not key)
            if len(self.stage_cache) < 10_000:
                self.stage_cache[cell] = hit
        return hit

    def count(self, row: list[str], v: DealRow) -> None:
        """Count a row that could be read."""
        created, closed, stage = v[0], v[1], v[2]
        c = self.c
        c.info.usable += 1
        sd = self._segment(row) if self.segmenter is not None else None
        if created < self.first:
            self.first = created
        if created > self.last:
            self.last = created
        if closed is not None and closed > self.last:
            self.last = closed
        c.info.days[created] += 1
        if stage != "open":
            c.recognised += 1
            c.info.days[closed] += 1
        if self.lo <= created <= self.hi:
            c.opportunities += 1
            if sd is not None:
                sd.opportunities += 1
        if closed is not None and self.lo <= closed <= self.hi:
            self.closing(row, v, sd)

    def _segment(self, row: list[str]) -> SegmentDeals:
        segs = self.c.segments
        assert segs is not None and self.segmenter is not None
        key = self.segmenter(row[self.segmenter.column])
        sd = segs.get(key)
        if sd is None:
            sd = segs[key] = SegmentDeals()
        return sd

    def closing(self, row: list[str], v: DealRow, sd: Optional[SegmentDeals]) -> None:
        """Count a deal that closes in the quarter."""
        c = self.c
        stage, known = v[2], v[3]
        if c.label_stages:
            assert self.i_stage is not None  # stages read from labels
            c.closing += 1
            label = " ".join(row[self.i_stage].split())
            c.stages_seen[c.stages_seen.key(label)] += 1
            if not known:
                c.unknown_stages[c.unknown_stages.key(label)] += 1
        if stage == "won":
            self._won(row, v, sd)
        elif stage == "lost":
            c.lost += 1
            if sd is not None:
                sd.lost += 1
            reason = row[self.i_reason].strip() if self.i_reason is not None else ""
            c.loss_reasons[c.loss_reasons.key(reason) if reason else "unspecified"] += 1

    def _won(self, row: list[str], v: DealRow, sd: Optional[SegmentDeals]) -> None:
        c = self.c
        created, closed = v[0], v[1]
        assert closed is not None
        source = row[self.i_source].strip() if self.i_source is not None else ""
        if source not in c.source_won:
            source = c.source_won.key(source)
        c.won += 1
        c.source_won[source] += 1
        took = days_between(created, closed)
        if sd is not None:
            sd.won += 1
            if took >= 0:
                sd.days[took] += 1
        if took >= 0:
            c.days[took] += 1
        else:  # closed before it was created: entered in the CRM after the fact
            c.backdated += 1
        if self.i_amount is None:
            return
        value = self._priced(row, v[4], v[5], sd)
        if value is None:
            return
        c.won_priced += 1
        c.bookings += value
        c.source_bookings[source] += value  # type: ignore[assignment]  # a Counter of amounts (floats)
        if sd is not None:
            sd.won_priced += 1
            sd.bookings += value

    def _priced(self, row: list[str], value: Optional[float], code: Optional[str],
                sd: Optional[SegmentDeals]) -> Optional[float]:
        """A won deal's amount in the plan's currency (converted by --fx, or by the CRM), or None when it
        is in another currency without a rate (counted in other_currency)."""
        c, plan_currency = self.c, self.plan_currency
        if self.i_currency is not None and row[self.i_currency].strip():
            code = row[self.i_currency].strip().upper()[:8]
        code = currency_of(code, plan_currency) if code else plan_currency
        assert value is not None and code is not None
        if code == plan_currency:
            return value
        rate = self.fx.get(code)
        if rate is not None:  # the user's rate first (--fx overrides the CRM's conversion)
            c.converted[code] += 1
            return value * rate
        crm = _crm_converted(row, self.i_conv, self.i_conv_cur, self.conv_col, plan_currency,
                             self.layout.shape.converted_in_plan_currency)
        if crm is None:
            c.other_currency[code] += 1
            if sd is not None:
                sd.other_currency += 1
            return None
        c.crm_converted[code] += 1
        c.converted_column = self.conv_col.name
        return crm

    def finish(self) -> DealCounts:
        c = self.c
        c.source_won.finish()
        c.loss_reasons.finish()
        c.stages_seen.finish()
        c.unknown_stages.finish()
        c.info.records = self.number - 1
        c.info.first, c.info.last = (self.first, self.last) if c.info.usable else (None, None)
        c.date_order = self.group  # type: ignore[attr-defined]
        return c


_ANY_PIPELINE = '(…)"'  # how a Closed Lost date column is named in a note


def _losses_unknown(stages_by: str, i_lost: Optional[int], i_closed: Optional[int], layout: Layout,
                    display: str) -> str:
    """Why the deals of an export cannot be told lost from open (a note), or "" when they can: by their
    stage, else by a lost date beside the won date (HubSpot) or a closed flag beside the won flag
    (Salesforce). Without one, every deal not won reads as open and a win rate would be 1."""
    if stages_by == "dates" and i_lost is None:
        what, fieldname = "Closed Lost date", "lost_date"
    elif stages_by == "flags" and i_closed is None:
        what, fieldname = "closed flag", "is_closed"
    else:
        return ""
    shape = layout.shape

    def column(f: str) -> str:  # 'Date entered "Closed Lost (*)' is any pipeline's
        names = shape.names(f)
        return f" (column {names[0].replace('(*)', _ANY_PIPELINE)!r})" if names else ""

    return (f"{PurePath(display).name} has no stage column{column('stage')} and no {what}{column(fieldname)}: a lost "
            "deal cannot be told from an open one, so the win rate is left out (map one with --mapping)")


def _won_amount(value: Optional[float], cell: str) -> None:
    """BadValue when a won deal's amount cell holds no amount, or a negative one."""
    if value is None:
        said = cell.strip()
        raise BadValue(f"no amount ({said[:40]!r}) on a won deal" if said else "empty on a won deal")
    if value < 0:
        raise BadValue(f"{cell.strip()[:40]!r} is negative on a won deal")


def _named(counter: Counter) -> str:
    ranked = sorted(counter.items(), key=lambda kv: (kv[0] == OTHER_STAGES, -kv[1], kv[0]))
    shown = ", ".join(f"{label!r} ({n:,})" for label, n in ranked[:STAGES_NAMED])
    rest = len(ranked) - STAGES_NAMED
    return shown + (f" and {rest:,} more" if rest > 0 else "")


MAP_STAGES = ("say which are won and which lost in a --mapping file: deals: {stages: {won: [...], lost: [...]}} "
              "(stages: alone is enough for an export gtmplan recognises)")


def stage_problem(dc: DealCounts, quarter: str) -> Optional[str]:
    """Why a deals export cannot give won and lost deals: its deals close in the quarter, but no stage
    in the whole file reads as won or lost (docs/reference/cli.md 0.3: exit 2, never "won 0")."""
    if not dc.label_stages or dc.recognised or not dc.closing:
        return None
    return (f"{plural(dc.closing, 'deal')} close in {quarter}, but no stage in {dc.info.file} reads as won or "
            f"lost: stages seen {_named(dc.stages_seen)}; {MAP_STAGES}")


def stage_note(dc: DealCounts, quarter: str) -> Optional[str]:
    """The stages of deals closing in the quarter that were read as open without being known open stages."""
    n = sum(dc.unknown_stages.values())
    if not n:
        return None
    return (f"{dc.info.file}: {plural(n, 'deal')} closing in {quarter} {'have' if n != 1 else 'has'} a stage that "
            f"is neither won nor lost nor a known open stage, counted as open: {_named(dc.unknown_stages)}; if "
            f"any of them is won or lost, {MAP_STAGES}")


def coverage(days: Counter, p: float = 0.005) -> Optional[tuple[str, str]]:
    """The ``p`` and ``1 - p`` quantiles of the dates a histogram counts (the values at 0-based ranks
    floor(p * n) and n - 1 - floor(p * n)): where the bulk of the rows lie, one stray row aside."""
    n = sum(days.values())
    if not n:
        return None
    k = int(p * n)
    lo_rank, hi_rank = k, n - 1 - k
    lo = hi = None
    seen = 0
    for day in sorted(days):
        seen += days[day]
        if lo is None and seen > lo_rank:
            lo = day
        if seen > hi_rank:
            hi = day
            break
    assert lo is not None and hi is not None
    return lo, hi
