"""The review's figures for one quarter, exactly as cli.md defines them.

Each export is read once, row by row; only counters for the review quarter are
kept (per source, per program, per loss reason, and a histogram of days to
close), so memory does not grow with the number of rows. A row with a cell that
cannot be read is reported and counted nowhere else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Callable, Optional

from .columns import Layout
from .values import BadValue, days_between, parse_amount

MAX_BAD_ROWS_LISTED = 1000
_TRUE = frozenset(("true", "1", "yes", "y", "x"))


@dataclass
class BadRows:
    listed: list[dict] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, row: int, error: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_BAD_ROWS_LISTED:
            self.listed.append({"file": PurePath(file).name, "row": row, "error": error})


@dataclass
class LeadCounts:
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
    source_leads: Counter = field(default_factory=Counter)
    source_mqls: Counter = field(default_factory=Counter)


@dataclass
class DealCounts:
    opportunities: int = 0
    won: int = 0
    lost: int = 0
    bookings: float = 0.0
    days: Counter = field(default_factory=Counter)
    source_won: Counter = field(default_factory=Counter)
    source_bookings: Counter = field(default_factory=Counter)
    loss_reasons: Counter = field(default_factory=Counter)

    def days_to_close(self) -> Optional[float]:
        return hist_median(self.days)


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
    return (lo + hi) / 2


def _header_name(layout: Layout, header: list[str], fieldname: str) -> str:
    i = layout.index.get(fieldname)
    return header[i].strip() if i is not None else fieldname


def scan_leads(rows, header: list[str], layout: Layout, display: str, parse_date: Callable, lo: str, hi: str,
               bad: BadRows) -> LeadCounts:
    """One pass over a leads export. ``lo``/``hi``: the quarter's first and last day, ISO."""
    ix = layout.index
    width = layout.width
    i_created = ix["created"]
    i_source = ix.get("source")
    sf = layout.shape.salesforce_lead
    if sf:
        i_conv, i_conv_date = ix.get("converted"), ix.get("converted_date")
        i_mql = i_sql = i_opp = None
    else:
        i_mql, i_sql, i_opp = ix.get("mql_date"), ix.get("sql_date"), ix.get("opportunity_date")
    names = {f: _header_name(layout, header, f) for f in ("created", "mql_date", "sql_date", "opportunity_date",
                                                           "converted_date")}
    c = LeadCounts(has_mql=i_mql is not None, has_sql=i_sql is not None or (sf and i_conv_date is not None),
                   has_opp=i_opp is not None or (sf and i_conv_date is not None))
    source_leads, source_mqls = c.source_leads, c.source_mqls
    leads = mqls = sqls = opps = created_with_mql = mql_with_sql = sql_with_opp = 0
    for number, row in rows:
        if len(row) != width:
            bad.add(display, number, f"has {len(row)} cells; the header has {width}")
            continue
        what = "created"
        try:
            created = parse_date(row[i_created])
            if created is None:
                raise BadValue("empty")
            mql = sql = opp = None
            if sf:
                if i_conv is not None and row[i_conv].strip().lower() in _TRUE and i_conv_date is not None:
                    what = "converted_date"
                    sql = opp = parse_date(row[i_conv_date])
            else:  # most leads never reach these stages: skip the call on empty cells
                if i_mql is not None and row[i_mql]:
                    what = "mql_date"
                    mql = parse_date(row[i_mql])
                if i_sql is not None and row[i_sql]:
                    what = "sql_date"
                    sql = parse_date(row[i_sql])
                if i_opp is not None and row[i_opp]:
                    what = "opportunity_date"
                    opp = parse_date(row[i_opp])
        except BadValue as e:
            bad.add(display, number, f"{names[what]}: {e}")
            continue
        source = row[i_source].strip() if i_source is not None else ""
        if lo <= created <= hi:
            leads += 1
            source_leads[source] += 1
            if mql is not None:
                created_with_mql += 1
        if mql is not None and lo <= mql <= hi:
            mqls += 1
            source_mqls[source] += 1
            if sql is not None:
                mql_with_sql += 1
        if sql is not None and lo <= sql <= hi:
            sqls += 1
            if opp is not None:
                sql_with_opp += 1
        if opp is not None and lo <= opp <= hi:
            opps += 1
    c.leads, c.mqls, c.sqls, c.opportunities = leads, mqls, sqls, opps
    c.created_with_mql, c.mql_with_sql, c.sql_with_opp = created_with_mql, mql_with_sql, sql_with_opp
    return c


def scan_deals(rows, header: list[str], layout: Layout, display: str, parse_date: Callable, lo: str, hi: str,
               bad: BadRows) -> DealCounts:
    ix = layout.index
    width = layout.width
    shape = layout.shape
    i_created, i_closed, i_stage, i_amount = ix["created"], ix["closed"], ix["stage"], ix["amount"]
    i_source, i_reason = ix.get("source"), ix.get("loss_reason")
    won_names, lost_names, strict = shape.won, shape.lost, shape.strict_stages
    names = {f: _header_name(layout, header, f) for f in ("created", "closed", "stage", "amount")}
    c = DealCounts()
    days, source_won, source_bookings, reasons = c.days, c.source_won, c.source_bookings, c.loss_reasons
    for number, row in rows:
        if len(row) != width:
            bad.add(display, number, f"has {len(row)} cells; the header has {width}")
            continue
        what = "created"
        try:
            created = parse_date(row[i_created])
            if created is None:
                raise BadValue("empty")
            what = "closed"
            closed = parse_date(row[i_closed])
            what = "stage"
            stage_text = " ".join(row[i_stage].strip().lower().split())
            if stage_text in won_names:
                stage = "won"
            elif stage_text in lost_names:
                stage = "lost"
            elif strict and stage_text != "open":
                raise BadValue(f"{row[i_stage]!r} is not won, lost or open")
            else:
                stage = "open"
            what = "amount"
            amount = parse_amount(row[i_amount])
            if stage == "won" and amount is None:
                raise BadValue("empty on a won deal")
            if stage != "open" and closed is None:
                what = "closed"
                raise BadValue(f"empty on a {stage} deal")
        except BadValue as e:
            bad.add(display, number, f"{names[what]}: {e}")
            continue
        if lo <= created <= hi:
            c.opportunities += 1
        if closed is not None and lo <= closed <= hi:
            if stage == "won":
                source = row[i_source].strip() if i_source is not None else ""
                c.won += 1
                c.bookings += amount
                source_won[source] += 1
                source_bookings[source] += amount
                days[days_between(created, closed)] += 1
            elif stage == "lost":
                c.lost += 1
                reason = row[i_reason].strip() if i_reason is not None else ""
                reasons[reason or "unspecified"] += 1
    return c
